-- Successful sign-ins per tenant and UTC day, for the tenant analytics page. One row per tenant and
-- day (an upsert adds one), so the table grows with days, not with sign-ins, and needs no pruning
-- for the ranges the API offers.

CREATE TABLE sign_in_days (
  tenant_id uuid   NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  day       date   NOT NULL,
  sign_ins  bigint NOT NULL CHECK (sign_ins > 0),
  PRIMARY KEY (tenant_id, day)
);
