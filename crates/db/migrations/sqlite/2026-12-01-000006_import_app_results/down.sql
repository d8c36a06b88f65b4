DROP TABLE import_app_results;
