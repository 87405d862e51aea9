-- Issue 15, funding. Derived from the event log like every projection: a rebuild empties and replays these.
-- `funding_reports`: each submission of a semester or annual report (agreements.report.submitted, .accepted,
-- .returned), keyed by its submission id. The submission and its decision may arrive in either order: whichever comes
-- first makes the row with what it knows, the other completes it.
-- Its period is kept as its label says it (`domain/funding.py` `parse_period`): `period_months` long, starting
-- `period_offset_months` after `period_origin` (1 January of a year for `2027`/`2027-S2`), or after the MSP's
-- `starts_on` when `period_origin` is NULL (MSP-basis labels `S3`, `Y2`); all three NULL for a label not understood.
CREATE TABLE funding_reports (
    submission_id        uuid PRIMARY KEY,
    obligation_id        uuid NOT NULL,
    msp_id               uuid NOT NULL,
    report_kind          text NOT NULL,
    period               text NOT NULL,
    period_origin        date,
    period_offset_months integer,
    period_months        integer,
    submitted_at         timestamptz,
    decision             text CHECK (decision IN ('accepted', 'returned')),
    decided_at           timestamptz,
    accepted_on          date
);
COMMENT ON COLUMN funding_reports.submitted_at IS 'NULL while only the decision has arrived';
COMMENT ON COLUMN funding_reports.accepted_on IS 'the day (Asia/Jakarta) it was accepted: counted from then';
CREATE INDEX funding_reports_msp ON funding_reports (msp_id);

-- `funding_lines`: the funding lines of a submission as written ({source, amount, currency, use}), in their order,
-- with the source normalised for grouping (`source_key`: case, spacing and punctuation folded).
CREATE TABLE funding_lines (
    submission_id uuid NOT NULL,
    line_no       integer NOT NULL,
    source        text NOT NULL,
    source_key    text NOT NULL,
    amount        numeric(20, 2) NOT NULL CHECK (amount >= 0),
    currency      text NOT NULL,
    use           text NOT NULL,
    PRIMARY KEY (submission_id, line_no)
);

-- Each report with its period's first and last day (as agreements counts them: from the origin, a 31st becoming the
-- month's last day) and its year, the year of the period's first day. Reports whose days are not known (a label not
-- understood, or an MSP-basis label whose MSP has not arrived yet) are not in it.
CREATE VIEW funding_report_periods AS
SELECT f.submission_id, f.obligation_id, f.msp_id, f.report_kind, f.period, f.decision, f.decided_at, f.accepted_on,
       d.period_start, d.period_end, extract(year FROM d.period_start)::integer AS year
FROM funding_reports f
LEFT JOIN msps m ON m.msp_id = f.msp_id
CROSS JOIN LATERAL (
    SELECT (o.origin + make_interval(months => f.period_offset_months))::date AS period_start,
           (o.origin + make_interval(months => f.period_offset_months + f.period_months))::date - 1 AS period_end
    FROM (SELECT coalesce(f.period_origin, m.starts_on) AS origin) o
) d
WHERE d.period_start IS NOT NULL;
