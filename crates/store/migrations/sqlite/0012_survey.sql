-- SIPAS survey responses. A batch is one import (a CSV/XLSX file) or one paper form keyed in;
-- it records who brought it in, when, and how many rows were counted and not counted (the rows
-- not counted are listed in survey_exclusions with their line and reason; they are not kept as
-- responses). A form id is unique within a year: a re-imported file's responses already stored
-- are reported as duplicates and not counted again.
CREATE TABLE survey_batches (
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('file', 'paper')),
    file_name TEXT NOT NULL,
    imported_by INTEGER REFERENCES users(id),
    imported_at TEXT NOT NULL,
    accepted INTEGER NOT NULL,
    excluded INTEGER NOT NULL
);
CREATE INDEX survey_batches_by_year ON survey_batches (year);

CREATE TABLE survey_exclusions (
    batch_id INTEGER NOT NULL REFERENCES survey_batches(id) ON DELETE CASCADE,
    line INTEGER NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX survey_exclusions_by_batch ON survey_exclusions (batch_id);

CREATE TABLE survey_responses (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES survey_batches(id) ON DELETE CASCADE,
    year INTEGER NOT NULL,
    form_id TEXT NOT NULL,
    agency_id TEXT NOT NULL,
    line INTEGER NOT NULL,
    UNIQUE (year, form_id)
);
CREATE INDEX survey_responses_by_agency ON survey_responses (year, agency_id);

-- One rated item of a response (1 «Rất không hài lòng» … 5 «Rất hài lòng»).
CREATE TABLE survey_answers (
    response_id INTEGER NOT NULL REFERENCES survey_responses(id) ON DELETE CASCADE,
    item INTEGER NOT NULL,
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    PRIMARY KEY (response_id, item)
);
