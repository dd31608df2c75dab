-- The web console's audit trail: every action a person (or a relay's token) took through serve, append-only.
-- actor: the user name (or 'relay:NAME'); role: their role then; action: login, login_failed, logout, label,
-- dismiss, restore, queue_detect, queue_report, …; subject: what it acted on (an address, a finding, a day);
-- note: the reason the person gave; remote: the client's address as serve saw it.
CREATE TABLE IF NOT EXISTS console_audit
(
    at DateTime64(3, 'UTC'),
    actor String,
    role LowCardinality(String),
    action LowCardinality(String),
    subject String,
    note String,
    remote String
)
ENGINE = MergeTree
ORDER BY (at, actor);

-- Findings an analyst dismissed as false positives (or restored), append-only: the latest row per
-- finding (day, detector, subject) is in force.
CREATE TABLE IF NOT EXISTS finding_dismissals
(
    day Date,
    detector LowCardinality(String),
    subject String,
    action LowCardinality(String),
    note String,
    by String,
    at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (day, detector, subject, at);
