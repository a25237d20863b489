-- Versions of the SIPAS configuration of a year (questionnaire item → element, element weights,
-- levels counted as satisfied), as the JSON document Sở Nội vụ edits. A year uses its latest
-- version, else the latest version of the closest earlier year, else the built-in default.
CREATE TABLE sipas_configs (
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL,
    version INTEGER NOT NULL,
    document TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    UNIQUE (year, version)
);
