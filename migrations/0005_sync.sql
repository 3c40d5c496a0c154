-- 0005: sync (docs/sync.md). The ids other catalogs give Cadastre's
-- datasets and glossary terms, so that a sync document may name a record by
-- (externalSystem, externalId). One entity has at most one id per system,
-- and one id names at most one entity of a type.

CREATE TABLE external_ids (
  system       TEXT NOT NULL,
  entity_type  TEXT NOT NULL,  -- "dataset", "glossaryTerm" (as in entity_versions)
  external_id  TEXT NOT NULL,
  entity_key   TEXT NOT NULL,  -- as in entity_versions.entity_key
  PRIMARY KEY (system, entity_type, external_id)
) STRICT;

CREATE UNIQUE INDEX external_ids_by_entity ON external_ids (system, entity_type, entity_key);
