-- The server connects as guichet_app: no table owned, no BYPASSRLS, so row-level security
-- applies to it. Migrations run as the owner (POSTGRES_USER), which grants guichet_app.
CREATE ROLE guichet_app LOGIN PASSWORD 'guichet_app' NOSUPERUSER NOBYPASSRLS;
