#!/bin/bash
# Runs once, when the postgres container initialises an empty data directory
# (/docker-entrypoint-initdb.d). It creates only the orchestrator's *login* role, unprivileged:
# no SUPERUSER, no BYPASSRLS, no CREATEDB/CREATEROLE, owning nothing, so PostgreSQL row-level
# security always applies to it. Everything else (the afenda_owner and afenda_app_access roles,
# grants, schema) is created by the orchestrator's migrator, which connects with
# DATABASE_ADMIN_URL at start.
#
# Environment (from deploy/compose/.env through docker-compose.yml):
#   POSTGRES_USER, POSTGRES_DB   set by the postgres image
#   AFENDA_DB_APP_PASSWORD       the afenda_app password (the same one DATABASE_URL carries)
set -e

if [ -z "${AFENDA_DB_APP_PASSWORD:-}" ]; then
  echo "postgres-init: AFENDA_DB_APP_PASSWORD is not set" >&2
  exit 1
fi

# The password travels as a psql variable and is quoted by format(%L): no shell or SQL injection.
psql -v ON_ERROR_STOP=1 --no-psqlrc \
  --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  --set app_password="$AFENDA_DB_APP_PASSWORD" <<'SQL'
select format(
  'create role afenda_app login password %L nosuperuser nobypassrls nocreatedb nocreaterole',
  :'app_password'
)
where not exists (select 1 from pg_roles where rolname = 'afenda_app')
\gexec
grant connect on database :"DBNAME" to afenda_app;
SQL
echo "postgres-init: role afenda_app ready in database $POSTGRES_DB"
