"""The events agreements consumes: registry's facts about NGOs, permits and partners (`registry_facts`)."""
