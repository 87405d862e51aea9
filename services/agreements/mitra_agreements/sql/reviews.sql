-- TPOA's review as a team of an MSP or of an extension of one, and the extension waiting for TPOA
-- (usecases/reviews.py).

-- name: insert_review
-- A review opened for the members asked; at most one open per MSP (msp_reviews_one_open).
INSERT INTO msp_reviews (id, msp_id, subject, members, answer_by, status, opened_by, opened_at)
VALUES (:id, :msp_id, :subject, :members, :answer_by, 'open', :opened_by, :now)
RETURNING *;

-- name: latest_review
-- The MSP's latest review: the open one, else the last opened (of two opened at once, the last closed).
SELECT * FROM msp_reviews WHERE msp_id = :msp_id
ORDER BY status = 'open' DESC, opened_at DESC, closed_at DESC NULLS FIRST, id
LIMIT 1;

-- name: open_review_for_update
-- The MSP's open review, locked for an answer or a decision.
SELECT * FROM msp_reviews WHERE msp_id = :msp_id AND status = 'open' FOR UPDATE;

-- name: answers_of
-- A review's answers, first to last.
SELECT * FROM msp_review_answers WHERE review_id = :review_id ORDER BY answered_at, member_code;

-- name: insert_answer
-- A member's answer (once: the primary key refuses a second).
INSERT INTO msp_review_answers (review_id, member_code, verdict, note, answered_by, answered_at)
VALUES (:review_id, :member_code, :verdict, :note, :answered_by, :now)
RETURNING *;

-- name: close_review
-- TPOA decided (or the MSP left review): the open review of the MSP is closed.
UPDATE msp_reviews SET status = 'closed', closed_at = :now WHERE msp_id = :msp_id AND status = 'open' RETURNING *;

-- name: asked_member
-- Whether a review of the MSP asked this member ministry (it then reads the MSP).
SELECT EXISTS (SELECT 1 FROM msp_reviews WHERE msp_id = :msp_id AND :member_code = ANY(members));

-- name: set_pending_extension
-- The extension the Mitra Utama asked for, waiting for TPOA (NULL: none waiting).
UPDATE msps SET pending_extension = :pending_extension, version = version + 1, updated_at = :now
WHERE id = :msp_id
RETURNING *;

-- name: reject_extension
-- TPOA refused the extension: nothing waits any more, the decision's note is kept.
UPDATE msps SET pending_extension = NULL, decision_note = coalesce(:note, decision_note), version = version + 1,
                updated_at = :now
WHERE id = :msp_id
RETURNING *;

-- name: list_open_reviews
-- The queue of open reviews (GET /reviews), by answer_by, with their MSP and who is awaited and who objected. For a
-- member ministry (:member_code) only the reviews that asked it, kept by whether its own answer is awaited
-- (:awaiting); for the others by whether some member is still awaited.
WITH open_reviews AS (
    SELECT r.id AS review_id, r.msp_id, r.subject, r.members, r.answer_by, r.opened_at AS requested_at,
           m.title, m.organization_id, m.organization_name, m.ministry_code,
           (m.pending_extension->>'proposed_ends_on')::date AS proposed_ends_on,
           ARRAY(SELECT asked.code FROM unnest(r.members) WITH ORDINALITY AS asked (code, n)
                 WHERE NOT EXISTS (SELECT 1 FROM msp_review_answers AS a
                                   WHERE a.review_id = r.id AND a.member_code = asked.code)
                 ORDER BY asked.n) AS awaiting,
           ARRAY(SELECT a.member_code FROM msp_review_answers AS a
                 WHERE a.review_id = r.id AND a.verdict = 'objected'
                 ORDER BY a.answered_at, a.member_code) AS objected
    FROM msp_reviews AS r
    JOIN msps AS m ON m.id = r.msp_id
    WHERE r.status = 'open' AND (:member_code::text IS NULL OR :member_code = ANY(r.members))
)
SELECT *, count(*) OVER () AS total
FROM open_reviews
WHERE :awaiting::boolean = CASE WHEN :member_code::text IS NULL THEN cardinality(awaiting) > 0
                                ELSE :member_code = ANY(awaiting) END
ORDER BY answer_by, requested_at, review_id
LIMIT :limit OFFSET :offset;
