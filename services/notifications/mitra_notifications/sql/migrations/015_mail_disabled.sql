-- A notification whose e-mail was not sent because the mail is disabled on purpose (MITRA_MAIL_DISABLED=true) is
-- `skipped`: kept in the delivery log with the reason, never attempted again unless resent.
ALTER TABLE notifications DROP CONSTRAINT notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check
    CHECK (status IN ('pending', 'held', 'delivered', 'failed', 'skipped'));
