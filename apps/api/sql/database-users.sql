-- The API's two database users, once per environment (and again after adding an environment):
-- run as the RDS master user (innovate_admin), connected to the application database:
--   psql "host=<db_host> dbname=projects user=innovate_admin sslmode=verify-full sslrootcert=global-bundle.pem" \
--        -v ON_ERROR_STOP=1 -f apps/api/sql/database-users.sql
-- Both users log in with RDS IAM tokens only (rds_iam, no password); the CDK stack grants
-- rds-db:connect as `api` to the API's IRSA role and as `migrator` to the migration Job's role
-- (innovate-<env>-api-migrator). Safe to run again; on a database whose tables the old
-- init-container migrations created as `api`, it hands them over to `migrator`.
--   migrator  owns the database and the schema's objects: DDL, run by the release's migration Job.
--   api       the serving identity: SELECT, INSERT, UPDATE, DELETE on the tables migrator creates.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'migrator') THEN
    CREATE ROLE migrator LOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'api') THEN
    CREATE ROLE api LOGIN;
  END IF;
END $$;

GRANT rds_iam TO migrator, api;
GRANT migrator, api TO CURRENT_USER;  -- lets the master hand ownership over (RDS has no superuser)

DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I OWNER TO migrator', current_database());  -- PG 15: may CREATE in public
END $$;
REASSIGN OWNED BY api TO migrator;    -- tables created by the old migrations run as api

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO api;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO api;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO api;
ALTER DEFAULT PRIVILEGES FOR ROLE migrator IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO api;
ALTER DEFAULT PRIVILEGES FOR ROLE migrator IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO api;
