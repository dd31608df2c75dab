-- Every change to the blocklist, append-only: the latest row per subject is its state, the rest the audit trail.
-- action: listed (added or renewed; in force until expires_at), review (held back by the impact check),
-- expired, removed, allowed (an analyst's exception: never listed), unallowed.
CREATE TABLE IF NOT EXISTS blocklist_changes
(
    subject String,
    action LowCardinality(String),
    reason String,
    sources Array(String),
    severity LowCardinality(String),
    listed_at DateTime64(3, 'UTC'),
    expires_at DateTime64(3, 'UTC'),
    changed_by String,
    changed_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (subject, changed_at);
