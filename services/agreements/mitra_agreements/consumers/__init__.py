"""The events agreements consumes: registry's facts about NGOs, permits and partners (`registry_facts`), and its
foreign-staff assignments (`staff_facts`)."""
