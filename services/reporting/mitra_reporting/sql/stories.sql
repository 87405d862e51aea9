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

-- name: bump_story_version
-- A photo attached to a draft: the story one version up (a change based on the story as read before is refused).
UPDATE stories SET version = version + 1 WHERE id = :id
RETURNING version;

-- name: publish_story
-- A story published, one version up.
UPDATE stories SET status = 'published', published_at = :published_at, version = version + 1 WHERE id = :id
RETURNING *;

-- name: list_stories
-- A page of stories by status, NGO, and region (a province's code also covers its regencies), newest first.
-- Published stories are everyone's; drafts only within the caller's reach (:everything, or the NGO it names
-- :scope_organization, the ministry of its MSP :scope_ministry, the area covering its region :scope_region).
SELECT s.*, count(*) OVER () AS total FROM stories s
WHERE (:status::text IS NULL OR s.status = :status)
  AND (:organization_id::uuid IS NULL OR s.organization_id = :organization_id)
  AND (:region_code::text IS NULL OR s.region_code = :region_code OR s.region_code LIKE :region_code || '%')
  AND (s.status = 'published' OR :everything::boolean
       OR s.organization_id = :scope_organization::uuid
       OR s.region_code LIKE :scope_region::text || '%'
       OR EXISTS (SELECT 1 FROM msps m WHERE m.msp_id = s.msp_id AND m.ministry_code = :scope_ministry::text))
ORDER BY s.story_date DESC, s.id
LIMIT :limit OFFSET :offset;

-- name: msp_parties
-- The NGO and the ministry of the MSP a story names, as reporting knows them.
SELECT organization_id, ministry_code FROM msps WHERE msp_id = :msp_id;
