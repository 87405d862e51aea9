-- Issue 13, documents. `public_documents`: the documents an office marked public in agreements (the signed MSP
-- and its amendments; the documents of an annual report), projected from agreements.document.published and
-- .unpublished for the IATI export's document links. Derived from the event log: a rebuild empties and replays it.
CREATE TABLE public_documents (
    document_id     uuid PRIMARY KEY,
    msp_id          uuid NOT NULL,
    owner_type      text NOT NULL,
    owner_id        uuid NOT NULL,
    organization_id uuid NOT NULL,
    obligation_kind text,
    year            integer,
    category        text NOT NULL,
    filename        text NOT NULL,
    content_type    text NOT NULL,
    size            bigint NOT NULL,
    sha256          text NOT NULL,
    public_url      text NOT NULL,
    published_at    timestamptz NOT NULL
);
COMMENT ON COLUMN public_documents.category IS 'IATI DocumentCategory: A09 (the MSP), B01 (an annual report)';
CREATE INDEX public_documents_msp ON public_documents (msp_id, published_at);

-- The annual summaries made as stored PDFs (POST /annual-summary/{year}/pdf): which ministry's year, counted within
-- whose reach (all NULL: everything), made by whom. Its file is the `documents` row owned by it (owner_type
-- 'annual_summary'). Reporting's own record, not a projection: a rebuild leaves it.
CREATE TABLE annual_summaries (
    id                 uuid PRIMARY KEY,
    year               integer NOT NULL,
    ministry_code      text NOT NULL,
    as_of              date NOT NULL,
    scope_ministry     text,
    scope_region       text,
    scope_organization uuid,
    generated_by       text NOT NULL,
    generated_at       timestamptz NOT NULL
);
CREATE INDEX annual_summaries_year ON annual_summaries (ministry_code, year);
