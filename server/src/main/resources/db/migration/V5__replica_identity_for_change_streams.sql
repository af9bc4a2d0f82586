-- The change stream (SERVER_CDC, docs/postgres-cdc.md) needs the old row of an update or delete
-- in full for the tables whose cache names use more than the primary key: a user moving tenants
-- or deleted must invalidate the old tenant's entries; a deleted role names its tenant.
ALTER TABLE users REPLICA IDENTITY FULL;
ALTER TABLE roles REPLICA IDENTITY FULL;
ALTER TABLE tenants REPLICA IDENTITY FULL;
