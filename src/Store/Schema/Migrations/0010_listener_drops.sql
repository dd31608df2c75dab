-- What the syslog listener dropped, by reason (sender_not_allowed, queue_full, frame_too_long, line_cut,
-- bad_frame, incomplete_frame, too_many_connections, idle_timeout, tls_rejected, accept_failed; see
-- docs/operations.md). One row per listener run and reason; counts are cumulative, the latest version wins.
CREATE TABLE IF NOT EXISTS listener_drops
(
    listener String,
    endpoints String,
    reason LowCardinality(String),
    dropped UInt64,
    version UInt64,
    updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (listener, reason);
