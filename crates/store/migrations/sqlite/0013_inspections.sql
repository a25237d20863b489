-- Inspection planning ("kế hoạch kiểm tra công tác cải cách hành chính"): the adopted plan of a
-- year (seed, share, the agencies chosen and why), the inspections it makes (each a milestone of
-- the plan's inspection activity in Sở Nội vụ's assignment), their findings with remediation
-- deadlines, and re-inspections. Portable SQL only.

-- One adopted plan per year. The seed is a u64 kept as decimal text (it does not fit a signed
-- 64-bit integer).
CREATE TABLE inspection_plans (
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL UNIQUE,
    seed TEXT NOT NULL,
    share_percent INTEGER NOT NULL,
    random_percent INTEGER NOT NULL,
    plan_version_id INTEGER REFERENCES plan_versions(id) ON DELETE SET NULL,
    activity_id INTEGER REFERENCES activities(id) ON DELETE SET NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL
);

-- The agencies of an adopted plan, in plan order, with their priority (tenths) and reasons
-- (codes joined by ';', see cchc_domain::inspection::Reason::encode).
CREATE TABLE inspection_plan_agencies (
    plan_id INTEGER NOT NULL REFERENCES inspection_plans(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    agency_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    priority_tenths INTEGER NOT NULL,
    place TEXT NOT NULL CHECK (place IN ('priority', 'priority_drawn', 'random')),
    reasons TEXT NOT NULL,
    PRIMARY KEY (plan_id, agency_id)
);

-- One inspection of one agency: planned (from a plan, or a re-inspection of a finding), its
-- milestone when it has one, the day it was done when recorded outside the milestone.
CREATE TABLE inspections (
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL,
    plan_id INTEGER REFERENCES inspection_plans(id) ON DELETE CASCADE,
    agency_id TEXT NOT NULL,
    planned_on TEXT NOT NULL,
    done_on TEXT,
    milestone_id INTEGER REFERENCES milestones(id) ON DELETE SET NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX inspections_by_year ON inspections (year, agency_id);
CREATE INDEX inspections_by_agency ON inspections (agency_id);

-- What an inspection found, the remediation deadline, its resolution (when, by whom, evidence)
-- and the re-inspection scheduled for it.
CREATE TABLE inspection_findings (
    id INTEGER PRIMARY KEY,
    inspection_id INTEGER NOT NULL REFERENCES inspections(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    deadline TEXT NOT NULL,
    recorded_by INTEGER REFERENCES users(id),
    recorded_at TEXT NOT NULL,
    resolved_on TEXT,
    resolved_by INTEGER REFERENCES users(id),
    resolved_at TEXT,
    evidence TEXT,
    reinspection_id INTEGER REFERENCES inspections(id) ON DELETE SET NULL
);
CREATE INDEX inspection_findings_by_inspection ON inspection_findings (inspection_id);

-- Administrative procedures per agency, imported by Sở Nội vụ (`cchc inspection procedures`)
-- until dossier data exist: the latest count of each agency.
CREATE TABLE agency_procedures (
    agency_id TEXT PRIMARY KEY,
    procedures INTEGER NOT NULL CHECK (procedures >= 0),
    imported_by INTEGER REFERENCES users(id),
    imported_at TEXT NOT NULL
);
