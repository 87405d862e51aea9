-- MSPs (Memorandum Saling Pengertian): drafted, decided, signed, extended, terminated (usecases/msps.py).

-- name: insert_msp
-- A new draft MSP, with the parties as agreements knows them at drafting, and who drafted it (four eyes).
INSERT INTO msps (id, organization_id, organization_name, ministry_partner_id, ministry_name, ministry_code, title,
                  focus_areas, forms_of_cooperation, work_locations, starts_on, ends_on, status, obligation_rules,
                  drafted_by, created_at, updated_at)
VALUES (:id, :organization_id, :organization_name, :ministry_partner_id, :ministry_name, :ministry_code, :title,
        :focus_areas, :forms_of_cooperation, :work_locations, :starts_on, :ends_on, 'draft', :obligation_rules,
        :drafted_by, :now, :now)
RETURNING *;

-- name: get_msp_for_update
-- One MSP, locked for a change.
SELECT * FROM msps WHERE id = :msp_id FOR UPDATE;

-- name: get_msp
-- One MSP.
SELECT * FROM msps WHERE id = :msp_id;

-- name: list_msps
-- A page of MSPs, newest first, optionally of one NGO or in one status, with the total; only those the caller's
-- scope covers (domain/access.py): its NGO's, its ministry's, or those with a work location touching its region
-- (the same codes or one a province of the other).
SELECT *, count(*) OVER () AS total
FROM msps
WHERE (:organization_id::uuid IS NULL OR organization_id = :organization_id)
  AND (:status::text IS NULL OR status = :status)
  AND (:scope_organization_id::uuid IS NULL OR organization_id = :scope_organization_id)
  AND (:scope_ministry_code::text IS NULL OR ministry_code = :scope_ministry_code)
  AND (:scope_region_code::text IS NULL OR EXISTS (
        SELECT 1 FROM jsonb_array_elements(work_locations) AS location
        WHERE location->>'code' = :scope_region_code
           OR (length(:scope_region_code) = 2 AND left(location->>'code', 2) = :scope_region_code)
           OR (length(location->>'code') = 2 AND left(:scope_region_code, 2) = location->>'code')))
ORDER BY created_at DESC, id
LIMIT :limit OFFSET :offset;

-- name: set_msp_status
-- A step of the lifecycle (submitted, approved, rejected), with the decision's note if any; who submitted it is
-- kept (four eyes).
UPDATE msps SET status = :status, decision_note = coalesce(:note, decision_note), version = version + 1,
                submitted_by = CASE WHEN :status::text = 'submitted' THEN :actor ELSE submitted_by END,
                updated_at = :now
WHERE id = :msp_id
RETURNING *;

-- name: sign_msp
-- The signing: number, signatories, the principle permit it rests on; the engine looks at it on next_check_on.
UPDATE msps
SET status = :status, number = :number, signed_on = :signed_on, signatories = :signatories,
    signed_document_ref = :signed_document_ref, principle_permit_id = :principle_permit_id,
    next_check_on = :next_check_on, version = version + 1, updated_at = :now
WHERE id = :msp_id
RETURNING *;

-- name: extend_msp
-- A later end date (the extension waiting for TPOA is done); the engine looks at it again on next_check_on.
UPDATE msps SET status = 'extended', ends_on = :ends_on, decision_note = :reason, next_check_on = :next_check_on,
                pending_extension = NULL, version = version + 1, updated_at = :now
WHERE id = :msp_id
RETURNING *;

-- name: terminate_msp
-- The early end, with its reason (an extension waiting for TPOA goes with it); the engine has nothing more to do
-- with it.
UPDATE msps
SET status = 'terminated', terminated_on = :terminated_on, termination_reason = :reason, next_check_on = NULL,
    pending_extension = NULL, version = version + 1, updated_at = :now
WHERE id = :msp_id
RETURNING *;

-- name: msp_number_taken
-- Whether another MSP already has this number.
SELECT EXISTS (SELECT 1 FROM msps WHERE number = :number AND id <> :msp_id);

-- name: msps_of_organization
-- The parties and places of an NGO's MSPs (who may read the NGO: domain/access.py).
SELECT organization_id, ministry_code, work_locations FROM msps WHERE organization_id = :organization_id;

-- name: live_msps_of_organization
-- An NGO's MSPs a revocation ends (in force) or refuses (not yet signed), oldest first, locked for the change.
SELECT * FROM msps
WHERE organization_id = :organization_id
  AND status IN ('draft', 'submitted', 'approved', 'signed', 'active', 'extended')
ORDER BY created_at, id
FOR UPDATE;
