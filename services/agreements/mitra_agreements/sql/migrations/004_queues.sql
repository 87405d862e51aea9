-- The queues across MSPs (GET /obligations, /submissions, /visits, /recommendations): what they filter and sort on,
-- and the one rule of places they share with the scope rules (domain/access.py).

-- Whether two region codes touch: the same code, or one a province (two digits) and the other in it.
CREATE FUNCTION agreements_region_touches(a text, b text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT a = b OR (length(a) = 2 AND left(b, 2) = a) OR (length(b) = 2 AND left(a, 2) = b) $$;

CREATE INDEX msps_ministry ON msps (ministry_code);
CREATE INDEX obligations_status_due ON obligations (status, due_on);
CREATE INDEX obligations_due ON obligations (due_on, id);
CREATE INDEX submissions_status ON submissions (status, submitted_at);
CREATE INDEX visits_arrives ON visits (arrives_on, id);
CREATE INDEX recommendations_status ON recommendations (status, requested_at);
