DROP TABLE jobs;
DROP TABLE document_shares;
DROP TABLE documents;
