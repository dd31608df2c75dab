-- DMARC aggregate reports (RFC 7489 appendix C, and RFC 9990's schema): one row per <record> of a report, that is per
-- (source address, disposition, evaluated results, identifiers) the reporter saw sending as the published domain
-- over the report's date range. `relaywatch dmarc load` / `dmarc fetch` (docs/operations.md "DMARC reports").
-- Exactly once per (reporter_org, report_id): the loader skips a report whose id the table already holds, and
-- inserts each report in one block carrying insert_deduplication_token = the report's identity, so a retry after a
-- crash, or two loads racing past the check, land it once. A ReplacingMergeTree was not chosen: it collapses only
-- when parts merge, so every reader would need FINAL, and a load could not say what was a duplicate.
CREATE TABLE IF NOT EXISTS dmarc_records
(
    reporter_org String,
    reporter_email String,
    report_id String,
    date_begin DateTime('UTC'),
    date_end DateTime('UTC'),
    schema LowCardinality(String),
    version String,
    policy_domain String,
    policy_adkim LowCardinality(String),
    policy_aspf LowCardinality(String),
    policy_p LowCardinality(String),
    policy_sp LowCardinality(String),
    policy_np LowCardinality(String),
    policy_pct UInt8,
    policy_testing LowCardinality(String),
    record UInt32,
    source_ip IPv6,
    count UInt64,
    disposition LowCardinality(String),
    dkim LowCardinality(String),
    spf LowCardinality(String),
    reasons Array(LowCardinality(String)),
    header_from String,
    envelope_from String,
    envelope_to String,
    dkim_domains Array(String),
    dkim_selectors Array(String),
    dkim_results Array(LowCardinality(String)),
    spf_domains Array(String),
    spf_scopes Array(LowCardinality(String)),
    spf_results Array(LowCardinality(String)),
    file String,
    loaded_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(date_begin)
ORDER BY (policy_domain, date_begin, source_ip)
SETTINGS non_replicated_deduplication_window = 10000;
