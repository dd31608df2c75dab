-- One row per recognised log record, from every relay and Domino server.
-- Daily detectors read one day and a few event kinds, then group by client address:
-- the sorting key serves exactly that. Drill-downs by address use the bloom filter.
CREATE TABLE IF NOT EXISTS smtp_events
(
    ts DateTime64(3, 'UTC'),
    relay LowCardinality(String),
    source LowCardinality(String),
    event LowCardinality(String),
    client_ip IPv6,
    client_host String,
    helo String,
    mail_from String,
    rcpt_to String,
    smtp_code UInt16,
    dsn LowCardinality(String),
    reason LowCardinality(String),
    queue_id String,
    session_id String,
    message_id String,
    size UInt64,
    sasl_user String,
    detail String,
    file LowCardinality(String),
    line UInt64,
    INDEX client_ip_bloom client_ip TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (toDate(ts), event, client_ip, ts);
