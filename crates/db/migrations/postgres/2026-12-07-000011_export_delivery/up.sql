-- Where an export's file was copied besides the download: the document made of it in the
-- owner's documents space, or the code of why it could not be (the space was full by then).
ALTER TABLE exports ADD COLUMN delivered_document_id TEXT;
ALTER TABLE exports ADD COLUMN delivery_error TEXT;
