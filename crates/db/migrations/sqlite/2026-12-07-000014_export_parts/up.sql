-- The parts of an export written in parts: each a complete zip of its own, published as soon as
-- it is finished, so the first can be downloaded while the last is written. `parts_total` is
-- the same on every row of an export: the plan is made before the first part is written.
CREATE TABLE export_parts (
    export_id TEXT NOT NULL REFERENCES exports (id) ON DELETE CASCADE,
    part BIGINT NOT NULL,
    parts_total BIGINT NOT NULL,
    object_key TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (export_id, part)
);
