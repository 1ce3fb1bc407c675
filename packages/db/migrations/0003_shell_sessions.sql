-- Server-side sessions of the Shell (when no Redis is configured). The browser's cookie holds a
-- random session id; only its SHA-256 is stored, so a copy of this table opens no session.
-- A row is visible only to whoever presents its id (app.session_hash), or, for back-channel
-- logout, the Keycloak session it belongs to (app.keycloak_sid, set after the logout token's
-- signature verified).
create table shell_sessions (
  id_hash text primary key,
  subject text not null,
  keycloak_sid text,
  data jsonb not null,
  expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index shell_sessions_sid_idx on shell_sessions (keycloak_sid);
create index shell_sessions_expiry_idx on shell_sessions (expires_at);

alter table shell_sessions enable row level security;
alter table shell_sessions force row level security;
create policy shell_sessions_by_id on shell_sessions
  using (
    id_hash = nullif(current_setting('app.session_hash', true), '')
    or keycloak_sid = nullif(current_setting('app.keycloak_sid', true), '')
  )
  with check (id_hash = nullif(current_setting('app.session_hash', true), ''));

grant select, insert, update, delete on shell_sessions to afenda_app_access;
