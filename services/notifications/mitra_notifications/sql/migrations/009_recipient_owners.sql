-- Whose a recipient is (issue 11): its inbox and its subscriptions answer only to its owner. By default the owner is
-- every account of the recipient's scope (a ministry's recipients by their code, a region's by its region code, an
-- NGO's by its organization id, TPOA's by the role); `account_subject` links a recipient to one account alone.
-- Existing recipients keep the default: their codes and organization ids are already here.
ALTER TABLE recipients ADD COLUMN account_subject text;
CREATE INDEX recipients_account_subject ON recipients (account_subject) WHERE account_subject IS NOT NULL;
