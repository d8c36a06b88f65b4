ALTER TABLE export_schedules DROP COLUMN deliver_to;
DROP TABLE leavers;
