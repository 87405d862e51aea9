-- Issue 15, after review. Derived from the event log like every projection: a rebuild replays these.
-- `organizations.ever_registered`: the NGO entered the register once (a status registered, active, suspended or
-- revoked seen in its events); the open register and the public IATI file show only those, so that an applicant
-- withdrawn or refused (closed without ever being registered) is never published.
ALTER TABLE organizations ADD COLUMN ever_registered boolean NOT NULL DEFAULT false;
UPDATE organizations o SET ever_registered = true
WHERE o.status IN ('registered', 'active', 'suspended', 'revoked')
   OR EXISTS (SELECT 1 FROM event_log e
              WHERE e.event_type LIKE 'registry.organization.%'
                AND e.data ->> 'organization_id' = o.organization_id::text
                AND e.data ->> 'status' IN ('registered', 'active', 'suspended', 'revoked'));

-- The funding dashboard names a province by looking its code up among the regions of work.
CREATE INDEX msp_regions_code ON msp_regions (region_code);
