-- Periodic agency reports: values with history, narratives, workflow events; the indicator
-- catalogue and validation rules as versioned, editable documents.

-- The catalogue (JSON as edited) per plan version; the highest version is in force.
CREATE TABLE indicator_catalogues (
    id INTEGER PRIMARY KEY,
    plan_version_id INTEGER NOT NULL REFERENCES plan_versions(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    catalogue_json TEXT NOT NULL,
    rules_json TEXT NOT NULL,
    note TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    UNIQUE (plan_version_id, version)
);

CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    plan_version_id INTEGER NOT NULL REFERENCES plan_versions(id) ON DELETE CASCADE,
    agency_id TEXT NOT NULL,
    period_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'accepted')),
    -- The day (Vietnam time) of the first submission, and whether it was after the due date.
    submitted_on TEXT,
    late INTEGER NOT NULL DEFAULT 0,
    returned_reason TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (plan_version_id, agency_id, period_id)
);

CREATE TABLE report_values (
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    indicator_code TEXT NOT NULL,
    part TEXT NOT NULL CHECK (part IN ('numerator', 'denominator')),
    value REAL NOT NULL,
    PRIMARY KEY (report_id, indicator_code, part)
);

CREATE TABLE report_narratives (
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    area_code TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (report_id, area_code)
);

-- Append-only: every change of a value (old → new), who and when.
CREATE TABLE report_value_history (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    indicator_code TEXT NOT NULL,
    part TEXT NOT NULL,
    old_value REAL,
    new_value REAL,
    user_id INTEGER REFERENCES users(id),
    at TEXT NOT NULL
);

-- Append-only: saved, submitted, returned (with reason), accepted, reopened.
CREATE TABLE report_events (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id),
    at TEXT NOT NULL
);
