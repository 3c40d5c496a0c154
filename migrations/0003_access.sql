-- 0003: access control — custom roles, grants, masking policies, dataset
-- samples, and who created each dataset (a pipeline may edit the datasets
-- it produced).
--
-- Roles, grants and policies are few and always read whole into memory, so
-- each is kept as its protobuf JSON document plus the columns that other
-- tables reference.

ALTER TABLE datasets ADD COLUMN created_by TEXT NOT NULL DEFAULT '';

CREATE TABLE roles (
  name      TEXT PRIMARY KEY,
  body_json TEXT NOT NULL  -- cadastre.v1.Role
) STRICT;

CREATE TABLE grants (
  id        TEXT PRIMARY KEY,
  principal TEXT NOT NULL REFERENCES principals (name) ON DELETE CASCADE,
  role      TEXT NOT NULL,
  body_json TEXT NOT NULL  -- cadastre.v1.Grant
) STRICT;
CREATE INDEX grants_by_principal ON grants (principal);
CREATE INDEX grants_by_role ON grants (role);

CREATE TABLE masking_policies (
  name      TEXT PRIMARY KEY,
  tag       TEXT NOT NULL REFERENCES tags (name),
  body_json TEXT NOT NULL  -- cadastre.v1.MaskingPolicy
) STRICT;
CREATE INDEX masking_policies_by_tag ON masking_policies (tag);

CREATE TABLE dataset_samples (
  dataset_id INTEGER PRIMARY KEY REFERENCES datasets (id) ON DELETE CASCADE,
  body_json  TEXT    NOT NULL  -- cadastre.v1.DatasetSample, as uploaded
) STRICT;
