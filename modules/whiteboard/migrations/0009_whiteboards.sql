-- Whiteboards: tldraw documents per tenant (a store snapshot in JSONB), their version history,
-- and links to the approvals and conversations they belong to. Deleting a board is soft
-- (deleted_at), so it can be recovered; versions and links go only with the tenant.

create table whiteboards (
  tenant_id uuid not null references tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  title text not null,
  -- tldraw's store snapshot: { schema, store: { <record id>: <record> } }.
  document jsonb not null,
  -- Size of the document as JSON text, kept so lists and limits don't re-measure it.
  document_bytes integer not null,
  -- Bumped by every saved change; a save may name the revision it started from.
  revision integer not null default 1,
  created_by uuid references users (id),
  updated_by uuid references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  deleted_by uuid references users (id),
  primary key (tenant_id, id),
  constraint whiteboards_title_length check (char_length(title) between 1 and 200),
  constraint whiteboards_document_shape check (jsonb_typeof(document) = 'object' and document ? 'store' and document ? 'schema')
);
create index whiteboards_active_idx on whiteboards (tenant_id, updated_at desc, id desc) where deleted_at is null;
create index whiteboards_deleted_idx on whiteboards (tenant_id, deleted_at desc, id desc) where deleted_at is not null;

create table whiteboard_versions (
  tenant_id uuid not null,
  board_id uuid not null,
  version integer not null,
  document jsonb not null,
  document_bytes integer not null,
  -- The board's revision this version captured.
  revision integer not null,
  reason text not null,
  label text,
  created_by uuid references users (id),
  created_at timestamptz not null default now(),
  primary key (tenant_id, board_id, version),
  foreign key (tenant_id, board_id) references whiteboards (tenant_id, id) on delete cascade,
  constraint whiteboard_versions_reason_check check (reason in ('created', 'autosave', 'manual', 'before_restore')),
  constraint whiteboard_versions_label_length check (label is null or char_length(label) <= 200)
);

create table whiteboard_links (
  tenant_id uuid not null,
  board_id uuid not null,
  subject_type text not null,
  subject_id text not null,
  created_by uuid references users (id),
  created_at timestamptz not null default now(),
  primary key (tenant_id, board_id, subject_type, subject_id),
  foreign key (tenant_id, board_id) references whiteboards (tenant_id, id) on delete cascade,
  constraint whiteboard_links_subject_type_check check (subject_type in ('approval', 'conversation')),
  constraint whiteboard_links_subject_id_length check (char_length(subject_id) between 1 and 200)
);
create index whiteboard_links_subject_idx on whiteboard_links (tenant_id, subject_type, subject_id);

alter table whiteboards enable row level security;
alter table whiteboards force row level security;
create policy whiteboards_tenant_isolation on whiteboards
  using (tenant_id = afenda.current_tenant_id()) with check (tenant_id = afenda.current_tenant_id());
alter table whiteboard_versions enable row level security;
alter table whiteboard_versions force row level security;
create policy whiteboard_versions_tenant_isolation on whiteboard_versions
  using (tenant_id = afenda.current_tenant_id()) with check (tenant_id = afenda.current_tenant_id());
alter table whiteboard_links enable row level security;
alter table whiteboard_links force row level security;
create policy whiteboard_links_tenant_isolation on whiteboard_links
  using (tenant_id = afenda.current_tenant_id()) with check (tenant_id = afenda.current_tenant_id());

-- No delete on whiteboards: a board is deleted softly and recovered; it goes with its tenant.
grant select, insert, update on whiteboards to afenda_app_access;
-- Versions are pruned past the configured count; links are removed when detached.
grant select, insert, delete on whiteboard_versions to afenda_app_access;
grant select, insert, delete on whiteboard_links to afenda_app_access;
