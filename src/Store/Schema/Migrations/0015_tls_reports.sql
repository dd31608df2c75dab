-- SMTP TLS reports (RFC 8460, TLSRPT): how sending servers fared negotiating TLS with our MX hosts, one row per
-- policy of a report, with its failure details as parallel arrays. `relaywatch dmarc load` / `dmarc fetch` read
-- them beside the DMARC reports (docs/operations.md "DMARC reports"). Exactly once per (reporter_org, report_id)
-- as dmarc_records: a load-time check, and one insert per report under an insert_deduplication_token.
CREATE TABLE IF NOT EXISTS tls_reports
(
    reporter_org String,
    contact_info String,
    report_id String,
    date_begin DateTime('UTC'),
    date_end DateTime('UTC'),
    policy UInt32,
    policy_type LowCardinality(String),
    policy_domain String,
    mx_hosts Array(String),
    successful_sessions UInt64,
    failed_sessions UInt64,
    result_types Array(LowCardinality(String)),
    sending_mta_ips Array(String),
    receiving_mx_hostnames Array(String),
    receiving_ips Array(String),
    failed_session_counts Array(UInt64),
    failure_reason_codes Array(String),
    file String,
    loaded_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(date_begin)
ORDER BY (policy_domain, date_begin)
SETTINGS non_replicated_deduplication_window = 10000;
