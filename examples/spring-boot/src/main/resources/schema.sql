CREATE TABLE IF NOT EXISTS product (
  id          bigint      PRIMARY KEY,
  name        text        NOT NULL,
  category    text        NOT NULL,
  price_cents bigint      NOT NULL,
  version     bigint      NOT NULL DEFAULT 1,
  updated_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
INSERT INTO product (id, name, category, price_cents)
  SELECT g, 'product ' || g, 'category-' || (g % 20), 100 + g FROM generate_series(1, 1000) AS g
  ON CONFLICT (id) DO NOTHING;
