-- Audiences of agreements' events: the Mitra Utama (a ministry, by its registry id or code), the regions of work
-- or visited (with their provinces), and the NGO's own contacts.
ALTER TABLE recipients
    ADD COLUMN partner_code text,
    ADD COLUMN organization_id uuid;
CREATE INDEX recipients_partner ON recipients (partner_id) WHERE active;
CREATE INDEX recipients_partner_code ON recipients (partner_code) WHERE active;
CREATE INDEX recipients_organization ON recipients (organization_id) WHERE active;

-- The default rules of issue 5 for agreements' events.
INSERT INTO routing_rules (id, routing_key, audience, channels)
SELECT gen_random_uuid(), rule.routing_key, rule.audience, '{email,webhook,inbox}'
FROM (VALUES
    ('agreements.msp.signed', 'mitra_utama'), ('agreements.msp.signed', 'tpoa'),
    ('agreements.msp.signed', 'regions_of_work'),
    ('agreements.msp.extended', 'mitra_utama'), ('agreements.msp.extended', 'tpoa'),
    ('agreements.msp.extended', 'regions_of_work'),
    ('agreements.msp.terminated', 'mitra_utama'), ('agreements.msp.terminated', 'tpoa'),
    ('agreements.msp.terminated', 'regions_of_work'),
    ('agreements.visit.announced', 'regions_visited'), ('agreements.visit.announced', 'mitra_utama'),
    ('agreements.visit.updated', 'regions_visited'), ('agreements.visit.updated', 'mitra_utama'),
    ('agreements.visit.cancelled', 'regions_visited'), ('agreements.visit.cancelled', 'mitra_utama'),
    ('agreements.report.due', 'ngo'), ('agreements.report.due', 'mitra_utama'),
    ('agreements.work_plan.due', 'ngo'), ('agreements.work_plan.due', 'mitra_utama'),
    ('agreements.action_plan.due', 'ngo'), ('agreements.action_plan.due', 'mitra_utama'),
    ('agreements.report.overdue', 'ngo'), ('agreements.report.overdue', 'mitra_utama'),
    ('agreements.report.overdue', 'tpoa'), ('agreements.report.overdue', 'regions_of_work'),
    ('agreements.work_plan.overdue', 'ngo'), ('agreements.work_plan.overdue', 'mitra_utama'),
    ('agreements.work_plan.overdue', 'tpoa'), ('agreements.work_plan.overdue', 'regions_of_work'),
    ('agreements.action_plan.overdue', 'ngo'), ('agreements.action_plan.overdue', 'mitra_utama'),
    ('agreements.action_plan.overdue', 'tpoa'), ('agreements.action_plan.overdue', 'regions_of_work'),
    ('agreements.msp.expiring', 'ngo'), ('agreements.msp.expiring', 'mitra_utama'),
    ('agreements.msp.expiring', 'tpoa'),
    ('registry.permit.expiring', 'ngo')
) AS rule (routing_key, audience)
ON CONFLICT (routing_key, audience) DO NOTHING;
