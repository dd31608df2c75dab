-- A file truncated in place and written again from the same first line keeps its key (the fingerprint of that
-- line). What it holds then is a new generation of the file: its batches are named apart from the old content's
-- (the deduplication token carries the generation) and its checkpoints outrank the old ones (versions go on
-- rising), so nothing of the new content is taken for a repeat and no old checkpoint is resumed from.
ALTER TABLE ingest_checkpoints ADD COLUMN IF NOT EXISTS generation UInt32 AFTER version;
