-- Hand-over of the open milestones of an agency that ended to its successor: the milestone (with
-- its append-only progress history) moves to the successor's assignment of the same activity;
-- each move is recorded here (who, when, from which agency and assignment).
CREATE TABLE milestone_transfers (
    id INTEGER PRIMARY KEY,
    milestone_id INTEGER NOT NULL REFERENCES milestones(id) ON DELETE CASCADE,
    from_assignment_id INTEGER NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
    to_assignment_id INTEGER NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
    from_agency TEXT NOT NULL,
    to_agency TEXT NOT NULL,
    old_label TEXT NOT NULL,
    transferred_by INTEGER REFERENCES users(id),
    transferred_at TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX milestone_transfers_by_milestone ON milestone_transfers (milestone_id);
