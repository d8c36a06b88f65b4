DROP TABLE export_schedule_runs;
DROP TABLE export_schedules;
