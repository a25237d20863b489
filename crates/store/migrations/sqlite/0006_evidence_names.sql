-- An evidence file keeps the name each uploader gave it. Files are stored once per content
-- (files.sha256), so the name moves to the progress entry that links the file: two agencies
-- uploading the same bytes each see their own name. files.file_name keeps the first name and is
-- no longer shown.
ALTER TABLE progress_entries ADD COLUMN file_name TEXT;

UPDATE progress_entries
SET file_name = (SELECT f.file_name FROM files f WHERE f.sha256 = progress_entries.file_sha256)
WHERE file_sha256 IS NOT NULL;

-- Downloads look up the entries that link a file, to check who may read it.
CREATE INDEX progress_by_file ON progress_entries (file_sha256);
