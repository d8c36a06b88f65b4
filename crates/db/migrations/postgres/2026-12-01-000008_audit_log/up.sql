-- What administrators did: who, what, for whom, when. Written with the action it records.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY NOT NULL,
    actor_id TEXT NOT NULL,
    action TEXT NOT NULL,
    target_user_id TEXT,
    resource_id TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_created ON audit_log (created_at, id);
