-- Funding lines of reports, and the sums of those that count (domain/funding.py says which).
-- Counted lines (the `counted` CTE of each query): those of an accepted submission, accepted by :as_of, whose
-- report period (`funding_report_periods`: its days from its label) overlaps :period_from..:period_to (each NULL for
-- no limit); a semester report's lines give way to those of an accepted annual report (with lines, accepted by
-- :as_of) of the same MSP whose period holds the semester's.
-- Filters as on the other dashboards: :ministry, :region (a province's code covers its regencies), :focus_area, and
-- the caller's reach (:scope_ministry, :scope_organization, :scope_region), each NULL for no limit.

-- name: project_report_submitted
-- A report's submission (its decision may have arrived first and made the row).
INSERT INTO funding_reports (submission_id, obligation_id, msp_id, report_kind, period, period_origin,
                             period_offset_months, period_months, submitted_at)
VALUES (:submission_id, :obligation_id, :msp_id, :report_kind, :period, :period_origin, :period_offset_months,
        :period_months, :submitted_at)
ON CONFLICT (submission_id) DO UPDATE SET submitted_at = EXCLUDED.submitted_at;

-- name: clear_funding_lines
-- Forgets a submission's lines before they are written again (an event delivered twice).
DELETE FROM funding_lines WHERE submission_id = :submission_id;

-- name: project_funding_lines
-- A submission's funding lines, numbered in their order, from parallel arrays.
INSERT INTO funding_lines (submission_id, line_no, source, source_key, amount, currency, use)
SELECT :submission_id, l.line_no, l.source, l.source_key, l.amount, l.currency, l.use
FROM unnest(:sources::text[], :source_keys::text[], :amounts::numeric[], :currencies::text[], :uses::text[])
     WITH ORDINALITY AS l(source, source_key, amount, currency, use, line_no);

-- name: project_report_decision
-- A submission accepted or returned (its submission may not have arrived yet: the row is made from the decision).
INSERT INTO funding_reports (submission_id, obligation_id, msp_id, report_kind, period, period_origin,
                             period_offset_months, period_months, decision, decided_at, accepted_on)
VALUES (:submission_id, :obligation_id, :msp_id, :report_kind, :period, :period_origin, :period_offset_months,
        :period_months, :decision, :decided_at,
        CASE WHEN :decision = 'accepted' THEN (:decided_at::timestamptz AT TIME ZONE 'Asia/Jakarta')::date END)
ON CONFLICT (submission_id) DO UPDATE
SET decision = EXCLUDED.decision, decided_at = EXCLUDED.decided_at, accepted_on = EXCLUDED.accepted_on;

-- name: funding_by
-- Exact sums (the domain rounds them) per group (:grouping: province, regency, year, focus_area, ministry or source)
-- and currency, and each currency's total (`is_total`). A line is split evenly over its MSP's provinces of work, then
-- each province's part evenly over the regions listed in it (a province-wide entry keeps its part under the
-- province); each region's share is kept or left by the region filters. With :focus_area, or grouped by focus area, a
-- share is split evenly over its MSP's focus areas and only the chosen area's part kept, so that every grouping gives
-- the same total.
WITH counted AS (
    SELECT l.submission_id, l.line_no, l.source, l.source_key, l.amount, l.currency, f.msp_id, f.year
    FROM funding_lines l JOIN funding_report_periods f ON f.submission_id = l.submission_id
    WHERE f.decision = 'accepted' AND f.accepted_on <= :as_of
      AND (:period_from::date IS NULL OR f.period_end >= :period_from)
      AND (:period_to::date IS NULL OR f.period_start <= :period_to)
      AND NOT (f.report_kind = 'semester_report' AND EXISTS (
            SELECT 1 FROM funding_report_periods a JOIN funding_lines x ON x.submission_id = a.submission_id
            WHERE a.msp_id = f.msp_id AND a.report_kind = 'annual_report' AND a.decision = 'accepted'
              AND a.accepted_on <= :as_of AND a.period_start <= f.period_start AND f.period_end <= a.period_end))
),
regions AS (
    SELECT r.msp_id, r.region_code, r.region_name, r.province_code,
           1.0 / (dense_rank() OVER (PARTITION BY r.msp_id ORDER BY r.province_code)
                  + dense_rank() OVER (PARTITION BY r.msp_id ORDER BY r.province_code DESC) - 1)
               / count(*) OVER (PARTITION BY r.msp_id, r.province_code) AS part
    FROM msp_regions r WHERE r.msp_id IN (SELECT msp_id FROM counted)
),
shares AS (
    SELECT c.*, m.ministry_code, m.ministry_name, m.organization_id, m.focus_areas, r.region_code, r.region_name,
           r.province_code, c.amount * coalesce(r.part, 1) AS share,
           row_number() OVER (PARTITION BY c.submission_id, c.line_no) = 1 AS first_share
    FROM counted c JOIN msps m ON m.msp_id = c.msp_id
    LEFT JOIN regions r ON r.msp_id = c.msp_id
),
province_names AS (
    SELECT region_code, min(region_name) AS region_name FROM msp_regions
    WHERE region_code IN (SELECT province_code FROM shares) AND region_code = province_code
    GROUP BY region_code
),
keyed AS (
    SELECT CASE :grouping::text
               WHEN 'province' THEN s.province_code
               WHEN 'regency' THEN s.region_code
               WHEN 'year' THEN s.year::text
               WHEN 'focus_area' THEN a.area
               WHEN 'ministry' THEN s.ministry_code
               ELSE s.source_key END AS key,
           CASE :grouping::text
               WHEN 'province' THEN p.region_name
               WHEN 'regency' THEN CASE WHEN s.region_code = s.province_code
                                        THEN s.region_name || ' (seluruh provinsi / province-wide)'
                                        ELSE s.region_name END
               WHEN 'ministry' THEN s.ministry_name
               WHEN 'source' THEN s.source
               ELSE NULL END AS label,
           s.currency, s.submission_id, s.msp_id, s.first_share,
           CASE WHEN :grouping::text = 'focus_area' OR :focus_area::text IS NOT NULL
                THEN s.share / greatest(cardinality(s.focus_areas), 1)
                ELSE s.share END AS share
    FROM shares s
    LEFT JOIN province_names p ON p.region_code = s.province_code
    LEFT JOIN LATERAL unnest(CASE WHEN :grouping::text = 'focus_area' THEN s.focus_areas END) AS a(area) ON true
    WHERE (:ministry::text IS NULL OR s.ministry_code = :ministry)
      AND (:region::text IS NULL OR s.region_code LIKE :region || '%')
      AND (:focus_area::text IS NULL OR :focus_area = ANY(s.focus_areas))
      AND (:focus_area::text IS NULL OR :grouping::text <> 'focus_area' OR a.area = :focus_area)
      AND (:scope_ministry::text IS NULL OR s.ministry_code = :scope_ministry)
      AND (:scope_organization::uuid IS NULL OR s.organization_id = :scope_organization)
      AND (:scope_region::text IS NULL
           OR s.region_code LIKE :scope_region || '%' OR :scope_region LIKE s.region_code || '%')
)
-- A label as written most often among the lines (each line once, whatever its regions), else any.
SELECT key, coalesce(mode() WITHIN GROUP (ORDER BY label) FILTER (WHERE first_share), min(label)) AS label,
       currency, sum(share) AS amount,
       count(DISTINCT submission_id) AS reports, count(DISTINCT msp_id) AS msps,
       grouping(key) = 1 AS is_total
FROM keyed
GROUP BY GROUPING SETS ((key, currency), (currency))
ORDER BY is_total, amount DESC, key, currency;

-- name: funding_of_msps
-- Per MSP of :msp_ids and currency: the whole of its counted lines (not split: each MSP's own money).
WITH counted AS (
    SELECT l.amount, l.currency, f.msp_id
    FROM funding_lines l JOIN funding_report_periods f ON f.submission_id = l.submission_id
    WHERE f.decision = 'accepted' AND f.accepted_on <= :as_of AND f.msp_id = ANY(:msp_ids::uuid[])
      AND (:period_from::date IS NULL OR f.period_end >= :period_from)
      AND (:period_to::date IS NULL OR f.period_start <= :period_to)
      AND NOT (f.report_kind = 'semester_report' AND EXISTS (
            SELECT 1 FROM funding_report_periods a JOIN funding_lines x ON x.submission_id = a.submission_id
            WHERE a.msp_id = f.msp_id AND a.report_kind = 'annual_report' AND a.decision = 'accepted'
              AND a.accepted_on <= :as_of AND a.period_start <= f.period_start AND f.period_end <= a.period_end))
)
SELECT msp_id, currency, sum(amount) AS amount FROM counted GROUP BY msp_id, currency ORDER BY msp_id, currency;

-- name: funding_transactions
-- The counted lines of the MSPs :msp_ids, one by one, for the IATI export: with the report's period and the day it
-- was accepted.
SELECT f.msp_id, f.submission_id, l.line_no, l.source, l.amount, l.currency, l.use, f.period, f.year,
       f.period_start, f.period_end, f.accepted_on, f.decided_at
FROM funding_lines l JOIN funding_report_periods f ON f.submission_id = l.submission_id
WHERE f.decision = 'accepted' AND f.accepted_on <= :as_of AND f.msp_id = ANY(:msp_ids::uuid[])
  AND NOT (f.report_kind = 'semester_report' AND EXISTS (
        SELECT 1 FROM funding_report_periods a JOIN funding_lines x ON x.submission_id = a.submission_id
        WHERE a.msp_id = f.msp_id AND a.report_kind = 'annual_report' AND a.decision = 'accepted'
          AND a.accepted_on <= :as_of AND a.period_start <= f.period_start AND f.period_end <= a.period_end))
ORDER BY f.msp_id, f.period_end, f.accepted_on, f.submission_id, l.line_no;
