-- The year-end task-completion rating: Sở Nội vụ's overrides of computed levels (append-only;
-- the latest row of a year and agency is the one in force, earlier rows are its history) and
-- stored versions of the rule sets (a year uses the latest version of the set with the highest
-- valid_from_year not after it; without any, the shipped sets).
CREATE TABLE rating_overrides (
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL,
    agency_id TEXT NOT NULL,
    level TEXT NOT NULL,
    reason TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id),
    at TEXT NOT NULL
);
CREATE INDEX rating_overrides_by_year ON rating_overrides (year, agency_id, id);

CREATE TABLE rating_rules (
    id INTEGER PRIMARY KEY,
    valid_from_year INTEGER NOT NULL,
    version INTEGER NOT NULL,
    document TEXT NOT NULL,
    note TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    UNIQUE (valid_from_year, version)
);
