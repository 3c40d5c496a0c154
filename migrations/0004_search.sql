-- 0004: the search index (docs/search.md). One row per searchable thing —
-- a live dataset, one of its columns, a job, a glossary term — written by
-- the store in the same transaction as the thing itself, so the index is
-- never behind a write, whichever path made it (API, OpenLineage, sync).
--
-- search_docs holds the text (FTS5 reads it back for highlights: an
-- "external content" table) and what the filters and facets need; the FTS5
-- table search_fts indexes its text columns. The triggers are FTS5's
-- documented way of keeping the two in step.
--
-- Multi-valued columns (tags, owners, terms) are newline-separated: the
-- tokenizer treats a newline as a separator, and the facets split on it.

CREATE TABLE search_docs (
  id          INTEGER PRIMARY KEY,
  kind        INTEGER NOT NULL,  -- cadastre.v1.SearchHit.Type
  ref_id      INTEGER NOT NULL,  -- datasets.id, dataset_fields.id, jobs.id or glossary_terms.id
  dataset_id  INTEGER,           -- DATASET and FIELD: whose access rules apply
  namespace   TEXT    NOT NULL DEFAULT '',
  dataset     TEXT    NOT NULL DEFAULT '',
  field       TEXT    NOT NULL DEFAULT '',
  domain      TEXT    NOT NULL DEFAULT '',
  created_by  TEXT    NOT NULL DEFAULT '',
  title       TEXT    NOT NULL,  -- the name as shown: the dataset's, column's, job's or term's
  -- Exact-match keys, lower case: the name, "{ns}.{name}", and the name's
  -- last segment ("customers" of "public.customers").
  name_key      TEXT NOT NULL,
  qualified_key TEXT NOT NULL,
  short_key     TEXT NOT NULL,
  -- Indexed text.
  name        TEXT    NOT NULL,  -- the name and its words ("customerId customer Id")
  columns     TEXT    NOT NULL DEFAULT '',  -- DATASET: its column names
  description TEXT    NOT NULL DEFAULT '',
  tags        TEXT    NOT NULL DEFAULT '',
  owners      TEXT    NOT NULL DEFAULT '',
  body        TEXT    NOT NULL DEFAULT '',  -- SQL, types, synonyms, linked terms, a column's dataset
  -- Shown, not indexed.
  terms       TEXT    NOT NULL DEFAULT '',
  data_type   TEXT    NOT NULL DEFAULT '',
  updated_at  INTEGER,
  UNIQUE (kind, ref_id)
) STRICT;
CREATE INDEX search_docs_by_dataset ON search_docs (dataset_id);
CREATE INDEX search_docs_by_name ON search_docs (name_key);
CREATE INDEX search_docs_by_qualified ON search_docs (qualified_key);
CREATE INDEX search_docs_by_short ON search_docs (short_key);

CREATE VIRTUAL TABLE search_fts USING fts5 (
  name, columns, description, tags, owners, body,
  content = 'search_docs', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '2 3'
);

CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN
  INSERT INTO search_fts (rowid, name, columns, description, tags, owners, body)
  VALUES (new.id, new.name, new.columns, new.description, new.tags, new.owners, new.body);
END;
CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN
  INSERT INTO search_fts (search_fts, rowid, name, columns, description, tags, owners, body)
  VALUES ('delete', old.id, old.name, old.columns, old.description, old.tags, old.owners, old.body);
END;
CREATE TRIGGER search_docs_au AFTER UPDATE ON search_docs BEGIN
  INSERT INTO search_fts (search_fts, rowid, name, columns, description, tags, owners, body)
  VALUES ('delete', old.id, old.name, old.columns, old.description, old.tags, old.owners, old.body);
  INSERT INTO search_fts (rowid, name, columns, description, tags, owners, body)
  VALUES (new.id, new.name, new.columns, new.description, new.tags, new.owners, new.body);
END;

-- The index's vocabulary, for correcting misspelt words.
CREATE VIRTUAL TABLE search_vocab USING fts5vocab (search_fts, 'row');

-- Bumped by every change to the index, so that a reader can tell its
-- cached vocabulary is stale with one cheap query. `built` is 0 until the
-- store has indexed what existed before this migration.
CREATE TABLE search_state (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  generation INTEGER NOT NULL,
  built      INTEGER NOT NULL
) STRICT;
INSERT INTO search_state (id, generation, built) VALUES (1, 0, 0);
