-- Organisations: a contact phone, name search without case or accents, the status lifecycle with its audit trail;
-- foreign staff (tenaga ahli asing) and their assignments.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- unaccent() is only STABLE (its dictionary could change); naming the dictionary makes the folding fixed, so it
-- can feed a stored column and an index. The SQL-standard body binds both names when the function is created.
CREATE FUNCTION registry_fold(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN lower(unaccent('unaccent'::regdictionary, value));

ALTER TABLE organizations
    ADD COLUMN contact_phone text,
    ADD COLUMN search_name text GENERATED ALWAYS AS (registry_fold(legal_name || ' ' || coalesce(acronym, ''))) STORED,
    ADD CONSTRAINT organizations_status_known
        CHECK (status IN ('applicant', 'registered', 'active', 'suspended', 'revoked', 'closed'));

-- Substring search (`LIKE '%term%'`) on the folded names uses trigrams; the focus-area filter uses `@>`.
CREATE INDEX organizations_search_name ON organizations USING gin (search_name gin_trgm_ops);
CREATE INDEX organizations_focus_areas ON organizations USING gin (focus_areas);
CREATE INDEX organizations_registered_at ON organizations (registered_at DESC, id);

-- Who moved an NGO in its lifecycle, when and why. The first entry of each NGO is its registration.
CREATE TABLE organization_status_changes (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    previous_status text,
    status          text NOT NULL,
    reason          text NOT NULL,
    changed_by      text NOT NULL,
    changed_at      timestamptz NOT NULL,
    version         integer NOT NULL
);
CREATE INDEX organization_status_changes_by_organization ON organization_status_changes (organization_id, id);

INSERT INTO organization_status_changes (organization_id, previous_status, status, reason, changed_by, changed_at, version)
SELECT id, NULL, status, 'registered before the status history was kept', 'system', registered_at, version
FROM organizations;

-- Foreign experts' assignments. The passport number is personal data: it stays in this table and its API.
CREATE TABLE foreign_staff_assignments (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    full_name       text NOT NULL,
    nationality     char(2) NOT NULL,
    role            text NOT NULL,
    passport_number text NOT NULL,
    starts_on       date NOT NULL,
    ends_on         date NOT NULL,
    ended_on        date,
    end_reason      text,
    assigned_by     text NOT NULL,
    assigned_at     timestamptz NOT NULL,
    ended_by        text,
    ended_at        timestamptz,
    CHECK (ends_on >= starts_on),
    CHECK (ends_on <= starts_on + interval '5 years'),
    CHECK (ended_on IS NULL OR ended_on BETWEEN starts_on AND ends_on)
);
CREATE INDEX foreign_staff_assignments_by_organization ON foreign_staff_assignments (organization_id, starts_on);
