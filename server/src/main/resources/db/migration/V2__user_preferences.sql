-- A user's international preferences (the console's profile page). A user without a row has the
-- defaults (locale en, time zone UTC) as version 1 since the account was created; the first change
-- inserts the row as version 2.

CREATE TABLE user_preferences (
  user_id    uuid        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  locale     text        NOT NULL CHECK (length(locale) BETWEEN 2 AND 35),
  time_zone  text        NOT NULL CHECK (length(time_zone) BETWEEN 1 AND 64),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version    bigint      NOT NULL DEFAULT 2
);
