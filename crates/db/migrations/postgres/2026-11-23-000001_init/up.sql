-- Types are those both backends share (TEXT ids, TIMESTAMP in UTC, JSON as TEXT) so one diesel
-- schema serves Postgres and SQLite.
CREATE TABLE documents (
    id TEXT PRIMARY KEY NOT NULL,
    owner_id TEXT NOT NULL,
    parent_id TEXT REFERENCES documents (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('file', 'folder')),
    name TEXT NOT NULL,
    object_key TEXT,
    content_type TEXT,
    size BIGINT NOT NULL DEFAULT 0,
    sha256 TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX documents_owner_parent ON documents (owner_id, parent_id);
CREATE INDEX documents_parent ON documents (parent_id);

CREATE TABLE document_shares (
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (document_id, user_id)
);
CREATE INDEX document_shares_user ON document_shares (user_id);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    heartbeat_at TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE INDEX jobs_status_updated ON jobs (status, updated_at);
