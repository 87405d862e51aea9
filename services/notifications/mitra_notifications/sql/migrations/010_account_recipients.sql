-- People's accounts of the console become recipients (issue 12): one per account (`account_subject`, the account's
-- id), kept as the console's newest event says (`account_version`). An auditor's or an administrator's account has
-- no routing audience: its recipient is of the kind `account`, with an inbox that only its subscriptions fill.
-- A person may also switch e-mail off (`email_enabled`): the inbox keeps everything.
ALTER TABLE recipients DROP CONSTRAINT recipients_role_check;
ALTER TABLE recipients ADD CONSTRAINT recipients_role_check
    CHECK (role IN ('tpoa', 'ministry', 'province', 'regency', 'ngo', 'account'));
ALTER TABLE recipients DROP CONSTRAINT recipients_source_check;
ALTER TABLE recipients ADD CONSTRAINT recipients_source_check CHECK (source IN ('api', 'registry', 'console'));
ALTER TABLE recipients
    ADD COLUMN account_version integer,
    ADD COLUMN email_enabled boolean NOT NULL DEFAULT true;
CREATE UNIQUE INDEX recipients_console_account ON recipients (account_subject) WHERE source = 'console';
