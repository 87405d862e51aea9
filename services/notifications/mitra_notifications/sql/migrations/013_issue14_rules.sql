-- Issue 14: sanctions, revoked permits, TPOA's review as a team, extensions through TPOA, monitoring and mitigation,
-- comments on submissions, stories, and an NGO's own contact address.

-- Two audiences drawn from an event's facts: the TPOA member ministries a review names (`review_members`), and the
-- owner of a mitigation action (`action_owner`: the NGO, the Mitra Utama, or the office of its region).
ALTER TABLE routing_rules DROP CONSTRAINT routing_rules_audience_check;
ALTER TABLE routing_rules ADD CONSTRAINT routing_rules_audience_check
    CHECK (audience IN ('tpoa', 'mitra_utama', 'regions_of_work', 'regions_visited', 'ngo', 'ministries', 'provinces',
                        'regencies', 'review_members', 'action_owner'));

-- An NGO's contact address in the register is one of its recipients (source `registry`, role `ngo`, no partner):
-- one per NGO, kept as the NGO's newest record version says.
ALTER TABLE recipients ADD COLUMN organization_version integer;
CREATE UNIQUE INDEX recipients_organization_contact ON recipients (organization_id)
    WHERE source = 'registry' AND partner_id IS NULL AND organization_id IS NOT NULL;

-- The default rules. A sanction imposed or lifted and a permit revoked: the NGO, the Mitra Utama of its MSPs, the
-- regions of work of its MSPs (with their provinces), TPOA. A review requested: the member ministries it names;
-- answered: TPOA. An extension requested: TPOA; rejected: the NGO and its Mitra Utama. An Action Plan accepted or
-- returned: the NGO. A submission commented: the NGO (a work plan also its region). A story published: its region
-- and the Mitra Utama of its MSP. A monitoring visit recorded: the NGO and the Mitra Utama. A mitigation action
-- opened, moved, due or overdue: its owner and the Mitra Utama.
INSERT INTO routing_rules (id, routing_key, audience, channels)
SELECT gen_random_uuid(), rule.routing_key, rule.audience, '{email,webhook,inbox}'
FROM (VALUES
    ('registry.sanction.imposed', 'ngo'), ('registry.sanction.imposed', 'mitra_utama'),
    ('registry.sanction.imposed', 'regions_of_work'), ('registry.sanction.imposed', 'tpoa'),
    ('registry.sanction.lifted', 'ngo'), ('registry.sanction.lifted', 'mitra_utama'),
    ('registry.sanction.lifted', 'regions_of_work'), ('registry.sanction.lifted', 'tpoa'),
    ('registry.permit.revoked', 'ngo'), ('registry.permit.revoked', 'mitra_utama'),
    ('registry.permit.revoked', 'regions_of_work'), ('registry.permit.revoked', 'tpoa'),
    ('registry.application.review_requested', 'review_members'),
    ('registry.application.review_answered', 'tpoa'),
    ('agreements.msp.review_requested', 'review_members'),
    ('agreements.msp.review_answered', 'tpoa'),
    ('agreements.msp.extension_requested', 'tpoa'),
    ('agreements.msp.extension_rejected', 'ngo'), ('agreements.msp.extension_rejected', 'mitra_utama'),
    ('agreements.action_plan.accepted', 'ngo'), ('agreements.action_plan.returned', 'ngo'),
    ('agreements.submission.commented', 'ngo'), ('agreements.submission.commented', 'regions_of_work'),
    ('reporting.story.published', 'regions_of_work'), ('reporting.story.published', 'mitra_utama'),
    ('agreements.monitoring_visit.recorded', 'ngo'), ('agreements.monitoring_visit.recorded', 'mitra_utama'),
    ('agreements.mitigation_action.opened', 'action_owner'),
    ('agreements.mitigation_action.opened', 'mitra_utama'),
    ('agreements.mitigation_action.status_changed', 'action_owner'),
    ('agreements.mitigation_action.status_changed', 'mitra_utama'),
    ('agreements.mitigation_action.due', 'action_owner'), ('agreements.mitigation_action.due', 'mitra_utama'),
    ('agreements.mitigation_action.overdue', 'action_owner'),
    ('agreements.mitigation_action.overdue', 'mitra_utama')
) AS rule (routing_key, audience)
ON CONFLICT (routing_key, audience) DO NOTHING;
