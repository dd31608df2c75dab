-- Where a relay handed a message on (Postfix relay=, Sendmail relay=, Exim's => host): tells inbound
-- deliveries to our mail servers from outbound ones to the Internet, and ties hops together.
ALTER TABLE smtp_events ADD COLUMN IF NOT EXISTS next_hop String AFTER detail;
