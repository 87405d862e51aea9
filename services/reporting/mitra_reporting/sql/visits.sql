-- Visits of foreign guests to MSPs' regions; visits by region and month.
-- Filters: :ministry code, :region code (a province's code also covers its regencies), :period_from, :period_to
-- (each NULL for no filter), :focus_area (one of the visited MSP's focus areas; NULL for any). Visits count in
-- the month they arrive, past or announced ahead: no "as of" day.
-- The caller's reach (each NULL: no limit): :scope_ministry, :scope_organization, and :scope_region: the regions
-- visited within its area.

-- name: project_visit
-- A visit announced or changed.
INSERT INTO visits (visit_id, msp_id, organization_id, ministry_code, arrives_on, departs_on, region_codes,
                    province_codes, late, status)
VALUES (:visit_id, :msp_id, :organization_id, :ministry_code, :arrives_on, :departs_on, :region_codes,
        :province_codes, :late, 'announced')
ON CONFLICT (visit_id) DO UPDATE
SET arrives_on = EXCLUDED.arrives_on, departs_on = EXCLUDED.departs_on, region_codes = EXCLUDED.region_codes,
    province_codes = EXCLUDED.province_codes;

-- name: project_visit_cancelled
-- A visit called off.
UPDATE visits SET status = 'cancelled' WHERE visit_id = :visit_id;

-- name: visits_by_region_and_month
-- Announced visits (and those announced late) per region visited and month of arrival.
SELECT region AS region_code, to_char(v.arrives_on, 'YYYY-MM') AS month, count(*) AS visits,
       count(*) FILTER (WHERE v.late) AS announced_late
FROM visits v, unnest(v.region_codes) AS region
WHERE v.status = 'announced'
  AND (:ministry::text IS NULL OR v.ministry_code = :ministry)
  AND (:region::text IS NULL OR region LIKE :region || '%')
  AND (:period_from::date IS NULL OR v.arrives_on >= :period_from)
  AND (:period_to::date IS NULL OR v.arrives_on <= :period_to)
  AND (:focus_area::text IS NULL OR EXISTS (
        SELECT 1 FROM msps m WHERE m.msp_id = v.msp_id AND :focus_area = ANY(m.focus_areas)))
  AND (:scope_ministry::text IS NULL OR v.ministry_code = :scope_ministry)
  AND (:scope_organization::uuid IS NULL OR v.organization_id = :scope_organization)
  AND (:scope_region::text IS NULL OR region LIKE :scope_region || '%' OR :scope_region LIKE region || '%')
GROUP BY 1, 2
ORDER BY 2, 1;

-- name: visit_totals
-- Announced visits in all, and those announced late.
SELECT count(*) AS visits, count(*) FILTER (WHERE late) AS announced_late
FROM visits
WHERE status = 'announced'
  AND (:ministry::text IS NULL OR ministry_code = :ministry)
  AND (:region::text IS NULL OR EXISTS (SELECT 1 FROM unnest(region_codes) AS region WHERE region LIKE :region || '%'))
  AND (:period_from::date IS NULL OR arrives_on >= :period_from)
  AND (:period_to::date IS NULL OR arrives_on <= :period_to)
  AND (:focus_area::text IS NULL OR EXISTS (
        SELECT 1 FROM msps m WHERE m.msp_id = visits.msp_id AND :focus_area = ANY(m.focus_areas)))
  AND (:scope_ministry::text IS NULL OR ministry_code = :scope_ministry)
  AND (:scope_organization::uuid IS NULL OR organization_id = :scope_organization)
  AND (:scope_region::text IS NULL OR EXISTS (
        SELECT 1 FROM unnest(region_codes) AS region
        WHERE region LIKE :scope_region || '%' OR :scope_region LIKE region || '%'));
