-- The history and events of one report are read on every view of its page: without these
-- indexes each view scanned every value change of every agency (a full table at the deadline).
CREATE INDEX report_value_history_by_report ON report_value_history (report_id, id);
CREATE INDEX report_events_by_report ON report_events (report_id, id);
