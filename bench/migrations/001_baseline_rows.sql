-- The baseline's own table: one row per "command", written with one outbox row in the same transaction, the
-- least work a registration can do.
CREATE TABLE baseline_rows (
    id                uuid PRIMARY KEY,
    legal_name        text NOT NULL,
    country_of_origin char(2) NOT NULL,
    focus_areas       text[] NOT NULL DEFAULT '{}',
    created_at        timestamptz NOT NULL DEFAULT now()
);
