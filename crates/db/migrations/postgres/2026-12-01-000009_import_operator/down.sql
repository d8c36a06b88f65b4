ALTER TABLE imports DROP COLUMN cancel_requested_at;
ALTER TABLE imports DROP COLUMN auto_apps;
