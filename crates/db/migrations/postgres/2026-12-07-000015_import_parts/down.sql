DROP TABLE import_parts;
ALTER TABLE imports DROP COLUMN waiting_since;
ALTER TABLE imports DROP COLUMN parts_count;
ALTER TABLE imports DROP COLUMN parts_set;
