-- The recipient as the client gave it, when the relay rewrote it before delivery (Postfix orig_to=,
-- an alias or a forward): mail for one of our users forwarded to an outside mailbox is not relaying.
ALTER TABLE smtp_events ADD COLUMN IF NOT EXISTS orig_rcpt_to String AFTER rcpt_to;
