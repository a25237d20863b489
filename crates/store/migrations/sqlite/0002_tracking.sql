-- Tracking: assignments, milestones, events, append-only progress history, evidence files,
-- accounts and sessions.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'agency', 'viewer')),
    agency_id TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- Failed logins, counted per (username, client) pair so that nobody can lock a victim out
-- from elsewhere.
CREATE TABLE login_failures (
    username TEXT NOT NULL,
    client TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_by_pair ON login_failures (username, client, at);

-- One assignment per responsible agency of an activity.
CREATE TABLE assignments (
    id INTEGER PRIMARY KEY,
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    agency_id TEXT NOT NULL,
    UNIQUE (activity_id, agency_id)
);
CREATE INDEX assignments_by_agency ON assignments (agency_id);

-- An event recorded for an event-triggered schedule item (assignment_id null: for every
-- assignment of the activity) or a trigger of a relative deadline of one assignment.
CREATE TABLE plan_events (
    id INTEGER PRIMARY KEY,
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    item_position INTEGER NOT NULL,
    assignment_id INTEGER REFERENCES assignments(id) ON DELETE CASCADE,
    occurred_on TEXT NOT NULL,
    due TEXT NOT NULL,
    description TEXT NOT NULL,
    recorded_by INTEGER REFERENCES users(id),
    recorded_at TEXT NOT NULL
);

CREATE TABLE milestones (
    id INTEGER PRIMARY KEY,
    assignment_id INTEGER NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    item_position INTEGER NOT NULL,
    label TEXT NOT NULL,
    kind TEXT NOT NULL,
    due TEXT,
    period_id TEXT,
    event_id INTEGER REFERENCES plan_events(id),
    -- The latest progress entry, kept here for fast reads; the history is progress_entries.
    status TEXT NOT NULL DEFAULT 'not_started',
    completed_on TEXT,
    updated_at TEXT
);
CREATE INDEX milestones_by_assignment ON milestones (assignment_id, position);

-- Uploaded evidence, stored content-addressed under files/<first two hex>/<sha256>.
CREATE TABLE files (
    sha256 TEXT PRIMARY KEY,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    uploaded_at TEXT NOT NULL
);

-- Append-only: every change of a milestone's progress, who and when.
CREATE TABLE progress_entries (
    id INTEGER PRIMARY KEY,
    milestone_id INTEGER NOT NULL REFERENCES milestones(id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users(id),
    recorded_at TEXT NOT NULL,
    status TEXT NOT NULL,
    completed_on TEXT,
    evidence_number TEXT,
    evidence_date TEXT,
    evidence_issuer TEXT,
    file_sha256 TEXT REFERENCES files(sha256),
    comment TEXT NOT NULL
);
CREATE INDEX progress_by_milestone ON progress_entries (milestone_id, id);
