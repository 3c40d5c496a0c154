// Namespaces and datasets, plus the helpers every part of SqliteTxn uses.
#include "server/store/sqlite_txn.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/common/status.h"
#include "server/store/sqlite_codec.h"

namespace cadastre::store {

// -------------------------------------------------------------------- helpers

std::string DescribeDependents(std::string_view what, const std::vector<std::string>& dependents,
                               size_t shown) {
  std::string message =
      absl::StrCat(Absl(what), ": ",
                   absl::StrJoin(dependents.begin(),
                                 dependents.begin() + std::min(shown, dependents.size()), ", "));
  if (dependents.size() > shown) absl::StrAppend(&message, ", …");
  return message;
}

int64_t SqlLimit(const Page& page) { return page.limit < 0 ? -1 : page.limit; }
int64_t SqlOffset(const Page& page) { return page.offset < 0 ? 0 : page.offset; }

absl::StatusOr<std::optional<int64_t>> SqliteTxn::FindId(std::string_view sql,
                                                         std::string_view key) {
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(sql));
  stmt.Bind(key);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt.Int(0));
}

absl::StatusOr<std::optional<int64_t>> SqliteTxn::FindId(std::string_view sql,
                                                         std::string_view key1,
                                                         std::string_view key2) {
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(sql));
  stmt.BindAll(key1, key2);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt.Int(0));
}

absl::StatusOr<std::optional<int64_t>> SqliteTxn::FindId(std::string_view sql, int64_t key) {
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(sql));
  stmt.Bind(key);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt.Int(0));
}

absl::Status SqliteTxn::Atomically(const std::function<absl::Status()>& fn) {
  {
    ASSIGN_OR_RETURN(Statement begin, db_.Prepare("SAVEPOINT txn_method"));
    RETURN_IF_ERROR(begin.Run());
  }
  absl::Status status = fn();
  if (!status.ok()) {
    ASSIGN_OR_RETURN(Statement undo, db_.Prepare("ROLLBACK TO txn_method"));
    RETURN_IF_ERROR(undo.Run());
  }
  ASSIGN_OR_RETURN(Statement release, db_.Prepare("RELEASE txn_method"));
  RETURN_IF_ERROR(release.Run());
  return status;
}

// ----------------------------------------------------------------- namespaces

namespace {

constexpr std::string_view kFindNamespace = "SELECT id FROM namespaces WHERE name = ?";

void ReadNamespaceRow(const Statement& row, v1::Namespace* ns) {
  ns->set_name(row.Text(0));
  ns->set_owner_name(row.Text(1));
  ns->set_description(row.Text(2));
  ns->set_is_hidden(row.Bool(3));
  SetTimestamp(row.OptionalInt(4), ns, &v1::Namespace::mutable_created_at);
  SetTimestamp(row.OptionalInt(5), ns, &v1::Namespace::mutable_updated_at);
}

}  // namespace

absl::StatusOr<v1::Namespace> SqliteTxn::GetNamespace(std::string_view name) {
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("SELECT name, owner_name, description, is_hidden, "
                                               "created_at, updated_at FROM namespaces "
                                               "WHERE name = ?"));
  stmt.Bind(name);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return NotFoundError(absl::StrCat("namespace ", Quoted(name)));
  v1::Namespace ns;
  ReadNamespaceRow(stmt, &ns);
  return ns;
}

absl::StatusOr<Listing<v1::Namespace>> SqliteTxn::ListNamespaces(Page page, bool include_hidden) {
  Listing<v1::Namespace> listing;
  {
    ASSIGN_OR_RETURN(Statement count, db_.Prepare("SELECT COUNT(*) FROM namespaces "
                                                  "WHERE ? OR is_hidden = 0"));
    count.Bind(include_hidden);
    ASSIGN_OR_RETURN(bool row, count.Step());
    if (row) listing.total_count = static_cast<int>(count.Int(0));
  }
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("SELECT name, owner_name, description, is_hidden, "
                                               "created_at, updated_at FROM namespaces "
                                               "WHERE ? OR is_hidden = 0 "
                                               "ORDER BY name LIMIT ? OFFSET ?"));
  stmt.BindAll(include_hidden, SqlLimit(page), SqlOffset(page));
  RETURN_IF_ERROR(stmt.ForEachRow([&](const Statement&) {
    ReadNamespaceRow(stmt, &listing.items.emplace_back());
  }));
  return listing;
}

absl::Status SqliteTxn::PutNamespace(const v1::Namespace& ns) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("INSERT INTO namespaces (name, owner_name, description, "
                               "is_hidden, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
                               "ON CONFLICT (name) DO UPDATE SET "
                               "owner_name = excluded.owner_name, "
                               "description = excluded.description, "
                               "is_hidden = excluded.is_hidden, "
                               "created_at = COALESCE(namespaces.created_at, excluded.created_at), "
                               "updated_at = excluded.updated_at"));
  stmt.BindAll(ns.name(), ns.owner_name(), ns.description(), ns.is_hidden(),
               ToMicros(ns.has_created_at(), ns.created_at()),
               ToMicros(ns.has_updated_at(), ns.updated_at()));
  return stmt.Run();
}

// ------------------------------------------------------------------- datasets

namespace {

// Columns 0..17 of every dataset query, in the order ReadDatasetRow reads.
#define CADASTRE_DATASET_COLUMNS                                               \
  "d.id, n.name, d.name, d.type, d.physical_name, d.source_name, "             \
  "d.description, d.display_name, d.domain, d.update_frequency, "              \
  "d.current_version, d.custom_properties_json, d.facets_json, d.created_at, " \
  "d.updated_at, d.last_modified_at, d.deleted, d.created_by "                 \
  "FROM datasets d JOIN namespaces n ON n.id = d.namespace_id "

absl::Status ReadDatasetRow(const Statement& row, v1::Dataset* dataset) {
  std::string ns = row.Text(1);
  std::string name = row.Text(2);
  dataset->mutable_id()->set_namespace_(ns);
  dataset->mutable_id()->set_name(name);
  dataset->set_namespace_(std::move(ns));
  dataset->set_name(std::move(name));
  dataset->set_type(static_cast<v1::DatasetType>(row.Int(3)));
  dataset->set_physical_name(row.Text(4));
  dataset->set_source_name(row.Text(5));
  dataset->set_description(row.Text(6));
  dataset->set_display_name(row.Text(7));
  dataset->set_domain(row.Text(8));
  dataset->set_update_frequency(row.Text(9));
  dataset->set_current_version(row.Text(10));
  RETURN_IF_ERROR(JsonToMap(row.Text(11), dataset->mutable_custom_properties()));
  if (!row.IsNull(12)) {
    RETURN_IF_ERROR(JsonToStruct(row.Text(12), dataset->mutable_facets()));
  }
  SetTimestamp(row.OptionalInt(13), dataset, &v1::Dataset::mutable_created_at);
  SetTimestamp(row.OptionalInt(14), dataset, &v1::Dataset::mutable_updated_at);
  SetTimestamp(row.OptionalInt(15), dataset, &v1::Dataset::mutable_last_modified_at);
  dataset->set_deleted(row.Bool(16));
  dataset->set_created_by(row.Text(17));
  return absl::OkStatus();
}

}  // namespace

absl::Status SqliteTxn::LoadDatasetParts(int64_t dataset_id, v1::Dataset* dataset) {
  std::map<int64_t, v1::Field*> by_id;
  {
    ASSIGN_OR_RETURN(Statement fields,
                     db_.Prepare("SELECT id, name, type, description, nullable, "
                                 "ordinal FROM dataset_fields WHERE dataset_id = ? "
                                 "ORDER BY ordinal, position"));
    fields.Bind(dataset_id);
    while (true) {
      ASSIGN_OR_RETURN(bool row, fields.Step());
      if (!row) break;
      v1::Field* field = dataset->add_fields();
      by_id[fields.Int(0)] = field;
      field->set_name(fields.Text(1));
      field->set_type(fields.Text(2));
      field->set_description(fields.Text(3));
      if (!fields.IsNull(4)) field->set_nullable(fields.Bool(4));
      field->set_ordinal_position(static_cast<int32_t>(fields.Int(5)));
    }
  }
  // One query per link table for the whole dataset, not one per field.
  {
    ASSIGN_OR_RETURN(Statement tags, db_.Prepare("SELECT ft.field_id, t.name FROM field_tags ft "
                                                 "JOIN dataset_fields f ON f.id = ft.field_id "
                                                 "JOIN tags t ON t.id = ft.tag_id "
                                                 "WHERE f.dataset_id = ? "
                                                 "ORDER BY ft.field_id, ft.position"));
    tags.Bind(dataset_id);
    while (true) {
      ASSIGN_OR_RETURN(bool row, tags.Step());
      if (!row) break;
      by_id[tags.Int(0)]->add_tags(tags.Text(1));
    }
  }
  {
    ASSIGN_OR_RETURN(Statement terms, db_.Prepare("SELECT ft.field_id, t.name FROM field_terms ft "
                                                  "JOIN dataset_fields f ON f.id = ft.field_id "
                                                  "JOIN glossary_terms t ON t.id = ft.term_id "
                                                  "WHERE f.dataset_id = ? "
                                                  "ORDER BY ft.field_id, ft.position"));
    terms.Bind(dataset_id);
    while (true) {
      ASSIGN_OR_RETURN(bool row, terms.Step());
      if (!row) break;
      by_id[terms.Int(0)]->add_glossary_terms(terms.Text(1));
    }
  }
  {
    ASSIGN_OR_RETURN(Statement blocks,
                     db_.Prepare("SELECT b.field_id, t.name FROM field_tag_blocks b "
                                 "JOIN dataset_fields f ON f.id = b.field_id "
                                 "JOIN tags t ON t.id = b.tag_id "
                                 "WHERE f.dataset_id = ? "
                                 "ORDER BY b.field_id, b.position"));
    blocks.Bind(dataset_id);
    while (true) {
      ASSIGN_OR_RETURN(bool row, blocks.Step());
      if (!row) break;
      by_id[blocks.Int(0)]->add_blocked_tags(blocks.Text(1));
    }
  }
  {
    ASSIGN_OR_RETURN(Statement tags, db_.Prepare("SELECT t.name FROM dataset_tags dt "
                                                 "JOIN tags t ON t.id = dt.tag_id "
                                                 "WHERE dt.dataset_id = ? ORDER BY dt.position"));
    tags.Bind(dataset_id);
    while (true) {
      ASSIGN_OR_RETURN(bool row, tags.Step());
      if (!row) break;
      dataset->add_tags(tags.Text(0));
    }
  }
  ASSIGN_OR_RETURN(Statement owners, db_.Prepare("SELECT name, type, role FROM dataset_owners "
                                                 "WHERE dataset_id = ? ORDER BY position"));
  owners.Bind(dataset_id);
  while (true) {
    ASSIGN_OR_RETURN(bool row, owners.Step());
    if (!row) break;
    v1::Owner* owner = dataset->add_owners();
    owner->set_name(owners.Text(0));
    owner->set_type(static_cast<v1::OwnerType>(owners.Int(1)));
    owner->set_role(static_cast<v1::OwnershipRole>(owners.Int(2)));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Dataset> SqliteTxn::GetDataset(std::string_view ns, std::string_view name) {
  // The snapshot was taken after generation_ was read; while no write has
  // started since, it is the state generation_ names, and so is what any
  // read at that generation found.
  std::string key;
  if (kept_ != nullptr && generation_ % 2 == 0 && kept_->generation->load() == generation_) {
    key = absl::StrCat(Absl(ns), "\n", Absl(name));
    if (auto found = kept_->datasets.Find(key, {generation_, 0})) return *found;
  }
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("SELECT " CADASTRE_DATASET_COLUMNS
                                               "WHERE n.name = ? AND d.name = ?"));
  stmt.BindAll(ns, name);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row)
    return NotFoundError(absl::StrCat("dataset ", Quoted(absl::StrCat(Absl(ns), ":", Absl(name)))));
  v1::Dataset dataset;
  RETURN_IF_ERROR(ReadDatasetRow(stmt, &dataset));
  RETURN_IF_ERROR(LoadDatasetParts(stmt.Int(0), &dataset));
  if (!key.empty()) {
    auto kept = std::make_shared<const v1::Dataset>(dataset);
    const size_t bytes = kept->SpaceUsedLong() + key.size();
    kept_->datasets.Put(key, {generation_, 0}, std::move(kept), bytes);
  }
  return dataset;
}

absl::StatusOr<Listing<v1::Dataset>> SqliteTxn::ListDatasets(std::string_view ns, Page page,
                                                             bool include_deleted) {
  ASSIGN_OR_RETURN(std::optional<int64_t> ns_id, FindId(kFindNamespace, ns));
  if (!ns_id) return NotFoundError(absl::StrCat("namespace ", Quoted(ns)));
  Listing<v1::Dataset> listing;
  {
    ASSIGN_OR_RETURN(Statement count, db_.Prepare("SELECT COUNT(*) FROM datasets "
                                                  "WHERE namespace_id = ? AND (? OR deleted = 0)"));
    count.BindAll(*ns_id, include_deleted);
    ASSIGN_OR_RETURN(bool row, count.Step());
    if (row) listing.total_count = static_cast<int>(count.Int(0));
  }
  std::vector<int64_t> ids;
  {
    ASSIGN_OR_RETURN(Statement stmt,
                     db_.Prepare("SELECT " CADASTRE_DATASET_COLUMNS
                                 "WHERE d.namespace_id = ? AND (? OR d.deleted = 0) "
                                 "ORDER BY d.name LIMIT ? OFFSET ?"));
    stmt.BindAll(*ns_id, include_deleted, SqlLimit(page), SqlOffset(page));
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      RETURN_IF_ERROR(ReadDatasetRow(stmt, &listing.items.emplace_back()));
      ids.push_back(stmt.Int(0));
    }
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    RETURN_IF_ERROR(LoadDatasetParts(ids[i], &listing.items[i]));
  }
  return listing;
}

absl::Status SqliteTxn::ResolveReferences(const v1::Dataset& dataset, IdMap* tags, IdMap* terms) {
  auto resolve_tag = [&](const std::string& name) -> absl::Status {
    if (tags->contains(name)) return absl::OkStatus();
    ASSIGN_OR_RETURN(std::optional<int64_t> id, FindId("SELECT id FROM tags WHERE name = ?", name));
    if (!id) {
      return absl::FailedPreconditionError(absl::StrCat("tag ", Quoted(name), " does not exist"));
    }
    tags->emplace(name, *id);
    return absl::OkStatus();
  };
  for (const std::string& tag : dataset.tags()) RETURN_IF_ERROR(resolve_tag(tag));
  std::set<std::string_view> field_names;
  for (const v1::Field& field : dataset.fields()) {
    if (!field_names.insert(field.name()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("field ", Quoted(field.name()), " appears more than once in dataset ",
                       Quoted(absl::StrCat(dataset.namespace_(), ":", dataset.name()))));
    }
    for (const std::string& tag : field.tags()) RETURN_IF_ERROR(resolve_tag(tag));
    for (const std::string& tag : field.blocked_tags()) RETURN_IF_ERROR(resolve_tag(tag));
    for (const std::string& term : field.glossary_terms()) {
      if (terms->contains(term)) continue;
      ASSIGN_OR_RETURN(std::optional<int64_t> id,
                       FindId("SELECT id FROM glossary_terms WHERE name = ?", term));
      if (!id) {
        return absl::FailedPreconditionError(
            absl::StrCat("glossary term ", Quoted(term), " does not exist"));
      }
      terms->emplace(term, *id);
    }
  }
  return absl::OkStatus();
}

absl::Status SqliteTxn::PutDataset(const v1::Dataset& dataset) {
  ASSIGN_OR_RETURN(std::optional<int64_t> ns_id, FindId(kFindNamespace, dataset.namespace_()));
  if (!ns_id) {
    return absl::FailedPreconditionError(
        absl::StrCat("namespace ", Quoted(dataset.namespace_()), " does not exist"));
  }
  // Every reference is checked before the first write, so bad input fails
  // without touching the database.
  IdMap tags;
  IdMap terms;
  RETURN_IF_ERROR(ResolveReferences(dataset, &tags, &terms));
  std::string facets_json;
  if (dataset.has_facets()) {
    ASSIGN_OR_RETURN(facets_json, StructToJson(dataset.facets()));
  }

  return Atomically([&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        Statement upsert,
        db_.Prepare("INSERT INTO datasets (namespace_id, name, type, physical_name, "
                    "source_name, description, display_name, domain, update_frequency, "
                    "current_version, custom_properties_json, facets_json, created_at, "
                    "updated_at, last_modified_at, deleted, created_by) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (namespace_id, name) DO UPDATE SET "
                    "type = excluded.type, physical_name = excluded.physical_name, "
                    "source_name = excluded.source_name, "
                    "description = excluded.description, "
                    "display_name = excluded.display_name, domain = excluded.domain, "
                    "update_frequency = excluded.update_frequency, "
                    "current_version = excluded.current_version, "
                    "custom_properties_json = excluded.custom_properties_json, "
                    "facets_json = excluded.facets_json, "
                    "created_at = COALESCE(datasets.created_at, excluded.created_at), "
                    "updated_at = excluded.updated_at, "
                    "last_modified_at = excluded.last_modified_at, "
                    "deleted = excluded.deleted, "
                    "created_by = CASE WHEN datasets.created_by = '' "
                    "THEN excluded.created_by ELSE datasets.created_by END "
                    "RETURNING id"));
    upsert.BindAll(*ns_id, dataset.name(), static_cast<int>(dataset.type()),
                   dataset.physical_name(), dataset.source_name(), dataset.description(),
                   dataset.display_name(), dataset.domain(), dataset.update_frequency(),
                   dataset.current_version(), MapToJson(dataset.custom_properties()));
    if (dataset.has_facets()) {
      upsert.Bind(facets_json);
    } else {
      upsert.Bind(std::nullopt);
    }
    upsert.BindAll(ToMicros(dataset.has_created_at(), dataset.created_at()),
                   ToMicros(dataset.has_updated_at(), dataset.updated_at()),
                   ToMicros(dataset.has_last_modified_at(), dataset.last_modified_at()),
                   dataset.deleted(), dataset.created_by());
    ASSIGN_OR_RETURN(bool row, upsert.Step());
    if (!row) return absl::InternalError("dataset upsert returned no id");
    int64_t dataset_id = upsert.Int(0);
    RETURN_IF_ERROR(upsert.Run());  // finish the statement before the next
    RETURN_IF_ERROR(WriteDatasetParts(dataset_id, dataset, tags, terms));
    unindexed_datasets_.insert(dataset_id);
    return absl::OkStatus();
  });
}

absl::Status SqliteTxn::ClearFieldLinks(int64_t field_id) {
  for (std::string_view sql : {"DELETE FROM field_tags WHERE field_id = ?",
                               "DELETE FROM field_tag_blocks WHERE field_id = ?",
                               "DELETE FROM field_terms WHERE field_id = ?"}) {
    ASSIGN_OR_RETURN(Statement clear, db_.Prepare(sql));
    RETURN_IF_ERROR(clear.Bind(field_id).Run());
  }
  return absl::OkStatus();
}

absl::Status SqliteTxn::WriteDatasetParts(int64_t dataset_id, const v1::Dataset& dataset,
                                          const IdMap& tags, const IdMap& terms) {
  // Fields leave first, by id, so their tag, block and term links and
  // their column edges cascade away; fields that stay are updated in place
  // and keep their id (and their lineage).
  std::set<std::string_view> keep;
  for (const v1::Field& field : dataset.fields()) keep.insert(field.name());
  std::vector<int64_t> gone;
  std::set<std::string, std::less<>> stay;  // fields that may have links to clear
  {
    ASSIGN_OR_RETURN(Statement existing, db_.Prepare("SELECT id, name FROM dataset_fields "
                                                     "WHERE dataset_id = ?"));
    existing.Bind(dataset_id);
    while (true) {
      ASSIGN_OR_RETURN(bool row, existing.Step());
      if (!row) break;
      std::string name = existing.Text(1);
      if (keep.contains(name)) {
        stay.insert(std::move(name));
      } else {
        gone.push_back(existing.Int(0));
      }
    }
  }
  for (int64_t field_id : gone) {
    ASSIGN_OR_RETURN(Statement remove, db_.Prepare("DELETE FROM dataset_fields WHERE id = ?"));
    RETURN_IF_ERROR(remove.Bind(field_id).Run());
  }

  for (int position = 0; position < dataset.fields_size(); ++position) {
    const v1::Field& field = dataset.fields(position);
    int64_t field_id = 0;
    {
      ASSIGN_OR_RETURN(Statement upsert,
                       db_.Prepare("INSERT INTO dataset_fields (dataset_id, name, type, "
                                   "description, nullable, ordinal, position) "
                                   "VALUES (?, ?, ?, ?, ?, ?, ?) "
                                   "ON CONFLICT (dataset_id, name) DO UPDATE SET "
                                   "type = excluded.type, description = excluded.description, "
                                   "nullable = excluded.nullable, ordinal = excluded.ordinal, "
                                   "position = excluded.position RETURNING id"));
      upsert.BindAll(dataset_id, field.name(), field.type(), field.description(),
                     field.has_nullable() ? std::optional<bool>(field.nullable()) : std::nullopt,
                     field.ordinal_position(), position);
      ASSIGN_OR_RETURN(bool row, upsert.Step());
      if (!row) return absl::InternalError("field upsert returned no id");
      field_id = upsert.Int(0);
      RETURN_IF_ERROR(upsert.Run());
    }
    // A new field's id was never used (AUTOINCREMENT): it has no links yet.
    if (stay.contains(field.name())) RETURN_IF_ERROR(ClearFieldLinks(field_id));
    for (int i = 0; i < field.tags_size(); ++i) {
      // OR IGNORE: a name listed twice keeps its first position.
      ASSIGN_OR_RETURN(Statement link,
                       db_.Prepare("INSERT OR IGNORE INTO field_tags "
                                   "(field_id, tag_id, position) VALUES (?, ?, ?)"));
      RETURN_IF_ERROR(link.BindAll(field_id, tags.find(field.tags(i))->second, i).Run());
    }
    for (int i = 0; i < field.blocked_tags_size(); ++i) {
      ASSIGN_OR_RETURN(Statement block,
                       db_.Prepare("INSERT OR IGNORE INTO field_tag_blocks "
                                   "(field_id, tag_id, position) VALUES (?, ?, ?)"));
      RETURN_IF_ERROR(block.BindAll(field_id, tags.find(field.blocked_tags(i))->second, i).Run());
    }
    for (int i = 0; i < field.glossary_terms_size(); ++i) {
      ASSIGN_OR_RETURN(Statement link,
                       db_.Prepare("INSERT OR IGNORE INTO field_terms "
                                   "(field_id, term_id, position) VALUES (?, ?, ?)"));
      RETURN_IF_ERROR(link.BindAll(field_id, terms.find(field.glossary_terms(i))->second, i).Run());
    }
  }

  {
    ASSIGN_OR_RETURN(Statement clear, db_.Prepare("DELETE FROM dataset_tags WHERE dataset_id = ?"));
    RETURN_IF_ERROR(clear.Bind(dataset_id).Run());
  }
  for (int i = 0; i < dataset.tags_size(); ++i) {
    ASSIGN_OR_RETURN(Statement link,
                     db_.Prepare("INSERT OR IGNORE INTO dataset_tags "
                                 "(dataset_id, tag_id, position) VALUES (?, ?, ?)"));
    RETURN_IF_ERROR(link.BindAll(dataset_id, tags.find(dataset.tags(i))->second, i).Run());
  }
  {
    ASSIGN_OR_RETURN(Statement clear,
                     db_.Prepare("DELETE FROM dataset_owners WHERE dataset_id = ?"));
    RETURN_IF_ERROR(clear.Bind(dataset_id).Run());
  }
  for (int i = 0; i < dataset.owners_size(); ++i) {
    const v1::Owner& owner = dataset.owners(i);
    ASSIGN_OR_RETURN(Statement add, db_.Prepare("INSERT OR IGNORE INTO dataset_owners "
                                                "(dataset_id, name, type, role, position) "
                                                "VALUES (?, ?, ?, ?, ?)"));
    RETURN_IF_ERROR(add.BindAll(dataset_id, owner.name(), static_cast<int>(owner.type()),
                                static_cast<int>(owner.role()), i)
                        .Run());
  }
  return absl::OkStatus();
}

#undef CADASTRE_DATASET_COLUMNS

}  // namespace cadastre::store
