-- `DonViXuLy` codes of the one-stop-shop exports that are neither a directory agency id nor a
-- GSO statistical code (the province system's own unit codes, say), mapped by Sở Nội vụ to an
-- agency of the directory. A mapped code wins over the id and GSO lookups.
CREATE TABLE dossier_agency_codes (
    code TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL
);
