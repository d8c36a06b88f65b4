ALTER TABLE exports DROP COLUMN delivery_error;
ALTER TABLE exports DROP COLUMN delivered_document_id;
