-- name: get_review
-- The review of an NGO's application, if one was opened.
SELECT * FROM application_reviews WHERE organization_id = :organization_id;

-- name: review_answers
-- The members' answers to an NGO's application review, in the order they came.
SELECT member_code, verdict, note, answered_by, answered_at
FROM application_review_answers
WHERE organization_id = :organization_id
ORDER BY answered_at, member_code;

-- name: insert_answer
-- One member's answer; no row when that member already answered.
INSERT INTO application_review_answers (organization_id, member_code, verdict, note, answered_by, answered_at)
VALUES (:organization_id, :member_code, :verdict, :note, :answered_by, :now)
ON CONFLICT DO NOTHING
RETURNING member_code, verdict, note, answered_by, answered_at;

-- name: list_open_reviews
-- Open application reviews (the NGO still an applicant), soonest answer_by first, with the members awaited and
-- those that objected. :member_code (NULL: every review) keeps the reviews that asked that member; :awaiting (NULL:
-- both) keeps those where that member (without one: some member) has not answered (true) or has (false).
-- One row per item of the page, each with the total; a single row of NULLs but the total when the page is empty.
-- The filter asks only whether answers exist; the page is a bounded sort of the matches' keys (the array keeps its
-- order), and the awaited and objecting members are gathered for the page alone.
WITH matching AS (
    SELECT r.organization_id, r.answer_by, r.requested_at
    FROM application_reviews r
    JOIN organizations o ON o.id = r.organization_id
    WHERE o.status = 'applicant'
      AND (:member_code::text IS NULL OR :member_code = ANY (r.members))
      AND (:awaiting::boolean IS NULL OR :awaiting = CASE
            WHEN :member_code::text IS NULL THEN EXISTS (
                SELECT 1 FROM unnest(r.members) AS m (code)
                WHERE NOT EXISTS (
                    SELECT 1 FROM application_review_answers a
                    WHERE a.organization_id = r.organization_id AND a.member_code = m.code
                )
            )
            ELSE NOT EXISTS (
                SELECT 1 FROM application_review_answers a
                WHERE a.organization_id = r.organization_id AND a.member_code = :member_code
            )
          END)
)
SELECT page.*, counted.total
FROM (SELECT count(*) AS total FROM matching) AS counted
LEFT JOIN LATERAL (
    SELECT r.organization_id, o.legal_name AS organization_name, o.country_of_origin, r.members, r.answer_by,
           r.requested_at,
           ARRAY(
               SELECT m.code FROM unnest(r.members) WITH ORDINALITY AS m (code, n)
               WHERE NOT EXISTS (
                   SELECT 1 FROM application_review_answers a
                   WHERE a.organization_id = r.organization_id AND a.member_code = m.code
               )
               ORDER BY m.n
           ) AS awaiting,
           ARRAY(
               SELECT a.member_code FROM application_review_answers a
               WHERE a.organization_id = r.organization_id AND a.verdict = 'objected'
               ORDER BY a.answered_at, a.member_code
           ) AS objected,
           chosen.position
    FROM unnest(ARRAY(
        SELECT m.organization_id FROM matching m
        ORDER BY m.answer_by, m.requested_at, m.organization_id
        LIMIT :limit OFFSET :offset
    )) WITH ORDINALITY AS chosen (organization_id, position)
    JOIN application_reviews r ON r.organization_id = chosen.organization_id
    JOIN organizations o ON o.id = r.organization_id
) AS page ON true
ORDER BY page.position;
