-- Pages of a folder's children in archive order (folders first, name, id) come from the index
-- instead of a sort of the whole folder per page.
CREATE INDEX documents_parent_order ON documents (parent_id, kind, name, id);
