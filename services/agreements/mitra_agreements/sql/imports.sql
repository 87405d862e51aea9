-- MSPs imported from a spreadsheet, with their obligations' history (usecases/imports.py).

-- name: lock_msp_imports
-- One MSP import at a time: two files naming the same MSP number must not both find it new.
SELECT pg_advisory_xact_lock(hashtext('agreements.imports.msps'));

-- name: known_organizations_by_ids
-- The NGOs a file names by registry's id.
SELECT organization_id, legal_name, country_of_origin, status
FROM known_organizations WHERE organization_id = ANY(:organization_ids::uuid[]);

-- name: known_organizations_by_names
-- The NGOs a file names by legal name (lower case, spaces collapsed), with their country to match as well.
SELECT organization_id, legal_name, country_of_origin, status
FROM known_organizations
WHERE lower(regexp_replace(btrim(legal_name), '\s+', ' ', 'g')) = ANY(:names::text[]);

-- name: ministries_by_code
-- The ministries among registry's partners with these codes, active ones first.
SELECT partner_id, partner_kind, name, code, parent_code, active
FROM known_partners
WHERE code = ANY(:codes::text[]) AND partner_kind = 'ministry'
ORDER BY active DESC, version DESC;

-- name: principle_permits_of_many
-- The principle permits (valid or not) of the NGOs a file names: the rules choose.
SELECT permit_id, organization_id, number, issued_on, valid_until, expired
FROM known_permits WHERE organization_id = ANY(:organization_ids::uuid[]) AND permit_type = 'principle';

-- name: msps_by_number
-- The MSPs already recorded with the numbers a file gives (its rows' key).
SELECT * FROM msps WHERE number = ANY(:numbers::text[]);

-- name: obligations_of_msps
-- The obligations of those MSPs, with the date each was received outside Mitra (if it was).
SELECT msp_id, kind, period, region_code, received_outside_on FROM obligations WHERE msp_id = ANY(:msp_ids::uuid[]);

-- name: insert_imported_msp
-- An MSP signed before Mitra, recorded whole: in the state its dates give, with the principle permit it rests on;
-- the engine looks at it on next_check_on (NULL for one already ended). Nothing when the number was taken meanwhile
-- (signed through Mitra while the file was read): the use case refuses the file (409).
INSERT INTO msps (id, organization_id, organization_name, ministry_partner_id, ministry_name, ministry_code, number,
                  title, focus_areas, forms_of_cooperation, work_locations, starts_on, ends_on, status,
                  obligation_rules, signatories, signed_document_ref, signed_on, principle_permit_id, next_check_on,
                  imported, created_at, updated_at)
VALUES (:id, :organization_id, :organization_name, :ministry_partner_id, :ministry_name, :ministry_code, :number,
        :title, :focus_areas, :forms_of_cooperation, :work_locations, :starts_on, :ends_on, :status,
        :obligation_rules, :signatories, :signed_document_ref, :signed_on, :principle_permit_id, :next_check_on,
        true, :now, :now)
ON CONFLICT (number) WHERE number IS NOT NULL DO NOTHING
RETURNING *;

-- name: insert_imported_obligations
-- The obligations of the imported MSPs, all at once (one array per column, in the same order): pending (reminded
-- by the engine's calendar, or owed a look on next_check_on when already inside its reminder window or past due),
-- received outside Mitra on a date (never looked at), or closed (its MSP had already ended).
INSERT INTO obligations (id, msp_id, kind, period, region_code, province_code, due_on, status, next_check_on,
                         received_outside_on, created_at, updated_at)
SELECT o.id, o.msp_id, o.kind, o.period, o.region_code, o.province_code, o.due_on, o.status, o.next_check_on,
       o.received_outside_on, :now, :now
FROM unnest(:ids::uuid[], :msp_ids::uuid[], :kinds::text[], :periods::text[], :region_codes::text[],
            :province_codes::text[], :due_ons::date[], :statuses::text[], :next_check_ons::date[],
            :received_outside_ons::date[])
     AS o(id, msp_id, kind, period, region_code, province_code, due_on, status, next_check_on, received_outside_on)
RETURNING *;

-- name: mitra_began
-- The day agreements began recording MSPs: when its database was created (its first migration was applied).
SELECT min(applied_at) AS began FROM schema_migrations WHERE component = 'agreements';

-- name: record_ended_notice
-- An imported MSP that had already ended: its end is said once, by the import, never again by the engine.
INSERT INTO deadline_notices (subject_id, notice, sent_on) VALUES (:msp_id, 'ended', :today)
ON CONFLICT DO NOTHING;
