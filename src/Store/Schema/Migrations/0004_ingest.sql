-- Where ingest stands in each log file: one row per committed (or about to be committed) batch.
-- The latest row per file, by version, is the file's checkpoint; counts are cumulative.
-- A 'pending' row names a batch whose rows may or may not have landed: a restart re-sends exactly
-- that batch with the same deduplication token, so it lands once.
CREATE TABLE IF NOT EXISTS ingest_checkpoints
(
    file_key String,
    path String,
    format LowCardinality(String),
    state LowCardinality(String),
    batch_start UInt64,
    batch_start_line UInt64,
    offset UInt64,
    line UInt64,
    events UInt64,
    skipped UInt64,
    unrecognised UInt64,
    repaired UInt64,
    version UInt64,
    updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(version)
ORDER BY file_key;

-- A bounded sample of the lines ingest could not recognise or had to repair, with the reason.
CREATE TABLE IF NOT EXISTS ingest_errors
(
    ingested_at DateTime64(3, 'UTC'),
    file String,
    line UInt64,
    format LowCardinality(String),
    reason LowCardinality(String),
    text String
)
ENGINE = MergeTree
ORDER BY (file, line)
SETTINGS non_replicated_deduplication_window = 10000;

-- Inserts carry deduplication tokens: a batch re-sent after a crash lands once.
ALTER TABLE smtp_events MODIFY SETTING non_replicated_deduplication_window = 10000;
