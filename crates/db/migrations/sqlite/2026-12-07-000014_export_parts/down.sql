DROP TABLE export_parts;
