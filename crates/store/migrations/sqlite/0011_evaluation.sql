-- The PAR Index: criteria frameworks (one editable document per year and kind of agency,
-- versioned), assessment rounds, each agency's assessment with its self-assessed, appraised,
-- explained and final scores, and an append-only log of every change.
CREATE TABLE evaluation_frameworks (
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL,
    kind TEXT NOT NULL,
    version INTEGER NOT NULL,
    document TEXT NOT NULL,
    note TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    UNIQUE (year, kind, version)
);

-- A round opened by Sở Nội vụ for a year and kind, on the framework version in force then.
-- stage: self_assessment → appraisal → published.
CREATE TABLE evaluation_rounds (
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL,
    kind TEXT NOT NULL,
    framework_id INTEGER NOT NULL REFERENCES evaluation_frameworks(id),
    self_deadline TEXT NOT NULL,
    explanation_days INTEGER NOT NULL,
    stage TEXT NOT NULL,
    opened_by INTEGER REFERENCES users(id),
    opened_at TEXT NOT NULL,
    published_by INTEGER REFERENCES users(id),
    published_at TEXT,
    UNIQUE (year, kind)
);

-- One agency's assessment in a round.
-- stage: draft → submitted → appraised → (explained → appraised) → final.
CREATE TABLE assessments (
    id INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES evaluation_rounds(id) ON DELETE CASCADE,
    agency_id TEXT NOT NULL,
    stage TEXT NOT NULL,
    submitted_at TEXT,
    appraised_at TEXT,
    explanation_due TEXT,
    explained_at TEXT,
    UNIQUE (round_id, agency_id)
);

-- The scores of one sub-criterion of one assessment. Answers are stored as text
-- ("yes", "no", "level:<label>", "number:<value>", "na"); points in hundredths.
CREATE TABLE assessment_scores (
    assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
    sub_code TEXT NOT NULL,
    self_answer TEXT,
    self_note TEXT NOT NULL DEFAULT '',
    evidence TEXT NOT NULL DEFAULT '',
    appraised_points INTEGER,
    appraised_na INTEGER NOT NULL DEFAULT 0,
    appraisal_reason TEXT NOT NULL DEFAULT '',
    explanation TEXT NOT NULL DEFAULT '',
    final_points INTEGER,
    final_na INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (assessment_id, sub_code)
);

CREATE TABLE assessment_log (
    id INTEGER PRIMARY KEY,
    assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
    sub_code TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id),
    at TEXT NOT NULL
);
CREATE INDEX assessment_log_by_assessment ON assessment_log (assessment_id, id);
