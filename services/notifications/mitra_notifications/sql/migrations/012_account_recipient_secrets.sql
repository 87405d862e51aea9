-- Every recipient has a webhook secret (Standard Webhooks' `whsec_` form), which GET /recipients/{id}/webhook-secret
-- answers with; the first recipients made from console accounts were made without one. Two random UUIDs give 244
-- random bits, without an extension.
UPDATE recipients
SET webhook_secret = 'whsec_' || encode(decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'), 'base64')
WHERE webhook_secret IS NULL;
