-- Recurring exports: each schedule makes an ordinary export every `every_months` months from
-- `anchor_at` while the occurrence is before `until_at`. `next_run_at` is the occurrence due
-- next: a worker claims it by moving it forward in the transaction that creates the export.
CREATE TABLE export_schedules (
    id TEXT PRIMARY KEY NOT NULL,
    owner_id TEXT NOT NULL,
    owner_name TEXT,
    -- The template whose settings each run takes; deleting it deletes the schedule.
    template_id TEXT REFERENCES export_templates (id) ON DELETE CASCADE,
    -- Without a template: the apps (JSON array) and options (JSON) saved with the schedule.
    apps TEXT,
    options TEXT,
    every_months INTEGER NOT NULL,
    anchor_at TIMESTAMP NOT NULL,
    until_at TIMESTAMP NOT NULL,
    next_run_at TIMESTAMP NOT NULL,
    -- Whether each run stays until its own expiry instead of expiring when the next is ready.
    keep_runs BOOLEAN NOT NULL,
    lang TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX export_schedules_owner ON export_schedules (owner_id);
CREATE INDEX export_schedules_due ON export_schedules (next_run_at);
-- The exports a schedule made, so the previous one expires when the next is ready.
CREATE TABLE export_schedule_runs (
    export_id TEXT PRIMARY KEY NOT NULL REFERENCES exports (id) ON DELETE CASCADE,
    schedule_id TEXT NOT NULL REFERENCES export_schedules (id) ON DELETE CASCADE,
    due_at TIMESTAMP NOT NULL
);
CREATE INDEX export_schedule_runs_schedule ON export_schedule_runs (schedule_id);
