CREATE TABLE imports (
    id TEXT PRIMARY KEY NOT NULL,
    owner_id TEXT NOT NULL,
    owner_name TEXT,
    -- The token's rights at upload time, as a JSON array: the jobs that judge and import the
    -- archive run without the user's token.
    owner_rights TEXT NOT NULL,
    file_name TEXT NOT NULL,
    -- NULL once the uploaded archive has been removed from the store.
    object_key TEXT,
    size BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('uploaded', 'analysing', 'analysed', 'queued', 'running', 'done', 'failed')),
    job_id TEXT,
    analysis TEXT,
    selected_apps TEXT,
    report TEXT,
    files_done BIGINT NOT NULL DEFAULT 0,
    files_total BIGINT NOT NULL DEFAULT 0,
    bytes_done BIGINT NOT NULL DEFAULT 0,
    bytes_total BIGINT NOT NULL DEFAULT 0,
    error_code TEXT,
    error_message TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP,
    finished_at TIMESTAMP
);
CREATE INDEX imports_owner_created ON imports (owner_id, created_at);
-- One import in progress per user, enforced by the database so two racing uploads cannot both
-- start one. An analysed import waits for its owner and does not count.
CREATE UNIQUE INDEX imports_one_active_per_owner ON imports (owner_id)
    WHERE status IN ('uploaded', 'analysing', 'queued', 'running');

-- What became of each entry of an archive: a resumed import skips what is already here, so
-- running it twice creates nothing twice.
CREATE TABLE import_items (
    import_id TEXT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    app TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_id TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('imported', 'renamed', 'skipped', 'failed')),
    final_name TEXT,
    error_code TEXT,
    error_message TEXT,
    PRIMARY KEY (import_id, path)
);
