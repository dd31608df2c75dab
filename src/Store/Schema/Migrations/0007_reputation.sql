-- Analysts' verdicts on senders (an address or a network), the reputation model's strongest labels.
-- Append-only: the latest row per subject is in force ('cleared' withdraws one); history is the audit trail.
CREATE TABLE IF NOT EXISTS ip_labels
(
    subject String,
    verdict LowCardinality(String),
    note String,
    labelled_by String,
    labelled_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (subject, labelled_at);

-- Trained reputation models: the ML.NET model (base64 of its zip) and its manifest (JSON: kind,
-- feature schema, training and evaluation windows, metrics, drift baseline). Kept in the store so every
-- process and node that reads the store scores with the same model.
CREATE TABLE IF NOT EXISTS ip_models
(
    version String,
    kind LowCardinality(String),
    trained_at DateTime64(3, 'UTC'),
    manifest String,
    model String
)
ENGINE = MergeTree
ORDER BY (trained_at, version);

-- One row per scoring run: how many addresses, with which model, and whether the day's features or
-- scores moved away from the training window (population stability index per feature).
CREATE TABLE IF NOT EXISTS score_runs
(
    day Date,
    model LowCardinality(String),
    scored UInt64,
    drift_warnings Array(String),
    max_psi Float32,
    created_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY (day, model, created_at);
