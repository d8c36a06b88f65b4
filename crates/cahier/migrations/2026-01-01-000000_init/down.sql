DROP TABLE import_items;
DROP TABLE attachments;
DROP TABLE entry_shares;
DROP TABLE entries;
