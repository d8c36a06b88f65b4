CREATE TABLE entries (
    id TEXT PRIMARY KEY NOT NULL,
    owner_id TEXT NOT NULL,
    title TEXT NOT NULL,
    subject TEXT NOT NULL,
    due_date DATE NOT NULL,
    content_html TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX entries_owner ON entries (owner_id, id);

CREATE TABLE entry_shares (
    entry_id TEXT NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (entry_id, user_id)
);
CREATE INDEX entry_shares_user ON entry_shares (user_id, entry_id);

CREATE TABLE attachments (
    id TEXT PRIMARY KEY NOT NULL,
    entry_id TEXT NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    object_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX attachments_entry ON attachments (entry_id, created_at, id);

-- What each import call created, by the archive path of the line: a retried import finds its
-- earlier lines here and does not create them twice.
CREATE TABLE import_items (
    import_id TEXT NOT NULL,
    path TEXT NOT NULL,
    new_id TEXT NOT NULL,
    old_id TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (import_id, path)
);
