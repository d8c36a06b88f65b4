-- The leavers' window: a user whose account closes at `until_at` gets an export of all their
-- data, a link that downloads it without logging in until then, and reminders. One row per
-- user: declaring them again changes the row, never adds one. Each step is claimed by a
-- conditional UPDATE of its column, so several workers take it once.
CREATE TABLE leavers (
    user_id TEXT PRIMARY KEY NOT NULL,
    until_at TIMESTAMP NOT NULL,
    -- Where the e-mails go: the guardian's address when given (a minor), else the user's.
    email TEXT,
    guardian_email TEXT,
    lang TEXT NOT NULL,
    -- The export prepared for them, once made; not a foreign key: the export row outlives
    -- nothing here, and a deleted one is shown as such.
    export_id TEXT,
    -- The code of why the export could not be made (a quota), until declared again.
    export_error TEXT,
    -- The id the download links carry: a new one revokes every link given before.
    link_id TEXT NOT NULL,
    link_revoked_at TIMESTAMP,
    notified_at TIMESTAMP,
    -- The shortest reminder delay (days before `until_at`) already sent or passed.
    reminded_days INTEGER,
    downloaded_at TIMESTAMP,
    expired_at TIMESTAMP,
    -- The administrator (`admin id`) or operator (`cli:login`) who declared them last.
    declared_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX leavers_until ON leavers (until_at);
CREATE INDEX leavers_export ON leavers (export_id);
-- A schedule's runs may be delivered into the documents space as well (`documents`).
ALTER TABLE export_schedules ADD COLUMN deliver_to TEXT;
