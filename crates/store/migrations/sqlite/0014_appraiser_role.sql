-- The PAR Index appraisal council ("thẩm định") is a role of its own. SQLite cannot change a
-- CHECK constraint in place, so the users table is rebuilt the way SQLite documents it
-- (https://sqlite.org/lang_altertable.html, "other kinds of table schema changes"): new table,
-- copy, drop, rename. The store runs migrations with foreign keys off (a drop would otherwise
-- delete the sessions) and checks every foreign key after them.
CREATE TABLE users_new (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'agency', 'viewer', 'appraiser')),
    agency_id TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0
);
INSERT INTO users_new (id, username, display_name, password_hash, role, agency_id, active, created_at, must_change_password)
    SELECT id, username, display_name, password_hash, role, agency_id, active, created_at, must_change_password FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
