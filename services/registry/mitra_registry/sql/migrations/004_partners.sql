-- Government partners: ministries and agencies (K/L), TPOA, and regional governments (provinces, regencies and
-- cities) identified by their Kemendagri/BPS codes. Kind and code are a partner's identity: a renumbered region is
-- a new partner. Contacts (name, e-mail, webhook URL, language) are kept as a JSON array, always read whole.
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE TABLE partners (
    id            uuid PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('ministry', 'tpoa', 'province', 'regency')),
    code          text NOT NULL,
    name          text NOT NULL,
    parent_code   text,
    -- Only a province can be a parent; the generated column lets the foreign key below say so.
    parent_kind   text GENERATED ALWAYS AS (CASE WHEN parent_code IS NOT NULL THEN 'province' END) STORED,
    contacts      jsonb NOT NULL DEFAULT '[]',
    active        boolean NOT NULL DEFAULT true,
    version       integer NOT NULL DEFAULT 1,
    registered_at timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    UNIQUE (kind, code),
    FOREIGN KEY (parent_kind, parent_code) REFERENCES partners (kind, code),
    CHECK ((kind = 'regency') = (parent_code IS NOT NULL)),
    CHECK (kind <> 'regency' OR starts_with(code, parent_code))
);
CREATE INDEX partners_parent ON partners (parent_code) WHERE parent_code IS NOT NULL;
