-- Every export and import created, for the per-user rate limit. Kept apart from `exports` and
-- `imports` because a user may delete those rows, which must not give creations back.
CREATE TABLE creations (
    -- The id of the export or import created.
    id TEXT PRIMARY KEY NOT NULL,
    owner_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX creations_owner_created ON creations (owner_id, created_at);
CREATE INDEX creations_created ON creations (created_at);
