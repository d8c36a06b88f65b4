ALTER TABLE jobs DROP COLUMN takeovers;
