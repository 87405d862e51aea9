-- Four eyes (issue 11): who drafted and who submitted an MSP, so that neither approves, rejects or signs it.
-- MSPs drafted before this migration have NULL here (nobody is known to be excluded).
ALTER TABLE msps ADD COLUMN drafted_by text;
ALTER TABLE msps ADD COLUMN submitted_by text;
