-- Good practices and success stories: drafted, revised, published.

-- name: insert_story
-- A new draft, at version 1.
INSERT INTO stories (id, title, body, organization_id, msp_id, region_code, story_date, media, created_by)
VALUES (:id, :title, :body, :organization_id, :msp_id, :region_code, :story_date, :media, :created_by)
RETURNING *;

-- name: get_story
-- One story.
SELECT * FROM stories WHERE id = :id;

-- name: get_story_for_update
-- One story, locked until the change that read it commits.
SELECT * FROM stories WHERE id = :id FOR UPDATE;

-- name: update_story
-- A draft's new content, one version up.
UPDATE stories
SET title = :title, body = :body, organization_id = :organization_id, msp_id = :msp_id, region_code = :region_code,
    story_date = :story_date, media = :media, version = version + 1
WHERE id = :id
RETURNING *;

-- name: publish_story
-- A story published, one version up.
UPDATE stories SET status = 'published', published_at = :published_at, version = version + 1 WHERE id = :id
RETURNING *;

-- name: list_stories
-- A page of stories by status, NGO, and region (a province's code also covers its regencies), newest first.
SELECT *, count(*) OVER () AS total FROM stories
WHERE (:status::text IS NULL OR status = :status)
  AND (:organization_id::uuid IS NULL OR organization_id = :organization_id)
  AND (:region_code::text IS NULL OR region_code = :region_code OR region_code LIKE :region_code || '%')
ORDER BY story_date DESC, id
LIMIT :limit OFFSET :offset;
