-- Back-channel logout tokens may name the user (sub) without a session (sid): let the Shell
-- find that user's sessions once the logout token's signature verified.
drop policy shell_sessions_by_id on shell_sessions;
create policy shell_sessions_by_id on shell_sessions
  using (
    id_hash = nullif(current_setting('app.session_hash', true), '')
    or keycloak_sid = nullif(current_setting('app.keycloak_sid', true), '')
    or subject = nullif(current_setting('app.session_subject', true), '')
  )
  with check (id_hash = nullif(current_setting('app.session_hash', true), ''));
create index shell_sessions_subject_idx on shell_sessions (subject);
