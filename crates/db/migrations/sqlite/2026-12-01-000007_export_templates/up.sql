-- A user's saved export settings: apps, filters, kind and table, reused by `POST /exports`.
CREATE TABLE export_templates (
    id TEXT PRIMARY KEY NOT NULL,
    owner_id TEXT NOT NULL,
    name TEXT NOT NULL,
    -- The apps, as a JSON array.
    apps TEXT NOT NULL,
    -- filters, kind and table, as the JSON of an export's options (no e-mail).
    options TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX export_templates_owner_name ON export_templates (owner_id, name);
