-- Column codecs for the events, chosen by measurement (`bench storage`, bench/README.md "Storage"):
-- merged, simulated events of every vendor took 39.7 bytes each with ClickHouse's default (LZ4) and
-- a production Postfix log 13.3. Times and line numbers climb within each client's run of rows in the
-- sorting key, so their differences (Delta) pack far tighter than the values; the text columns hold
-- ids and addresses, which ZSTD packs tighter than LZ4; sizes are small integers in wide columns (T64).
-- Only the codecs change (the types are the same): existing parts keep theirs until they are merged.
ALTER TABLE smtp_events MODIFY COLUMN ts DateTime64(3, 'UTC') CODEC(Delta(8), ZSTD(1));
ALTER TABLE smtp_events MODIFY COLUMN line UInt64 CODEC(Delta(8), ZSTD(1));
ALTER TABLE smtp_events MODIFY COLUMN size UInt64 CODEC(T64, ZSTD(1));
ALTER TABLE smtp_events MODIFY COLUMN session_id String CODEC(ZSTD(3));
ALTER TABLE smtp_events MODIFY COLUMN message_id String CODEC(ZSTD(3));
ALTER TABLE smtp_events MODIFY COLUMN queue_id String CODEC(ZSTD(3));
ALTER TABLE smtp_events MODIFY COLUMN mail_from String CODEC(ZSTD(3));
ALTER TABLE smtp_events MODIFY COLUMN rcpt_to String CODEC(ZSTD(3));
ALTER TABLE smtp_events MODIFY COLUMN detail String CODEC(ZSTD(3));
ALTER TABLE smtp_events MODIFY COLUMN client_host String CODEC(ZSTD(3));
