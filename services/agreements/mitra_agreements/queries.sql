-- ============ registry's facts ============

-- name: learn_organization
-- Particulars and status each keep the time of the event they reflect: events arrive out of order across relay
-- replicas and retries, and the newest state wins for each.
INSERT INTO known_organizations AS k
    (organization_id, legal_name, acronym, country_of_origin, status, as_of, status_as_of)
VALUES ($1, $2, $3, $4, $5, $6, $6)
ON CONFLICT (organization_id) DO UPDATE
SET legal_name = CASE WHEN k.as_of <= EXCLUDED.as_of THEN EXCLUDED.legal_name ELSE k.legal_name END,
    acronym = CASE WHEN k.as_of <= EXCLUDED.as_of THEN EXCLUDED.acronym ELSE k.acronym END,
    country_of_origin = CASE WHEN k.as_of <= EXCLUDED.as_of THEN EXCLUDED.country_of_origin
                             ELSE k.country_of_origin END,
    as_of = GREATEST(k.as_of, EXCLUDED.as_of),
    status = CASE WHEN k.status_as_of <= EXCLUDED.status_as_of THEN EXCLUDED.status ELSE k.status END,
    status_as_of = GREATEST(k.status_as_of, EXCLUDED.status_as_of),
    learned_at = now();

-- name: learn_organization_status
-- A status change may arrive before the registration: the row then waits, particulars-less, for it.
INSERT INTO known_organizations AS k
    (organization_id, legal_name, acronym, country_of_origin, status, as_of, status_as_of)
VALUES ($1, $2, NULL, NULL, $3, '-infinity', $4)
ON CONFLICT (organization_id) DO UPDATE
SET status = CASE WHEN k.status_as_of <= EXCLUDED.status_as_of THEN EXCLUDED.status ELSE k.status END,
    status_as_of = GREATEST(k.status_as_of, EXCLUDED.status_as_of),
    learned_at = now();

-- name: learn_permit_granted
INSERT INTO known_permits AS k
    (permit_id, organization_id, permit_type, number, issued_on, valid_until, expired, as_of)
VALUES ($1, $2, $3, $4, $5, $6, false, $7)
ON CONFLICT (permit_id) DO UPDATE
SET issued_on = EXCLUDED.issued_on,
    number = EXCLUDED.number,
    valid_until = CASE WHEN k.as_of <= EXCLUDED.as_of THEN EXCLUDED.valid_until ELSE k.valid_until END,
    as_of = GREATEST(k.as_of, EXCLUDED.as_of),
    learned_at = now();

-- name: learn_permit_extended
-- The grant may not have arrived yet: its issue date waits as -infinity until it does.
INSERT INTO known_permits AS k
    (permit_id, organization_id, permit_type, number, issued_on, valid_until, expired, as_of)
VALUES ($1, $2, $3, $4, '-infinity', $5, false, $6)
ON CONFLICT (permit_id) DO UPDATE
SET valid_until = CASE WHEN k.as_of <= EXCLUDED.as_of THEN EXCLUDED.valid_until ELSE k.valid_until END,
    expired = CASE WHEN k.as_of <= EXCLUDED.as_of THEN false ELSE k.expired END,
    as_of = GREATEST(k.as_of, EXCLUDED.as_of),
    learned_at = now();

-- name: learn_permit_expired
-- An expiry counts only for the validity it names or a later one (not against an extension already known).
INSERT INTO known_permits AS k
    (permit_id, organization_id, permit_type, number, issued_on, valid_until, expired, as_of)
VALUES ($1, $2, $3, $4, '-infinity', $5, true, $6)
ON CONFLICT (permit_id) DO UPDATE
SET expired = CASE WHEN k.valid_until <= EXCLUDED.valid_until THEN true ELSE k.expired END,
    learned_at = now();

-- name: learn_partner
INSERT INTO known_partners AS k (partner_id, partner_kind, name, code, parent_code, active, version)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (partner_id) DO UPDATE
SET partner_kind = EXCLUDED.partner_kind,
    name = EXCLUDED.name,
    code = EXCLUDED.code,
    parent_code = EXCLUDED.parent_code,
    active = EXCLUDED.active,
    version = EXCLUDED.version,
    learned_at = now()
WHERE k.version < EXCLUDED.version;

-- name: list_known_organizations
SELECT organization_id, legal_name, acronym, country_of_origin, status, GREATEST(as_of, status_as_of) AS as_of,
       count(*) OVER () AS total
FROM known_organizations
ORDER BY legal_name, organization_id
LIMIT $1 OFFSET $2;

-- name: get_known_organization
SELECT organization_id, legal_name, acronym, country_of_origin, status, GREATEST(as_of, status_as_of) AS as_of
FROM known_organizations WHERE organization_id = $1;

-- name: principle_permits_of
SELECT permit_id, organization_id, number, issued_on, valid_until, expired
FROM known_permits WHERE organization_id = $1 AND permit_type = 'principle';

-- name: get_known_partner
SELECT partner_id, partner_kind, name, code, parent_code, active FROM known_partners WHERE partner_id = $1;

-- name: regions_by_code
SELECT partner_id, partner_kind, name, code, parent_code, active
FROM known_partners
WHERE code = ANY($1::text[]) AND partner_kind IN ('province', 'regency') AND active;

-- ============ MSPs ============

-- name: insert_msp
INSERT INTO msps (id, organization_id, organization_name, ministry_partner_id, ministry_name, ministry_code, title,
                  focus_areas, forms_of_cooperation, work_locations, starts_on, ends_on, status, obligation_rules,
                  created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'draft', $13, $14, $14)
RETURNING *;

-- name: get_msp_for_update
SELECT * FROM msps WHERE id = $1 FOR UPDATE;

-- name: get_msp
SELECT * FROM msps WHERE id = $1;

-- name: list_msps
SELECT *, count(*) OVER () AS total
FROM msps
WHERE ($1::uuid IS NULL OR organization_id = $1)
  AND ($2::text IS NULL OR status = $2)
ORDER BY created_at DESC, id
LIMIT $3 OFFSET $4;

-- name: set_msp_status
UPDATE msps SET status = $2, decision_note = coalesce($3, decision_note), version = version + 1, updated_at = $4
WHERE id = $1
RETURNING *;

-- name: sign_msp
UPDATE msps
SET status = $2, number = $3, signed_on = $4, signatories = $5, signed_document_ref = $6, principle_permit_id = $7,
    next_check_on = $8, version = version + 1, updated_at = $9
WHERE id = $1
RETURNING *;

-- name: extend_msp
UPDATE msps SET status = 'extended', ends_on = $2, decision_note = $3, next_check_on = $4, version = version + 1,
                updated_at = $5
WHERE id = $1
RETURNING *;

-- name: terminate_msp
UPDATE msps
SET status = 'terminated', terminated_on = $2, termination_reason = $3, next_check_on = NULL, version = version + 1,
    updated_at = $4
WHERE id = $1
RETURNING *;

-- name: msp_number_taken
SELECT EXISTS (SELECT 1 FROM msps WHERE number = $1 AND id <> $2);

-- ============ obligations ============

-- name: insert_obligation
INSERT INTO obligations (id, msp_id, kind, period, region_code, province_code, due_on, status, next_check_on,
                         created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $9)
ON CONFLICT DO NOTHING
RETURNING *;

-- name: obligations_of_msp
SELECT * FROM obligations WHERE msp_id = $1 ORDER BY due_on, kind, region_code NULLS FIRST;

-- name: close_open_obligations
-- An MSP that ends or is terminated leaves nothing to remind of; an overdue obligation stays on record as overdue.
UPDATE obligations SET status = 'closed', next_check_on = NULL, updated_at = $2
WHERE msp_id = $1 AND status IN ('pending', 'returned');

-- name: close_extension_decision
UPDATE obligations SET status = 'closed', next_check_on = NULL, updated_at = $2
WHERE msp_id = $1 AND kind = 'extension_decision' AND status IN ('pending', 'returned', 'overdue');

-- name: get_obligation_for_update
SELECT o.*, m.organization_id, m.organization_name, m.ministry_code, m.status AS msp_status
FROM obligations o JOIN msps m ON m.id = o.msp_id
WHERE o.id = $1
FOR UPDATE OF o;

-- name: get_obligation
SELECT * FROM obligations WHERE id = $1;

-- name: set_obligation_status
UPDATE obligations SET status = $2, next_check_on = $3, updated_at = $4 WHERE id = $1 RETURNING *;

-- ============ the deadline engine ============

-- name: claim_due_obligations
-- Rows another replica holds are skipped, not waited for; the partial index on next_check_on finds what is due.
SELECT o.*, m.organization_id, m.organization_name, m.ministry_code
FROM obligations o JOIN msps m ON m.id = o.msp_id
WHERE o.next_check_on IS NOT NULL AND o.next_check_on <= $1
ORDER BY o.next_check_on
LIMIT $2
FOR UPDATE OF o SKIP LOCKED;

-- name: due_obligations_plan
SELECT id FROM obligations
WHERE next_check_on IS NOT NULL AND next_check_on <= $1
ORDER BY next_check_on
LIMIT $2;

-- name: claim_due_msps
SELECT * FROM msps
WHERE next_check_on IS NOT NULL AND next_check_on <= $1
ORDER BY next_check_on
LIMIT $2
FOR UPDATE SKIP LOCKED;

-- name: record_notice
-- NULL when the notice was already sent: the caller then publishes nothing.
INSERT INTO deadline_notices (subject_id, notice, sent_on) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING
RETURNING subject_id;

-- name: set_obligation_check
UPDATE obligations SET status = $2, next_check_on = $3, updated_at = $4 WHERE id = $1;

-- name: set_msp_check
UPDATE msps SET status = $2, next_check_on = $3, updated_at = $4, version = version + (CASE WHEN status = $2 THEN 0 ELSE 1 END)
WHERE id = $1;

-- name: notices_of
SELECT subject_id, notice, sent_on FROM deadline_notices WHERE subject_id = ANY($1::uuid[]) ORDER BY sent_at, notice;

-- ============ submissions ============

-- name: latest_submission
SELECT * FROM submissions WHERE obligation_id = $1 ORDER BY attempt DESC LIMIT 1;

-- name: insert_submission
INSERT INTO submissions (id, obligation_id, attempt, summary, document_ref, funding, status, late, submitted_by,
                         submitted_at)
VALUES ($1, $2, $3, $4, $5, $6, 'submitted', $7, $8, $9)
RETURNING *;

-- name: get_submission_for_update
SELECT * FROM submissions WHERE id = $1 FOR UPDATE;

-- name: decide_submission
UPDATE submissions SET status = $2, comments = $3, decided_by = $4, decided_at = $5 WHERE id = $1 RETURNING *;

-- name: submissions_of
SELECT * FROM submissions WHERE obligation_id = $1 ORDER BY attempt;

-- ============ visits ============

-- name: insert_visit
INSERT INTO visits (id, msp_id, visitors, purpose, arrives_on, departs_on, region_codes, province_codes, programme,
                    announced_on, late, status, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'announced', $12, $12)
RETURNING *;

-- name: get_visit_for_update
SELECT * FROM visits WHERE id = $1 FOR UPDATE;

-- name: get_visit
SELECT * FROM visits WHERE id = $1;

-- name: update_visit
UPDATE visits
SET visitors = $2, purpose = $3, arrives_on = $4, departs_on = $5, region_codes = $6, province_codes = $7,
    programme = $8, late = $9, version = version + 1, updated_at = $10
WHERE id = $1
RETURNING *;

-- name: cancel_visit
UPDATE visits SET status = 'cancelled', cancel_reason = $2, version = version + 1, updated_at = $3
WHERE id = $1
RETURNING *;

-- ============ recommendations ============

-- name: insert_recommendation
INSERT INTO recommendations (id, kind, msp_id, expert_name, expert_nationality, purpose, status, requested_by,
                             requested_at)
VALUES ($1, $2, $3, $4, $5, $6, 'requested', $7, $8)
RETURNING *;

-- name: get_recommendation_for_update
SELECT * FROM recommendations WHERE id = $1 FOR UPDATE;

-- name: get_recommendation
SELECT * FROM recommendations WHERE id = $1;

-- name: issue_recommendation
UPDATE recommendations
SET status = 'issued', granted = $2, reference_number = $3, note = $4, issued_by = $5, issued_at = $6
WHERE id = $1
RETURNING *;

-- name: reference_number_taken
SELECT EXISTS (SELECT 1 FROM recommendations WHERE reference_number = $1);
