-- An expiring principle permit concerns the Mitra Utama of the NGO's MSPs too (issue 5's defaults): notifications
-- finds those ministries in its own copy of the signed MSPs.
INSERT INTO routing_rules (id, routing_key, audience, channels)
VALUES (gen_random_uuid(), 'registry.permit.expiring', 'mitra_utama', '{email,webhook,inbox}')
ON CONFLICT (routing_key, audience) DO NOTHING;
