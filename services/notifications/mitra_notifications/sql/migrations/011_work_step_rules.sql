-- The default rules for the steps of the work loop (issues 12 and 14): whoever must act on a step hears of it.
-- A report, work plan (RKT) or Action Plan submitted: its Mitra Utama (a work plan also the region it is agreed with,
-- and that region's province); accepted or returned with comments: the NGO. An MSP submitted: TPOA; approved or
-- rejected: the NGO and its Mitra Utama. A recommendation requested: the Mitra Utama; issued: the NGO.
-- (Agreements publishes no event yet for an Action Plan accepted or returned, a TPOA member's review, a story or a
-- sanction: their rules come with their events.)
INSERT INTO routing_rules (id, routing_key, audience, channels)
SELECT gen_random_uuid(), rule.routing_key, rule.audience, '{email,webhook,inbox}'
FROM (VALUES
    ('agreements.report.submitted', 'mitra_utama'),
    ('agreements.work_plan.submitted', 'mitra_utama'), ('agreements.work_plan.submitted', 'regions_of_work'),
    ('agreements.action_plan.submitted', 'mitra_utama'),
    ('agreements.report.accepted', 'ngo'), ('agreements.report.returned', 'ngo'),
    ('agreements.work_plan.accepted', 'ngo'), ('agreements.work_plan.returned', 'ngo'),
    ('agreements.msp.submitted', 'tpoa'),
    ('agreements.msp.approved', 'ngo'), ('agreements.msp.approved', 'mitra_utama'),
    ('agreements.msp.rejected', 'ngo'), ('agreements.msp.rejected', 'mitra_utama'),
    ('agreements.recommendation.requested', 'mitra_utama'),
    ('agreements.recommendation.issued', 'ngo')
) AS rule (routing_key, audience)
ON CONFLICT (routing_key, audience) DO NOTHING;
