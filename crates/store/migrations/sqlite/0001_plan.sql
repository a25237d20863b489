-- Plan versions and their content, plus the agency directory.
-- Migrations are never edited once released; add a new file instead.

CREATE TABLE agencies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    level TEXT NOT NULL,
    parent_id TEXT,
    gso_code INTEGER,
    position INTEGER NOT NULL
);

CREATE TABLE agency_aliases (
    agency_id TEXT NOT NULL REFERENCES agencies(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    alias TEXT NOT NULL,
    PRIMARY KEY (agency_id, position)
);

CREATE TABLE agency_groups (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    position INTEGER NOT NULL
);

CREATE TABLE agency_group_aliases (
    group_id TEXT NOT NULL REFERENCES agency_groups(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    alias TEXT NOT NULL,
    PRIMARY KEY (group_id, position)
);

CREATE TABLE agency_group_kinds (
    group_id TEXT NOT NULL REFERENCES agency_groups(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    PRIMARY KEY (group_id, position)
);

CREATE TABLE agency_group_members (
    group_id TEXT NOT NULL REFERENCES agency_groups(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    agency_id TEXT NOT NULL,
    PRIMARY KEY (group_id, position)
);

CREATE TABLE plan_versions (
    id INTEGER PRIMARY KEY,
    plan_key TEXT NOT NULL,
    version INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    source_name TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    decision_number TEXT NOT NULL,
    decision_date TEXT,
    signer TEXT,
    signer_title TEXT,
    province TEXT NOT NULL,
    year INTEGER,
    title TEXT NOT NULL,
    own_plan_deadline TEXT,
    UNIQUE (plan_key, version),
    UNIQUE (plan_key, content_hash)
);

CREATE TABLE plan_areas (
    plan_version_id INTEGER NOT NULL REFERENCES plan_versions(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    prose_title TEXT,
    PRIMARY KEY (plan_version_id, code)
);

CREATE TABLE targets (
    id INTEGER PRIMARY KEY,
    plan_version_id INTEGER NOT NULL REFERENCES plan_versions(id) ON DELETE CASCADE,
    area_code TEXT NOT NULL,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    baseline_year INTEGER,
    horizon_year INTEGER,
    first_line INTEGER NOT NULL,
    last_line INTEGER NOT NULL
);

CREATE TABLE target_thresholds (
    target_id INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    op TEXT NOT NULL,
    value REAL NOT NULL,
    upper REAL,
    unit TEXT NOT NULL,
    level TEXT,
    subject TEXT NOT NULL,
    sub_target INTEGER NOT NULL,
    PRIMARY KEY (target_id, position)
);

CREATE TABLE tasks (
    plan_version_id INTEGER NOT NULL REFERENCES plan_versions(id) ON DELETE CASCADE,
    area_code TEXT NOT NULL,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    first_line INTEGER NOT NULL,
    last_line INTEGER NOT NULL,
    PRIMARY KEY (plan_version_id, area_code, position)
);

CREATE TABLE activities (
    id INTEGER PRIMARY KEY,
    plan_version_id INTEGER NOT NULL REFERENCES plan_versions(id) ON DELETE CASCADE,
    area_code TEXT NOT NULL,
    position INTEGER NOT NULL,
    number TEXT NOT NULL,
    title TEXT NOT NULL,
    note TEXT NOT NULL,
    schedule_text TEXT NOT NULL,
    schedule_kind TEXT NOT NULL,
    first_line INTEGER NOT NULL,
    last_line INTEGER NOT NULL
);
CREATE INDEX activities_by_version ON activities (plan_version_id, area_code, position);

CREATE TABLE activity_outputs (
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (activity_id, position)
);

-- A lead ("Chủ trì") or partner ("Phối hợp") reference with the agencies and groups it names.
CREATE TABLE activity_refs (
    id INTEGER PRIMARY KEY,
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('lead', 'partner')),
    position INTEGER NOT NULL,
    text TEXT NOT NULL
);

CREATE TABLE activity_ref_agencies (
    ref_id INTEGER NOT NULL REFERENCES activity_refs(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    agency_id TEXT NOT NULL,
    PRIMARY KEY (ref_id, position)
);

CREATE TABLE activity_ref_groups (
    ref_id INTEGER NOT NULL REFERENCES activity_refs(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    group_id TEXT NOT NULL,
    PRIMARY KEY (ref_id, position)
);

-- One recognised part of the "Thời gian" cell.
CREATE TABLE schedule_items (
    id INTEGER PRIMARY KEY,
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    label TEXT,
    kind TEXT NOT NULL,
    due TEXT,
    precision TEXT,
    count INTEGER,
    working_days INTEGER,
    trigger_text TEXT,
    offset_kind TEXT,
    offset_value INTEGER,
    condition_text TEXT,
    text TEXT NOT NULL
);

-- Due dates of a periodic item (period_id set) or a times-per-year item (period_id null).
CREATE TABLE schedule_item_dues (
    item_id INTEGER NOT NULL REFERENCES schedule_items(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    period_id TEXT,
    due TEXT NOT NULL,
    PRIMARY KEY (item_id, position)
);

CREATE TABLE reporting_periods (
    plan_version_id INTEGER NOT NULL REFERENCES plan_versions(id) ON DELETE CASCADE,
    period_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    data_from TEXT NOT NULL,
    data_to TEXT NOT NULL,
    due TEXT NOT NULL,
    line INTEGER NOT NULL,
    PRIMARY KEY (plan_version_id, period_id)
);

CREATE TABLE import_diagnostics (
    plan_version_id INTEGER NOT NULL REFERENCES plan_versions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    line INTEGER NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (plan_version_id, position)
);
