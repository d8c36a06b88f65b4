-- How many times a job was taken over from a worker that stopped answering (its heartbeat went
-- stale). A takeover resumes the same attempt: it is bounded by `queue.max_takeovers`, not by
-- the job's attempts, which count runs that failed.
ALTER TABLE jobs ADD COLUMN takeovers INTEGER NOT NULL DEFAULT 0;
