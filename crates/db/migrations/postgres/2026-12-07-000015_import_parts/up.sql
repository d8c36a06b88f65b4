-- An import of an archive in parts: the parts it received, each judged by the analysis (its
-- number read from its own manifest, or the code it was refused with), and on the import the
-- set and count the first judged part gave. `waiting_since` is set while the import waits for
-- parts still missing; such an import expires like an upload nobody launched.
ALTER TABLE imports ADD COLUMN parts_set TEXT;
ALTER TABLE imports ADD COLUMN parts_count BIGINT;
ALTER TABLE imports ADD COLUMN waiting_since TIMESTAMP;
CREATE TABLE import_parts (
    import_id TEXT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    object_key TEXT NOT NULL,
    size BIGINT NOT NULL,
    part BIGINT,
    error_code TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (import_id, object_key)
);
