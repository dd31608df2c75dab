-- What the detectors found, one row per day, detector and blamed subject (an IP or a CIDR).
-- A detector rerun over a window deletes that window's rows for itself before writing anew.
CREATE TABLE IF NOT EXISTS findings
(
    day Date,
    detector LowCardinality(String),
    subject String,
    severity LowCardinality(String),
    score Float32,
    first_seen DateTime64(3, 'UTC'),
    last_seen DateTime64(3, 'UTC'),
    events UInt64,
    evidence String,
    created_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, detector, subject);
