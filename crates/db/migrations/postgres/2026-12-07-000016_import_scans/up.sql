-- The scan an import keeps of each archive it reads (its upload, or each part), so that the
-- import job takes it instead of scanning again. `size` and `etag` are the object's when it was
-- scanned: a scan is taken only while the object still answers the same.
CREATE TABLE import_scans (
    import_id TEXT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    object_key TEXT NOT NULL,
    size BIGINT NOT NULL,
    etag TEXT NOT NULL,
    scan BYTEA NOT NULL,
    PRIMARY KEY (import_id, object_key)
);
