-- 0001: the catalog core — namespaces, datasets and their columns, owners,
-- classifications (tags), glossary terms, entity history, principals and
-- API tokens.
--
-- Conventions:
--   * Timestamps are INTEGER microseconds since the Unix epoch; NULL means
--     "not set" and round-trips to an unset google.protobuf.Timestamp.
--   * Enums are stored as their cadastre.v1 proto numbers.
--   * Lists the store never queries by element are JSON text.
--   * `position` columns keep the order a document listed things in, so a
--     document read back equals the document written.
--
-- The runner applies this file in one transaction and then sets
-- PRAGMA user_version = 1. Never edit it once released: add 0002_….sql.

CREATE TABLE namespaces (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  owner_name  TEXT    NOT NULL DEFAULT '',
  description TEXT    NOT NULL DEFAULT '',
  is_hidden   INTEGER NOT NULL DEFAULT 0 CHECK (is_hidden IN (0, 1)),
  created_at  INTEGER,
  updated_at  INTEGER
) STRICT;

-- Namespaces are hidden, never deleted, so datasets need no cascade.
CREATE TABLE datasets (
  id                     INTEGER PRIMARY KEY,
  namespace_id           INTEGER NOT NULL REFERENCES namespaces (id),
  name                   TEXT    NOT NULL,
  type                   INTEGER NOT NULL DEFAULT 0,  -- cadastre.v1.DatasetType
  physical_name          TEXT    NOT NULL DEFAULT '',
  source_name            TEXT    NOT NULL DEFAULT '',
  description            TEXT    NOT NULL DEFAULT '',
  display_name           TEXT    NOT NULL DEFAULT '',
  domain                 TEXT    NOT NULL DEFAULT '',
  update_frequency       TEXT    NOT NULL DEFAULT '',
  current_version        TEXT    NOT NULL DEFAULT '',
  custom_properties_json TEXT    NOT NULL DEFAULT '{}',
  facets_json            TEXT,  -- NULL: the document had no facets
  created_at             INTEGER,
  updated_at             INTEGER,
  last_modified_at       INTEGER,
  deleted                INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  UNIQUE (namespace_id, name)  -- also serves lookups and name-ordered lists
) STRICT;

-- AUTOINCREMENT so that a removed field's id is never handed to a new one:
-- lineage edges will name fields by id, and a reused id would silently
-- re-attach old lineage to an unrelated column.
CREATE TABLE dataset_fields (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  dataset_id  INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
  name        TEXT    NOT NULL,
  type        TEXT    NOT NULL DEFAULT '',
  description TEXT    NOT NULL DEFAULT '',
  nullable    INTEGER CHECK (nullable IN (0, 1)),  -- NULL: unknown
  ordinal     INTEGER NOT NULL DEFAULT 0,
  position    INTEGER NOT NULL DEFAULT 0,  -- breaks ties between ordinals
  UNIQUE (dataset_id, name)
) STRICT;

-- Hierarchical classifications. `parent` is derived from the name (the part
-- before the last '.', NULL for a root); the foreign key keeps the tree
-- whole even if a caller forgets to check for children.
CREATE TABLE tags (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  parent      TEXT    REFERENCES tags (name),
  description TEXT    NOT NULL DEFAULT '',
  propagate   INTEGER NOT NULL DEFAULT 0 CHECK (propagate IN (0, 1)),
  created_at  INTEGER,
  updated_at  INTEGER
) STRICT;
CREATE INDEX tags_by_parent ON tags (parent);

-- Links vanish with their dataset or field; a tag in use cannot be deleted
-- (no cascade from tags: the store refuses and names the dependents).
CREATE TABLE dataset_tags (
  dataset_id INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
  tag_id     INTEGER NOT NULL REFERENCES tags (id),
  position   INTEGER NOT NULL,
  PRIMARY KEY (dataset_id, tag_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX dataset_tags_by_tag ON dataset_tags (tag_id);

CREATE TABLE field_tags (
  field_id INTEGER NOT NULL REFERENCES dataset_fields (id) ON DELETE CASCADE,
  tag_id   INTEGER NOT NULL REFERENCES tags (id),
  position INTEGER NOT NULL,
  PRIMARY KEY (field_id, tag_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX field_tags_by_tag ON field_tags (tag_id);

CREATE TABLE dataset_owners (
  dataset_id INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
  name       TEXT    NOT NULL,
  type       INTEGER NOT NULL DEFAULT 0,  -- cadastre.v1.OwnerType
  role       INTEGER NOT NULL DEFAULT 0,  -- cadastre.v1.OwnershipRole
  position   INTEGER NOT NULL,
  PRIMARY KEY (dataset_id, name, role)
) STRICT, WITHOUT ROWID;

-- Related terms are JSON: they are read with the term, and the only query
-- by element (who names X as related?) runs on delete, over a glossary of
-- thousands of rows at most.
CREATE TABLE glossary_terms (
  id             INTEGER PRIMARY KEY,
  name           TEXT    NOT NULL UNIQUE,
  definition     TEXT    NOT NULL DEFAULT '',
  unit           TEXT    NOT NULL DEFAULT '',
  formula        TEXT    NOT NULL DEFAULT '',
  synonyms_json  TEXT    NOT NULL DEFAULT '[]',
  related_json   TEXT    NOT NULL DEFAULT '[]',
  parent         TEXT    REFERENCES glossary_terms (name),  -- NULL: a root
  status         INTEGER NOT NULL DEFAULT 0,  -- cadastre.v1.TermStatus
  reviewers_json TEXT    NOT NULL DEFAULT '[]',
  created_at     INTEGER,
  updated_at     INTEGER
) STRICT;
CREATE INDEX glossary_terms_by_parent ON glossary_terms (parent);

CREATE TABLE field_terms (
  field_id INTEGER NOT NULL REFERENCES dataset_fields (id) ON DELETE CASCADE,
  term_id  INTEGER NOT NULL REFERENCES glossary_terms (id),
  position INTEGER NOT NULL,
  PRIMARY KEY (field_id, term_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX field_terms_by_term ON field_terms (term_id);

-- History of any entity. changes_json is the JSON array of
-- cadastre.v1.FieldChange, snapshot_json the google.protobuf.Struct.
-- The unique key also serves "newest first" listings and MAX(version).
CREATE TABLE entity_versions (
  id            INTEGER PRIMARY KEY,
  entity_type   TEXT    NOT NULL,
  entity_key    TEXT    NOT NULL,
  version       INTEGER NOT NULL,
  created_at    INTEGER,
  actor         TEXT    NOT NULL DEFAULT '',
  operation     TEXT    NOT NULL DEFAULT '',
  changes_json  TEXT    NOT NULL DEFAULT '[]',
  snapshot_json TEXT,  -- NULL: no snapshot recorded
  UNIQUE (entity_type, entity_key, version)
) STRICT;

CREATE TABLE principals (
  name         TEXT    PRIMARY KEY,
  kind         TEXT    NOT NULL DEFAULT '',
  roles_json   TEXT    NOT NULL DEFAULT '[]',
  domains_json TEXT    NOT NULL DEFAULT '[]',
  teams_json   TEXT    NOT NULL DEFAULT '[]',
  created_at   INTEGER
) STRICT;

-- Only the SHA-256 of a token's secret is kept; lookups go by that hash.
CREATE TABLE tokens (
  id         TEXT    PRIMARY KEY,
  principal  TEXT    NOT NULL REFERENCES principals (name) ON DELETE CASCADE,
  hash       BLOB    NOT NULL UNIQUE,
  created_at INTEGER,
  expires_at INTEGER,  -- NULL: never expires
  revoked_at INTEGER   -- NULL: not revoked
) STRICT;
CREATE INDEX tokens_by_principal ON tokens (principal);
