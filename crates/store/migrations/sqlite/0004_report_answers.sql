-- Reports that Sở Nội vụ can sign and send: indicators answered «không áp dụng» with a reason,
-- receipt dates recorded for paper or e-mail reports, deadline extensions per agency, and the
-- defaults of the consolidated document (signer, recipients).

-- The receipt date recorded by Sở Nội vụ (overrides the first submission for timeliness).
-- The column `late` of 0003 is no longer read: timeliness is derived from the receipt date and
-- the deadline that applies (the period's, or an extension).
ALTER TABLE reports ADD COLUMN received_on TEXT;
ALTER TABLE reports ADD COLUMN received_reason TEXT;

-- An indicator of the form answered "không áp dụng" (not applicable), with the reason.
CREATE TABLE report_not_applicable (
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    indicator_code TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (report_id, indicator_code)
);

-- Append-only: deadline extensions granted to an agency for a period; the latest one applies.
CREATE TABLE report_extensions (
    id INTEGER PRIMARY KEY,
    plan_version_id INTEGER NOT NULL REFERENCES plan_versions(id) ON DELETE CASCADE,
    agency_id TEXT NOT NULL,
    period_id TEXT NOT NULL,
    until_date TEXT NOT NULL,
    reason TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id),
    at TEXT NOT NULL
);
CREATE INDEX report_extensions_period ON report_extensions (plan_version_id, period_id);

-- Settings kept as text: the defaults of the consolidated report (signer, recipients).
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL
);
