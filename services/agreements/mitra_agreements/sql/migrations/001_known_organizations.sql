-- Agreements' own copy of the foreign NGOs it learns of from registry's events, so that it can check an MSP
-- against them while registry is down. Only what agreements needs; registry stays the owner.
CREATE TABLE known_organizations (
    organization_id   uuid PRIMARY KEY,
    legal_name        text NOT NULL,
    acronym           text,
    country_of_origin char(2) NOT NULL,
    status            text NOT NULL,
    learned_at        timestamptz NOT NULL DEFAULT now(),
    -- time of the registry event the row reflects; an older event never overwrites a newer one
    as_of             timestamptz NOT NULL
);
