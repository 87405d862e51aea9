-- When the mail server (or the webhook's receiver) took the attempt now under way: written the moment it answered,
-- on its own, before the batch's outcomes are settled. A pass that dies in between (SIGKILL, a lost machine) leaves
-- the mark; the pass that leases the notification after the lease ran out settles it as delivered instead of
-- sending it again. Cleared when the attempt is settled or the notification is resent.
ALTER TABLE notifications ADD COLUMN accepted_at timestamptz;
