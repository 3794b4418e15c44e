-- Up Migration

-- A version per kind of data the HTTP processes keep in memory (the registry, the cycles with
-- their calendars, the templates the cycles keep), bumped by a trigger in the writer's own
-- transaction on every write to those tables. A process checks it with one small query and
-- reloads what moved, whoever wrote: the operations, another process, a migration or psql.
CREATE TABLE read_versions (
  subject text   PRIMARY KEY,
  version bigint NOT NULL
);
INSERT INTO read_versions (subject, version) VALUES ('registry', 1), ('cycles', 1), ('templates', 1);

CREATE FUNCTION bump_read_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE read_versions SET version = version + 1 WHERE subject = TG_ARGV[0];
  RETURN NULL;
END;
$$;

CREATE TRIGGER organisations_read_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organisations
  FOR EACH STATEMENT EXECUTE FUNCTION bump_read_version('registry');
CREATE TRIGGER priority_areas_read_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON priority_areas
  FOR EACH STATEMENT EXECUTE FUNCTION bump_read_version('registry');
CREATE TRIGGER cycles_read_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cycles
  FOR EACH STATEMENT EXECUTE FUNCTION bump_read_version('cycles');
CREATE TRIGGER cycle_templates_read_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cycle_templates
  FOR EACH STATEMENT EXECUTE FUNCTION bump_read_version('templates');

-- A board's page finds its deliverables across cycles and its mails by the answering board.
CREATE INDEX deliverable_status_answering_board_idx ON deliverable_status (municipality, answering_board_id);

-- Down Migration
DROP INDEX deliverable_status_answering_board_idx;
DROP TRIGGER cycle_templates_read_version ON cycle_templates;
DROP TRIGGER cycles_read_version ON cycles;
DROP TRIGGER priority_areas_read_version ON priority_areas;
DROP TRIGGER organisations_read_version ON organisations;
DROP FUNCTION bump_read_version();
DROP TABLE read_versions;
