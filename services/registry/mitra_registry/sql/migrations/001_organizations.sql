-- Focus areas are a controlled vocabulary (codes, with names in both languages) that administrators extend;
-- organisations refer to them by code.
CREATE TABLE focus_areas (
    code    text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]*$'),
    name_id text NOT NULL,
    name_en text NOT NULL
);

INSERT INTO focus_areas (code, name_id, name_en) VALUES
    ('disaster', 'Kebencanaan', 'Disasters'),
    ('disaster_risk_management', 'Manajemen risiko bencana', 'Disaster risk management'),
    ('disability', 'Penyandang disabilitas', 'Disability'),
    ('child_welfare', 'Kesejahteraan anak', 'Child welfare'),
    ('hiv_aids', 'HIV/AIDS', 'HIV/AIDS'),
    ('elderly', 'Lanjut usia', 'Elderly'),
    ('poverty', 'Penanganan kemiskinan', 'Poverty'),
    ('family', 'Keluarga', 'Families'),
    ('social_work', 'Pekerjaan sosial', 'Social work'),
    ('social_services', 'Pelayanan sosial', 'Social services'),
    ('community_services', 'Pelayanan masyarakat', 'Community services'),
    ('integrated_referral', 'Sistem Layanan dan Rujukan Terpadu (SLRT)', 'Integrated referral services (SLRT)');

CREATE TABLE organizations (
    id                       uuid PRIMARY KEY,
    legal_name               text NOT NULL,
    acronym                  text,
    country_of_origin        char(2) NOT NULL,
    headquarters_address     text,
    indonesia_office_address text,
    website                  text,
    representative_name      text,
    contact_email            text,
    status                   text NOT NULL DEFAULT 'applicant',
    focus_areas              text[] NOT NULL DEFAULT '{}',
    version                  integer NOT NULL DEFAULT 1,
    registered_at            timestamptz NOT NULL,
    updated_at               timestamptz NOT NULL
);

-- The same NGO is not registered twice: names compare without case or surrounding spaces, per country.
CREATE UNIQUE INDEX organizations_unique_name ON organizations (lower(btrim(legal_name)), country_of_origin);
CREATE INDEX organizations_status ON organizations (status);
CREATE INDEX organizations_country ON organizations (country_of_origin);
