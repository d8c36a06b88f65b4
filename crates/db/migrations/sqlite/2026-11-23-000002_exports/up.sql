CREATE TABLE exports (
    id TEXT PRIMARY KEY NOT NULL,
    owner_id TEXT NOT NULL,
    owner_name TEXT,
    name TEXT NOT NULL,
    apps TEXT NOT NULL,
    options TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'ready', 'failed', 'expired', 'cancelled')),
    job_id TEXT,
    files_done BIGINT NOT NULL DEFAULT 0,
    files_total BIGINT NOT NULL DEFAULT 0,
    bytes_done BIGINT NOT NULL DEFAULT 0,
    bytes_total BIGINT NOT NULL DEFAULT 0,
    object_key TEXT,
    size BIGINT,
    sha256 TEXT,
    app_outcomes TEXT,
    error_code TEXT,
    error_message TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    expires_at TIMESTAMP
);
CREATE INDEX exports_owner_created ON exports (owner_id, created_at);
-- One export in progress per user, enforced by the database so two racing requests cannot
-- both start one.
CREATE UNIQUE INDEX exports_one_active_per_owner ON exports (owner_id)
    WHERE status IN ('queued', 'running');

CREATE TABLE export_entries (
    export_id TEXT NOT NULL REFERENCES exports (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    path TEXT NOT NULL,
    app TEXT NOT NULL,
    size BIGINT NOT NULL,
    PRIMARY KEY (export_id, seq)
);

CREATE TABLE notifications (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    resource_id TEXT,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX notifications_user_created ON notifications (user_id, created_at);

CREATE TABLE instance_keys (
    id TEXT PRIMARY KEY NOT NULL,
    key_id TEXT NOT NULL,
    private_pkcs8 TEXT NOT NULL,
    public_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
