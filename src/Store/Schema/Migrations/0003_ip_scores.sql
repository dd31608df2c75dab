-- The reputation model's verdict on each sending address, per day and model version.
CREATE TABLE IF NOT EXISTS ip_scores
(
    day Date,
    ip String,
    score Float32,
    model LowCardinality(String),
    reasons Array(String),
    created_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, ip, model);
