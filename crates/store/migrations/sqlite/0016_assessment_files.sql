-- Evidence files attached to a sub-criterion of a PAR Index assessment (the bytes are stored
-- content-addressed by the web layer, like milestone evidence; here only what links them).
CREATE TABLE assessment_files (
    id INTEGER PRIMARY KEY,
    assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
    sub_code TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    user_id INTEGER REFERENCES users(id),
    at TEXT NOT NULL
);
CREATE INDEX assessment_files_by_assessment ON assessment_files (assessment_id, sub_code, id);
CREATE INDEX assessment_files_by_sha ON assessment_files (sha256);
