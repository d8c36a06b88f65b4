DROP TABLE instance_keys;
DROP TABLE notifications;
DROP TABLE export_entries;
DROP TABLE exports;
