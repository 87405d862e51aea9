-- The records agreements' documents belong to, with what decides who reads them and who attaches to them
-- (usecases/documents.py). The documents themselves are in the shared `documents` table (mitra_shared.documents).

-- name: submission_owner
-- A submission with its obligation's kind, period and region and its MSP's parties and places.
SELECT s.id, s.status, o.kind AS obligation_kind, o.period, o.region_code, m.id AS msp_id, m.organization_id,
       m.ministry_code, m.work_locations
FROM submissions s JOIN obligations o ON o.id = s.obligation_id JOIN msps m ON m.id = o.msp_id
WHERE s.id = :owner_id;

-- name: submission_owner_for_update
-- The same, the submission locked until the change that attaches to it commits.
SELECT s.id, s.status, o.kind AS obligation_kind, o.period, o.region_code, m.id AS msp_id, m.organization_id,
       m.ministry_code, m.work_locations
FROM submissions s JOIN obligations o ON o.id = s.obligation_id JOIN msps m ON m.id = o.msp_id
WHERE s.id = :owner_id
FOR UPDATE OF s;

-- name: msp_owner
-- An MSP's status, parties and places.
SELECT id, status, NULL::text AS obligation_kind, NULL::text AS period, NULL::text AS region_code, id AS msp_id,
       organization_id, ministry_code, work_locations
FROM msps WHERE id = :owner_id;

-- name: msp_owner_for_update
-- The same, the MSP locked until the change that attaches to it commits.
SELECT id, status, NULL::text AS obligation_kind, NULL::text AS period, NULL::text AS region_code, id AS msp_id,
       organization_id, ministry_code, work_locations
FROM msps WHERE id = :owner_id
FOR UPDATE;

-- name: recommendation_owner
-- A recommendation's status with its MSP's parties and places.
SELECT r.id, r.status, NULL::text AS obligation_kind, NULL::text AS period, NULL::text AS region_code,
       m.id AS msp_id, m.organization_id, m.ministry_code, m.work_locations
FROM recommendations r JOIN msps m ON m.id = r.msp_id
WHERE r.id = :owner_id;

-- name: recommendation_owner_for_update
-- The same, the recommendation locked until the change that attaches to it commits.
SELECT r.id, r.status, NULL::text AS obligation_kind, NULL::text AS period, NULL::text AS region_code,
       m.id AS msp_id, m.organization_id, m.ministry_code, m.work_locations
FROM recommendations r JOIN msps m ON m.id = r.msp_id
WHERE r.id = :owner_id
FOR UPDATE OF r;
