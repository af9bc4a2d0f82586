-- Tenants gain a plan and a status, and the platform gets administrators: the permission
-- platform:admin, held by the built-in role platform_admin. tenant_admin, which V1 gave every
-- permission that existed then, does not get it.

ALTER TABLE tenants
  ADD COLUMN plan   text NOT NULL DEFAULT 'free'   CHECK (plan IN ('free', 'pro', 'enterprise')),
  ADD COLUMN status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended'));
CREATE INDEX tenants_created ON tenants (created_at, id);

INSERT INTO permissions (name, description) VALUES
  ('platform:admin', 'Administer the platform: list, create and change every tenant, its plan and status');

-- Built in (available in every tenant, like tenant_admin), but only a platform administrator may
-- grant or revoke it (checked by the users API).
INSERT INTO roles (name, description) VALUES
  ('platform_admin', 'Administers the platform: every tenant, its plan and its status');

INSERT INTO role_permissions (role_id, permission)
SELECT id, 'platform:admin' FROM roles WHERE tenant_id IS NULL AND name = 'platform_admin';
