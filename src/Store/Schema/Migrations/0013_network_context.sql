-- Network context: who is behind an address (AS number and organisation, country), from the operator's MaxMind
-- ASN/Country databases or a CSV (`relaywatch context load`, docs/operations.md "Network context"). Each load
-- replaces every row at once. SQL reads it through the ip_trie dictionary network_context, which the loader
-- creates over this table: dictGet('network_context', 'asn', client_ip). Networks in CIDR text; an empty
-- table means context is off.
CREATE TABLE IF NOT EXISTS network_context_networks
(
    network String,
    asn UInt32,
    organisation String,
    country LowCardinality(String),
    source LowCardinality(String),
    loaded_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY network;
