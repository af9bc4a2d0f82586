-- Tenants, users, roles and permissions: the source of truth that Tierstate caches.
-- E-mail addresses are unique across all tenants: sign-in takes only an e-mail and a password.

CREATE TABLE tenants (
  id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  slug       text        NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name       text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version    bigint      NOT NULL DEFAULT 1
);

CREATE TABLE users (
  id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id     uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  email         text        NOT NULL CHECK (email = lower(email) AND email LIKE '_%@_%' AND length(email) <= 254),
  password_hash text        NOT NULL,
  display_name  text        NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
  status        text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  version       bigint      NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_tenant_created ON users (tenant_id, created_at, id);

CREATE TABLE permissions (
  name        text PRIMARY KEY CHECK (name ~ '^[a-z]+:[a-z]+$'),
  description text NOT NULL
);

-- A role with tenant_id NULL is built in and available in every tenant.
CREATE TABLE roles (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id   uuid REFERENCES tenants (id) ON DELETE CASCADE,
  name        text NOT NULL CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
  description text NOT NULL
);
CREATE UNIQUE INDEX roles_builtin_name ON roles (name) WHERE tenant_id IS NULL;
CREATE UNIQUE INDEX roles_tenant_name ON roles (tenant_id, name) WHERE tenant_id IS NOT NULL;

CREATE TABLE role_permissions (
  role_id    uuid NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  permission text NOT NULL REFERENCES permissions (name) ON DELETE CASCADE,
  PRIMARY KEY (role_id, permission)
);

CREATE TABLE user_roles (
  user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role_id    uuid        NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  granted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, role_id)
);
CREATE INDEX user_roles_role ON user_roles (role_id);

INSERT INTO permissions (name, description) VALUES
  ('tenants:read', 'See the tenant''s profile'),
  ('tenants:write', 'Change the tenant''s profile'),
  ('users:read', 'List and view the tenant''s users'),
  ('users:write', 'Create users and change their profile and status'),
  ('users:delete', 'Delete users'),
  ('roles:read', 'See roles and who holds them'),
  ('roles:assign', 'Grant and revoke roles'),
  ('sessions:admin', 'See and end other users'' sessions'),
  ('cache:admin', 'See the cache dashboard and invalidate the tenant''s cache entries');

INSERT INTO roles (name, description) VALUES
  ('tenant_admin', 'Administers one tenant: users, roles, sessions and its cache entries'),
  ('member', 'A regular user: sees the tenant and its users');

INSERT INTO role_permissions (role_id, permission)
SELECT r.id, p.name FROM roles r CROSS JOIN permissions p
WHERE r.tenant_id IS NULL AND r.name = 'tenant_admin';

INSERT INTO role_permissions (role_id, permission)
SELECT r.id, p.name FROM roles r JOIN permissions p ON p.name IN ('tenants:read', 'users:read', 'roles:read')
WHERE r.tenant_id IS NULL AND r.name = 'member';
