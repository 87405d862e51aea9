-- The queues across MSPs (usecases/queues.py): each a page with its total, filtered as asked and held to the
-- caller's scope (:scope_*, domain/access.py): an NGO its own MSPs', a ministry those of its MSPs (Mitra Utama), a
-- region's office what touches its area (agreements_region_touches: the same code, or one a province of the other).
-- An empty array of statuses or kinds means every one. Ties are broken by id, so that pages never overlap.

-- name: list_obligations
-- Obligations with their MSP's parties and their latest submission. For a region (the scope's or the filter's):
-- those of an MSP working in it, MSP-wide or of a region touching it. The matches are sorted by their keys alone
-- and only the page's ids kept (a bounded sort, not a ranking of every match); the page's rows are read
-- afterwards, in the order the array of ids holds.
WITH matching AS (
    SELECT o.id, o.due_on, o.updated_at, m.organization_name
    FROM obligations AS o
    JOIN msps AS m ON m.id = o.msp_id
    WHERE (cardinality(:statuses::text[]) = 0 OR o.status = ANY(:statuses::text[]))
      AND (cardinality(:kinds::text[]) = 0 OR o.kind = ANY(:kinds::text[]))
      AND (:due_before::date IS NULL OR o.due_on < :due_before)
      AND (:due_after::date IS NULL OR o.due_on > :due_after)
      AND (:organization_id::uuid IS NULL OR m.organization_id = :organization_id)
      AND (:ministry_code::text IS NULL OR m.ministry_code = :ministry_code)
      AND (:msp_id::uuid IS NULL OR o.msp_id = :msp_id)
      AND (:region_code::text IS NULL OR (
            (o.region_code IS NULL OR agreements_region_touches(o.region_code, :region_code))
            AND EXISTS (SELECT 1 FROM jsonb_array_elements(m.work_locations) AS location
                        WHERE agreements_region_touches(location->>'code', :region_code))))
      AND (:scope_organization_id::uuid IS NULL OR m.organization_id = :scope_organization_id)
      AND (:scope_ministry_code::text IS NULL OR m.ministry_code = :scope_ministry_code)
      AND (:scope_region_code::text IS NULL OR (
            (o.region_code IS NULL OR agreements_region_touches(o.region_code, :scope_region_code))
            AND EXISTS (SELECT 1 FROM jsonb_array_elements(m.work_locations) AS location
                        WHERE agreements_region_touches(location->>'code', :scope_region_code))))
), page AS (
    SELECT ARRAY(
        SELECT matching.id FROM matching
        ORDER BY
            CASE WHEN :sort::text = 'due_on' THEN matching.due_on END ASC,
            CASE WHEN :sort::text = '-due_on' THEN matching.due_on END DESC,
            CASE WHEN :sort::text = 'organization_name' THEN lower(matching.organization_name) END ASC,
            CASE WHEN :sort::text = '-organization_name' THEN lower(matching.organization_name) END DESC,
            CASE WHEN :sort::text = 'updated_at' THEN matching.updated_at END ASC,
            CASE WHEN :sort::text = '-updated_at' THEN matching.updated_at END DESC,
            matching.due_on, matching.id
        LIMIT :limit OFFSET :offset
    ) AS ids
)
SELECT o.*, m.title AS msp_title, m.number AS msp_number, m.organization_id, m.organization_name,
       m.ministry_code, m.ministry_name, listed.position, counted.total,
       latest.id AS latest_submission_id, latest.status AS latest_submission_status,
       latest.submitted_at AS latest_submitted_at
FROM (SELECT count(*) AS total FROM matching) AS counted
CROSS JOIN page
CROSS JOIN LATERAL unnest(page.ids) WITH ORDINALITY AS listed(id, position)
JOIN obligations AS o ON o.id = listed.id
JOIN msps AS m ON m.id = o.msp_id
LEFT JOIN LATERAL (
    SELECT s.id, s.status, s.submitted_at FROM submissions AS s
    WHERE s.obligation_id = o.id ORDER BY s.attempt DESC LIMIT 1
) AS latest ON true
ORDER BY listed.position;

-- name: list_submissions
-- Submissions with their obligation and its MSP's parties (awaiting review: status `submitted`). Who reads the
-- obligation reads its submissions. :decidable keeps those the caller's office decides (true) or not (false):
-- a ministry (:decider_ministry_code) those of its MSPs but a region's work plans, a region's office
-- (:decider_region_code) the work plans of exactly its region (domain/access.check_decide_submission).
SELECT s.*, o.kind, o.period, o.region_code, o.due_on, o.msp_id, m.title AS msp_title, m.organization_id,
       m.organization_name, m.ministry_code, count(*) OVER () AS total
FROM submissions AS s
JOIN obligations AS o ON o.id = s.obligation_id
JOIN msps AS m ON m.id = o.msp_id
WHERE (cardinality(:statuses::text[]) = 0 OR s.status = ANY(:statuses::text[]))
  AND (cardinality(:kinds::text[]) = 0 OR o.kind = ANY(:kinds::text[]))
  AND (:organization_id::uuid IS NULL OR m.organization_id = :organization_id)
  AND (:ministry_code::text IS NULL OR m.ministry_code = :ministry_code)
  AND (:msp_id::uuid IS NULL OR o.msp_id = :msp_id)
  AND (:region_code::text IS NULL OR (
        (o.region_code IS NULL OR agreements_region_touches(o.region_code, :region_code))
        AND EXISTS (SELECT 1 FROM jsonb_array_elements(m.work_locations) AS location
                    WHERE agreements_region_touches(location->>'code', :region_code))))
  AND (:scope_organization_id::uuid IS NULL OR m.organization_id = :scope_organization_id)
  AND (:scope_ministry_code::text IS NULL OR m.ministry_code = :scope_ministry_code)
  AND (:scope_region_code::text IS NULL OR (
        (o.region_code IS NULL OR agreements_region_touches(o.region_code, :scope_region_code))
        AND EXISTS (SELECT 1 FROM jsonb_array_elements(m.work_locations) AS location
                    WHERE agreements_region_touches(location->>'code', :scope_region_code))))
  AND (:decidable::boolean IS NULL OR :decidable = coalesce(
        (:decider_ministry_code::text IS NOT NULL AND m.ministry_code = :decider_ministry_code
         AND NOT (o.kind = 'work_plan' AND o.region_code IS NOT NULL))
        OR (:decider_region_code::text IS NOT NULL AND o.kind = 'work_plan'
            AND o.region_code = :decider_region_code), false))
ORDER BY
    CASE WHEN :sort::text = 'submitted_at' THEN s.submitted_at END ASC,
    CASE WHEN :sort::text = '-submitted_at' THEN s.submitted_at END DESC,
    CASE WHEN :sort::text = 'due_on' THEN o.due_on END ASC,
    CASE WHEN :sort::text = '-due_on' THEN o.due_on END DESC,
    s.submitted_at, s.id
LIMIT :limit OFFSET :offset;

-- name: list_visits
-- Visits with their MSP's parties. For a region (the scope's or the filter's): those going to a region touching
-- it, whatever the MSP's places. The window keeps visits under way at some time in it (both days included).
SELECT v.*, m.title AS msp_title, m.organization_id, m.organization_name, m.ministry_code,
       count(*) OVER () AS total
FROM visits AS v
JOIN msps AS m ON m.id = v.msp_id
WHERE (cardinality(:statuses::text[]) = 0 OR v.status = ANY(:statuses::text[]))
  AND (:window_from::date IS NULL OR v.departs_on >= :window_from)
  AND (:window_to::date IS NULL OR v.arrives_on <= :window_to)
  AND (:organization_id::uuid IS NULL OR m.organization_id = :organization_id)
  AND (:ministry_code::text IS NULL OR m.ministry_code = :ministry_code)
  AND (:msp_id::uuid IS NULL OR v.msp_id = :msp_id)
  AND (:region_code::text IS NULL OR EXISTS (
        SELECT 1 FROM unnest(v.region_codes) AS visited (code)
        WHERE agreements_region_touches(visited.code, :region_code)))
  AND (:scope_organization_id::uuid IS NULL OR m.organization_id = :scope_organization_id)
  AND (:scope_ministry_code::text IS NULL OR m.ministry_code = :scope_ministry_code)
  AND (:scope_region_code::text IS NULL OR EXISTS (
        SELECT 1 FROM unnest(v.region_codes) AS visited (code)
        WHERE agreements_region_touches(visited.code, :scope_region_code)))
ORDER BY
    CASE WHEN :sort::text = 'arrives_on' THEN v.arrives_on END ASC,
    CASE WHEN :sort::text = '-arrives_on' THEN v.arrives_on END DESC,
    CASE WHEN :sort::text = 'announced_on' THEN v.announced_on END ASC,
    CASE WHEN :sort::text = '-announced_on' THEN v.announced_on END DESC,
    v.arrives_on, v.id
LIMIT :limit OFFSET :offset;

-- name: list_recommendations
-- Recommendation requests with their MSP's parties; never a region's (they name foreign experts).
SELECT r.*, m.title AS msp_title, m.organization_id, m.organization_name, m.ministry_code,
       count(*) OVER () AS total
FROM recommendations AS r
JOIN msps AS m ON m.id = r.msp_id
WHERE (cardinality(:statuses::text[]) = 0 OR r.status = ANY(:statuses::text[]))
  AND (cardinality(:kinds::text[]) = 0 OR r.kind = ANY(:kinds::text[]))
  AND (:organization_id::uuid IS NULL OR m.organization_id = :organization_id)
  AND (:ministry_code::text IS NULL OR m.ministry_code = :ministry_code)
  AND (:msp_id::uuid IS NULL OR r.msp_id = :msp_id)
  AND :scope_region_code::text IS NULL
  AND (:scope_organization_id::uuid IS NULL OR m.organization_id = :scope_organization_id)
  AND (:scope_ministry_code::text IS NULL OR m.ministry_code = :scope_ministry_code)
ORDER BY
    CASE WHEN :sort::text = 'requested_at' THEN r.requested_at END ASC,
    CASE WHEN :sort::text = '-requested_at' THEN r.requested_at END DESC,
    r.requested_at, r.id
LIMIT :limit OFFSET :offset;

-- name: list_mitigation_actions
-- Mitigation actions with their MSP's parties. For a region (the scope's or the filter's): those of an MSP working
-- in it, MSP-wide or of a region touching it (as for obligations).
SELECT a.*, m.title AS msp_title, m.organization_id, m.organization_name, m.ministry_code,
       count(*) OVER () AS total
FROM mitigation_actions AS a
JOIN msps AS m ON m.id = a.msp_id
WHERE (cardinality(:statuses::text[]) = 0 OR a.status = ANY(:statuses::text[]))
  AND (cardinality(:owners::text[]) = 0 OR a.owner = ANY(:owners::text[]))
  AND (:due_before::date IS NULL OR a.due_on < :due_before)
  AND (:due_after::date IS NULL OR a.due_on > :due_after)
  AND (:organization_id::uuid IS NULL OR m.organization_id = :organization_id)
  AND (:ministry_code::text IS NULL OR m.ministry_code = :ministry_code)
  AND (:msp_id::uuid IS NULL OR a.msp_id = :msp_id)
  AND (:region_code::text IS NULL OR (
        (a.region_code IS NULL OR agreements_region_touches(a.region_code, :region_code))
        AND EXISTS (SELECT 1 FROM jsonb_array_elements(m.work_locations) AS location
                    WHERE agreements_region_touches(location->>'code', :region_code))))
  AND (:scope_organization_id::uuid IS NULL OR m.organization_id = :scope_organization_id)
  AND (:scope_ministry_code::text IS NULL OR m.ministry_code = :scope_ministry_code)
  AND (:scope_region_code::text IS NULL OR (
        (a.region_code IS NULL OR agreements_region_touches(a.region_code, :scope_region_code))
        AND EXISTS (SELECT 1 FROM jsonb_array_elements(m.work_locations) AS location
                    WHERE agreements_region_touches(location->>'code', :scope_region_code))))
ORDER BY
    CASE WHEN :sort::text = 'due_on' THEN a.due_on END ASC,
    CASE WHEN :sort::text = '-due_on' THEN a.due_on END DESC,
    CASE WHEN :sort::text = 'opened_at' THEN a.opened_at END ASC,
    CASE WHEN :sort::text = '-opened_at' THEN a.opened_at END DESC,
    a.due_on, a.id
LIMIT :limit OFFSET :offset;
