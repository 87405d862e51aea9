-- Reporting's documents beyond the shared `documents` table: the public documents of the IATI export (a
-- projection of agreements' events) and the annual summaries made as stored PDFs.

-- name: project_public_document
-- A document marked public at :published_at: its facts replace what was known, unless a later change (a later
-- publication, or its withdrawal) was applied already. Its id if it changed.
INSERT INTO public_documents (document_id, msp_id, owner_type, owner_id, organization_id, obligation_kind, year,
                              category, filename, content_type, size, sha256, public_url, published_at, public,
                              changed_at)
VALUES (:document_id, :msp_id, :owner_type, :owner_id, :organization_id, :obligation_kind, :year, :category,
        :filename, :content_type, :size, :sha256, :public_url, :published_at, true, :published_at)
ON CONFLICT (document_id) DO UPDATE SET
    msp_id = EXCLUDED.msp_id, owner_type = EXCLUDED.owner_type, owner_id = EXCLUDED.owner_id,
    organization_id = EXCLUDED.organization_id, obligation_kind = EXCLUDED.obligation_kind, year = EXCLUDED.year,
    category = EXCLUDED.category, filename = EXCLUDED.filename, content_type = EXCLUDED.content_type,
    size = EXCLUDED.size, sha256 = EXCLUDED.sha256, public_url = EXCLUDED.public_url,
    published_at = EXCLUDED.published_at, public = true, changed_at = EXCLUDED.changed_at
WHERE public_documents.changed_at < EXCLUDED.changed_at
RETURNING document_id;

-- name: withdraw_public_document
-- A document made private (or published under facts the export does not link) at :changed_at: a tombstone, unless
-- a later change was applied already. Whether it was linked until then (no row: nothing changed).
WITH before AS (SELECT public FROM public_documents WHERE document_id = :document_id)
INSERT INTO public_documents AS p (document_id, msp_id, public, changed_at)
VALUES (:document_id, :msp_id, false, :changed_at)
ON CONFLICT (document_id) DO UPDATE SET msp_id = EXCLUDED.msp_id, public = false, changed_at = EXCLUDED.changed_at
WHERE p.changed_at < EXCLUDED.changed_at
RETURNING coalesce((SELECT public FROM before), false) AS was_linked;

-- name: insert_annual_summary
-- An annual summary made as a stored PDF: the ministry's year, and the reach it was counted within.
INSERT INTO annual_summaries (id, year, ministry_code, as_of, scope_ministry, scope_region, scope_organization,
                              generated_by, generated_at)
VALUES (:id, :year, :ministry_code, :as_of, :scope_ministry, :scope_region, :scope_organization, :generated_by,
        :generated_at);

-- name: get_annual_summary
-- One stored annual summary's facts (whose reach it was counted within decides who reads it).
SELECT id, year, ministry_code, as_of, scope_ministry, scope_region, scope_organization, generated_by, generated_at
FROM annual_summaries WHERE id = :id;

-- name: touch_msp
-- The documents an MSP's IATI activity links changed: it was updated then (never moved back in time).
UPDATE msps SET updated_at = greatest(updated_at, :updated_at) WHERE msp_id = :msp_id;
