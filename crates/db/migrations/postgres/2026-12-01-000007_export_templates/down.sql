DROP TABLE export_templates;
