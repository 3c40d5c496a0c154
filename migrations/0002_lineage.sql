-- 0002: lineage — classification blocks on columns, jobs, runs, raw
-- OpenLineage events, the dataset-level graph (job_io) and column edges.
-- docs/lineage.md explains the model. Conventions as in 0001 (times are
-- INTEGER microseconds since the epoch, NULL when unset; facets are the
-- google.protobuf.Struct as JSON text, NULL when absent).
--
-- What survives what:
--   * A dataset is soft-deleted (datasets.deleted), never removed by the
--     store, so its job_io rows and column edges simply stay: lineage
--     history outlives the dataset's visibility.
--   * PutDataset does remove the fields a document no longer lists. Edges
--     that name a removed field (as source or target) are deleted with it
--     (ON DELETE CASCADE): an edge into or out of a column that no longer
--     exists would point at nothing, and field ids are never reused
--     (AUTOINCREMENT in 0001), so the edge could never be re-attached. The
--     raw events keep the record of what the lineage once said.
--   * Jobs are never deleted; runs, job_io and edges refer to them without
--     cascade.
--
-- Never edit this file once released: add 0003_….sql.

-- Classifications a column refuses to inherit through lineage. Like the
-- other links: gone with the field, and a blocked tag cannot be deleted
-- (no cascade from tags; TagDependents names the column).
CREATE TABLE field_tag_blocks (
  field_id INTEGER NOT NULL REFERENCES dataset_fields (id) ON DELETE CASCADE,
  tag_id   INTEGER NOT NULL REFERENCES tags (id),
  position INTEGER NOT NULL,
  PRIMARY KEY (field_id, tag_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX field_tag_blocks_by_tag ON field_tag_blocks (tag_id);

-- Job namespaces are OpenLineage namespaces, not catalog namespaces, so
-- they are plain text. The parent is named, not referenced: a child job's
-- event may arrive before its parent's.
CREATE TABLE jobs (
  id                   INTEGER PRIMARY KEY,
  ns                   TEXT    NOT NULL,
  name                 TEXT    NOT NULL,
  type                 TEXT    NOT NULL DEFAULT '',  -- "BATCH", "STREAM", "SERVICE"
  description          TEXT    NOT NULL DEFAULT '',
  location             TEXT    NOT NULL DEFAULT '',
  integration          TEXT    NOT NULL DEFAULT '',
  job_type             TEXT    NOT NULL DEFAULT '',
  sql                  TEXT    NOT NULL DEFAULT '',
  source_code_language TEXT    NOT NULL DEFAULT '',
  source_code          TEXT    NOT NULL DEFAULT '',
  parent_ns            TEXT,  -- NULL: no parent job
  parent_name          TEXT,
  facets_json          TEXT,
  created_at           INTEGER,
  updated_at           INTEGER,
  UNIQUE (ns, name)  -- also serves lookups and name-ordered lists
) STRICT;

CREATE TABLE runs (
  id                 TEXT    PRIMARY KEY,  -- the OpenLineage runId
  job_id             INTEGER NOT NULL REFERENCES jobs (id),
  state              INTEGER NOT NULL DEFAULT 0,  -- cadastre.v1.RunState
  created_at         INTEGER,
  updated_at         INTEGER,
  nominal_start_time INTEGER,
  nominal_end_time   INTEGER,
  started_at         INTEGER,
  ended_at           INTEGER,
  last_event_time    INTEGER,
  parent_run_id      TEXT    NOT NULL DEFAULT '',  -- may name a run not seen yet
  facets_json        TEXT
) STRICT;
-- A job's runs newest first, and its latest run.
CREATE INDEX runs_by_job ON runs (job_id, created_at);

-- Raw events, verbatim (canonical JSON). `seq` is the arrival order that
-- breaks ties between equal event times; `hash` (SHA-256 of `json`) makes
-- ingestion idempotent.
CREATE TABLE lineage_events (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  hash       BLOB    NOT NULL UNIQUE,
  event_time INTEGER NOT NULL,
  event_type TEXT    NOT NULL DEFAULT '',  -- "" for dataset and job events
  run_id     TEXT    NOT NULL DEFAULT '',
  job_ns     TEXT    NOT NULL DEFAULT '',
  job_name   TEXT    NOT NULL DEFAULT '',
  producer   TEXT    NOT NULL DEFAULT '',
  json       TEXT    NOT NULL
) STRICT;
CREATE INDEX lineage_events_by_time ON lineage_events (event_time, seq);

-- The dataset-level graph: which datasets a job reads (output = 0) and
-- writes (output = 1).
CREATE TABLE job_io (
  job_id     INTEGER NOT NULL REFERENCES jobs (id),
  dataset_id INTEGER NOT NULL REFERENCES datasets (id),
  output     INTEGER NOT NULL CHECK (output IN (0, 1)),
  first_seen INTEGER NOT NULL,
  last_seen  INTEGER NOT NULL,
  PRIMARY KEY (job_id, dataset_id, output)
) STRICT, WITHOUT ROWID;
CREATE INDEX job_io_by_dataset ON job_io (dataset_id);

-- Column edges: values of source_field flow into target_field (NULL: into
-- target_dataset as a whole) through job_id. One row per validity interval,
-- not per run; valid_to is NULL while the edge holds (kOpenEnd in the
-- store API).
CREATE TABLE column_edges (
  id             INTEGER PRIMARY KEY,
  source_field   INTEGER NOT NULL REFERENCES dataset_fields (id) ON DELETE CASCADE,
  target_dataset INTEGER NOT NULL REFERENCES datasets (id),
  target_field   INTEGER REFERENCES dataset_fields (id) ON DELETE CASCADE,
  job_id         INTEGER NOT NULL REFERENCES jobs (id),
  type           TEXT    NOT NULL DEFAULT '',  -- "DIRECT" / "INDIRECT"
  subtype        TEXT    NOT NULL DEFAULT '',
  description    TEXT    NOT NULL DEFAULT '',
  masking        INTEGER NOT NULL DEFAULT 0 CHECK (masking IN (0, 1)),
  first_seen     INTEGER NOT NULL,
  last_seen      INTEGER NOT NULL,
  valid_from     INTEGER NOT NULL,
  valid_to       INTEGER  -- NULL: the edge holds
) STRICT;
-- OpenEdgesInto(job, target_dataset): the partial index holds open edges only.
CREATE INDEX column_edges_open_into ON column_edges (job_id, target_dataset)
  WHERE valid_to IS NULL;
-- OpenEdgesOfDataset: by target dataset, and by source field (whose
-- dataset is found through dataset_fields); also what the cascades from
-- dataset_fields search.
CREATE INDEX column_edges_by_target_dataset ON column_edges (target_dataset)
  WHERE valid_to IS NULL;
CREATE INDEX column_edges_by_source ON column_edges (source_field);
CREATE INDEX column_edges_by_target_field ON column_edges (target_field);
