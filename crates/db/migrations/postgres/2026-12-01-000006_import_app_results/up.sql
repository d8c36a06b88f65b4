-- What a remote app answered to its part of an import. Written once the app has answered, so a
-- resumed import does not call the app again; the app itself counts entries it already holds
-- from an earlier, unanswered call as duplicates.
CREATE TABLE import_app_results (
    import_id TEXT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    app TEXT NOT NULL,
    -- The app's part of the report (an AppReport), as JSON.
    report TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (import_id, app)
);
