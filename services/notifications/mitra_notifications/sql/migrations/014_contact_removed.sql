-- An NGO's contact recipient remembers whether it went inactive because registry removed the address
-- (`contact_removed`), so that the NGO's later updates make it active again only then or when the address changes,
-- never when an administrator stopped it.
ALTER TABLE recipients ADD COLUMN contact_removed boolean NOT NULL DEFAULT false;
UPDATE recipients SET contact_removed = true
WHERE source = 'registry' AND partner_id IS NULL AND organization_id IS NOT NULL AND NOT active;
