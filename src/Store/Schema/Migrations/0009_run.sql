-- Which run wrote a row. detect and score replace a day's rows by inserting the new run's rows first and
-- only then deleting the older runs' rows, so a failed or killed run never leaves the day empty.
ALTER TABLE findings ADD COLUMN IF NOT EXISTS run String AFTER evidence;
ALTER TABLE ip_scores ADD COLUMN IF NOT EXISTS run String AFTER reasons;
