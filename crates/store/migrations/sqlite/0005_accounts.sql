-- Accounts managed in the browser and the API (issue 8): the audit of account changes, the flag
-- of a password set by an administrator (its owner is asked to change it), and the index that
-- per-client login throttling reads.

-- Set when an administrator created the account or reset its password; cleared when the owner
-- changes it.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;

-- Append-only: who created, deactivated, reactivated or reset whom, and when; and when users
-- changed their own password. `actor_id` is null for what the system did on its own (the first
-- administrator).
CREATE TABLE account_events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    target_id INTEGER NOT NULL REFERENCES users(id),
    action TEXT NOT NULL CHECK (action IN ('created', 'deactivated', 'reactivated', 'password_reset', 'password_changed'))
);
CREATE INDEX account_events_by_target ON account_events (target_id, id);

-- Failed logins are also counted per client across usernames, and forgotten after a day.
CREATE INDEX login_failures_by_client ON login_failures (client, at);
CREATE INDEX login_failures_by_time ON login_failures (at);
