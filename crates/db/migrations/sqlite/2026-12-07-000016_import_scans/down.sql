DROP TABLE import_scans;
