-- An import started for a user by an operator (admin API, CLI) carries the apps to launch
-- once analysed: JSON, "all" or an array of app ids. The analysis job launches it in the
-- transaction that saves the analysis, so a crash between the two steps loses nothing.
ALTER TABLE imports ADD COLUMN auto_apps TEXT;
-- Set when a running import is asked to stop; the job stops between two entries, commits what
-- it has done and ends the import failed with `import_cancelled` and the report of that part.
ALTER TABLE imports ADD COLUMN cancel_requested_at TIMESTAMP;
