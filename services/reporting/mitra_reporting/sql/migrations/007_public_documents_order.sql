-- Issue 13, documents. `public_documents` applies agreements.document.published and .unpublished in the order they
-- happened, whatever order they arrive in: a document made private is kept as a tombstone (`public` false) with the
-- time of its last change (`changed_at`), and an event older than that changes nothing. A tombstone knows only the
-- document and its MSP (what .unpublished says): the other facts are required of public rows only.
ALTER TABLE public_documents
    ADD COLUMN public boolean NOT NULL DEFAULT true,
    ADD COLUMN changed_at timestamptz;
UPDATE public_documents SET changed_at = published_at;
ALTER TABLE public_documents
    ALTER COLUMN changed_at SET NOT NULL,
    ALTER COLUMN owner_type DROP NOT NULL,
    ALTER COLUMN owner_id DROP NOT NULL,
    ALTER COLUMN organization_id DROP NOT NULL,
    ALTER COLUMN category DROP NOT NULL,
    ALTER COLUMN filename DROP NOT NULL,
    ALTER COLUMN content_type DROP NOT NULL,
    ALTER COLUMN size DROP NOT NULL,
    ALTER COLUMN sha256 DROP NOT NULL,
    ALTER COLUMN public_url DROP NOT NULL,
    ALTER COLUMN published_at DROP NOT NULL,
    ADD CONSTRAINT public_documents_public_facts CHECK (
        NOT public OR (owner_type IS NOT NULL AND owner_id IS NOT NULL AND organization_id IS NOT NULL
                       AND category IS NOT NULL AND filename IS NOT NULL AND content_type IS NOT NULL
                       AND size IS NOT NULL AND sha256 IS NOT NULL AND public_url IS NOT NULL
                       AND published_at IS NOT NULL));
COMMENT ON COLUMN public_documents.public IS 'false: a tombstone, the document made private (not linked)';
COMMENT ON COLUMN public_documents.changed_at IS 'when the applied event made it public or private';
DROP INDEX public_documents_msp;
CREATE INDEX public_documents_msp ON public_documents (msp_id, published_at) WHERE public;
