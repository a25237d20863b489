-- The agency directory over time (agencies and groups with their validity, successors and
-- former names), kept as versions of the editable document that `cchc agencies export` writes
-- and `cchc agencies import` reads. The latest version is in force; earlier ones are never
-- changed. The tables of 0001 held one undated directory and are no longer read.
CREATE TABLE directory_versions (
    version INTEGER PRIMARY KEY,
    document TEXT NOT NULL,
    note TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL
);

DROP TABLE agency_group_members;
DROP TABLE agency_group_kinds;
DROP TABLE agency_group_aliases;
DROP TABLE agency_groups;
DROP TABLE agency_aliases;
DROP TABLE agencies;
