-- Default rules for registry's other events (issue 5): an expiring or expired permit concerns TPOA (and the NGO
-- and its Mitra Utama, whose audiences come with agreements' facts); a status change (frozen, revoked) too.
INSERT INTO routing_rules (id, routing_key, audience, channels) VALUES
    ('6f0c3c0e-0000-4000-8000-000000000002', 'registry.permit.expiring', 'tpoa', '{email,webhook,inbox}'),
    ('6f0c3c0e-0000-4000-8000-000000000003', 'registry.permit.expired', 'tpoa', '{email,webhook,inbox}'),
    ('6f0c3c0e-0000-4000-8000-000000000004', 'registry.organization.status_changed', 'tpoa', '{email,webhook,inbox}');
