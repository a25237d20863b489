-- Amended plans keep their progress. Importing a changed version of a plan copies what was
-- recorded on the old version's milestones to the matching milestones of the new one; the old
-- rows are never changed or deleted, so everything stays readable under the old version.

-- A progress entry copied to a milestone of a newer version points at the entry it copies
-- (which keeps its own milestone, author and time). Entries written by people have it null.
ALTER TABLE progress_entries ADD COLUMN carried_from INTEGER REFERENCES progress_entries(id);

-- An event (or trigger) copied to the matching activity of a newer version.
ALTER TABLE plan_events ADD COLUMN carried_from INTEGER REFERENCES plan_events(id);

-- Append-only audit of carry-overs: which old milestone continues as which new one, how many
-- entries were copied, whether the import matched them or a person confirmed the match, who
-- and when.
CREATE TABLE carry_overs (
    id INTEGER PRIMARY KEY,
    from_version_id INTEGER NOT NULL REFERENCES plan_versions(id) ON DELETE CASCADE,
    to_version_id INTEGER NOT NULL REFERENCES plan_versions(id) ON DELETE CASCADE,
    old_milestone_id INTEGER NOT NULL REFERENCES milestones(id) ON DELETE CASCADE,
    new_milestone_id INTEGER NOT NULL REFERENCES milestones(id) ON DELETE CASCADE,
    entries INTEGER NOT NULL,
    how TEXT NOT NULL CHECK (how IN ('import', 'confirmed')),
    user_id INTEGER REFERENCES users(id),
    at TEXT NOT NULL,
    UNIQUE (new_milestone_id),
    UNIQUE (to_version_id, old_milestone_id)
);
CREATE INDEX carry_overs_by_old ON carry_overs (old_milestone_id);
