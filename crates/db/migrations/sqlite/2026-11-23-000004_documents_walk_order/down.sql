DROP INDEX documents_parent_order;
