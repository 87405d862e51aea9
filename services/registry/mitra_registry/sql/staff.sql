-- name: insert_foreign_staff
-- Assigns a foreign expert to an NGO (the use case holds the NGO's row lock and has checked the limits).
INSERT INTO foreign_staff_assignments (
    id, organization_id, full_name, nationality, role, passport_number, starts_on, ends_on, assigned_by, assigned_at
) VALUES (
    :id, :organization_id, :full_name, :nationality, :role, :passport_number, :starts_on, :ends_on, :assigned_by,
    :assigned_at
)
RETURNING *;

-- name: foreign_staff_of_organization
-- Every assignment of one NGO, past, present and planned, oldest start first.
SELECT * FROM foreign_staff_assignments WHERE organization_id = :organization_id ORDER BY starts_on, assigned_at, id;

-- name: get_foreign_staff
-- One assignment, with the passport number.
SELECT * FROM foreign_staff_assignments WHERE id = :assignment_id;

-- name: end_foreign_staff
-- Ends an assignment early, recording who, when and why.
UPDATE foreign_staff_assignments SET ended_on = :ended_on, end_reason = :reason, ended_by = :ended_by, ended_at = :now
WHERE id = :assignment_id
RETURNING *;

-- name: lock_person
-- Serialises the assignments of one foreign expert (by passport number) across NGOs for the transaction.
SELECT pg_advisory_xact_lock(hashtextextended('registry.foreign_staff:' || :passport_number, 0));

-- name: assignments_of_person
-- Every assignment of one foreign expert (by passport number) with any NGO: their 5 years in all.
SELECT starts_on, ends_on, ended_on, passport_number FROM foreign_staff_assignments
WHERE passport_number = :passport_number;
