// Classifications (tags) and glossary terms.
#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "server/common/status.h"
#include "server/store/sqlite_codec.h"
#include "server/store/sqlite_txn.h"

namespace cadastre::store {
namespace {

// How many dependents a refused delete names before "…".
constexpr int kDependentsShown = 10;

// "PII.Email" -> "PII"; "" for a root.
std::string_view ParentTag(std::string_view name) {
  size_t dot = name.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : name.substr(0, dot);
}

void ReadTagRow(const Statement& row, v1::Tag* tag) {
  tag->set_name(row.Text(0));
  tag->set_parent(std::string(ParentTag(tag->name())));
  tag->set_description(row.Text(1));
  tag->set_propagate(row.Bool(2));
  SetTimestamp(row.OptionalInt(3), tag, &v1::Tag::mutable_created_at);
  SetTimestamp(row.OptionalInt(4), tag, &v1::Tag::mutable_updated_at);
}

// Appends the rows of `stmt` (columns: namespace, dataset[, field]) as
// "ns:dataset[:field]" until `out` holds `limit` entries.
absl::Status CollectRefs(Statement& stmt, int columns, size_t limit,
                         std::vector<std::string>* out) {
  while (out->size() < limit) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    std::string ref = absl::StrCat(stmt.Text(0), ":", stmt.Text(1));
    if (columns == 3) absl::StrAppend(&ref, ":", stmt.Text(2));
    out->push_back(std::move(ref));
  }
  return absl::OkStatus();
}

absl::Status CollectNames(Statement& stmt, size_t limit, std::vector<std::string>* out) {
  while (out->size() < limit) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    std::string name = stmt.Text(0);
    // A term both child and related is one dependent, not two.
    if (std::find(out->begin(), out->end(), name) == out->end()) {
      out->push_back(std::move(name));
    }
  }
  return absl::OkStatus();
}

constexpr std::string_view kFindTag = "SELECT id FROM tags WHERE name = ?";
constexpr std::string_view kFindTerm = "SELECT id FROM glossary_terms WHERE name = ?";

constexpr std::string_view kTermColumns =
    "id, name, definition, unit, formula, synonyms_json, related_json, parent, "
    "status, reviewers_json, created_at, updated_at FROM glossary_terms ";

absl::Status ReadTermRow(const Statement& row, v1::GlossaryTerm* term) {
  term->set_name(row.Text(1));
  term->set_definition(row.Text(2));
  term->set_unit(row.Text(3));
  term->set_formula(row.Text(4));
  RETURN_IF_ERROR(JsonToStrings(row.Text(5), term->mutable_synonyms()));
  RETURN_IF_ERROR(JsonToStrings(row.Text(6), term->mutable_related_terms()));
  term->set_parent(row.Text(7));  // NULL reads as ""
  term->set_status(static_cast<v1::TermStatus>(row.Int(8)));
  RETURN_IF_ERROR(JsonToStrings(row.Text(9), term->mutable_reviewers()));
  SetTimestamp(row.OptionalInt(10), term, &v1::GlossaryTerm::mutable_created_at);
  SetTimestamp(row.OptionalInt(11), term, &v1::GlossaryTerm::mutable_updated_at);
  return absl::OkStatus();
}

}  // namespace

// ----------------------------------------------------------------------- tags

absl::StatusOr<v1::Tag> SqliteTxn::GetTag(std::string_view name) {
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("SELECT name, description, propagate, created_at, "
                                               "updated_at FROM tags WHERE name = ?"));
  stmt.Bind(name);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return NotFoundError(absl::StrCat("tag ", Quoted(name)));
  v1::Tag tag;
  ReadTagRow(stmt, &tag);
  return tag;
}

absl::StatusOr<std::vector<v1::Tag>> SqliteTxn::ListTags() {
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("SELECT name, description, propagate, created_at, "
                                               "updated_at FROM tags ORDER BY name"));
  std::vector<v1::Tag> tags;
  RETURN_IF_ERROR(stmt.ForEachRow([&](const Statement&) {
    ReadTagRow(stmt, &tags.emplace_back());
  }));
  return tags;
}

absl::StatusOr<std::vector<std::string>> SqliteTxn::TagDependents(std::string_view name,
                                                                  int limit) {
  ASSIGN_OR_RETURN(std::optional<int64_t> id, FindId(kFindTag, name));
  if (!id) return NotFoundError(absl::StrCat("tag ", Quoted(name)));
  std::vector<std::string> out;
  size_t max = limit < 0 ? 0 : static_cast<size_t>(limit);
  {
    ASSIGN_OR_RETURN(Statement datasets,
                     db_.Prepare("SELECT n.name, d.name FROM dataset_tags dt "
                                 "JOIN datasets d ON d.id = dt.dataset_id "
                                 "JOIN namespaces n ON n.id = d.namespace_id "
                                 "WHERE dt.tag_id = ? ORDER BY n.name, d.name"));
    datasets.Bind(*id);
    RETURN_IF_ERROR(CollectRefs(datasets, 2, max, &out));
  }
  {
    // A column that blocks the tag depends on it as much as one that
    // carries it; one that does both is named once.
    ASSIGN_OR_RETURN(Statement fields,
                     db_.Prepare("SELECT n.name AS n, d.name AS d, f.name AS f "
                                 "FROM dataset_fields f "
                                 "JOIN datasets d ON d.id = f.dataset_id "
                                 "JOIN namespaces n ON n.id = d.namespace_id "
                                 "WHERE f.id IN (SELECT field_id FROM field_tags WHERE tag_id = ?1 "
                                 "UNION SELECT field_id FROM field_tag_blocks WHERE tag_id = ?1) "
                                 "ORDER BY n, d, f"));
    fields.Bind(*id);
    RETURN_IF_ERROR(CollectRefs(fields, 3, max, &out));
  }
  ASSIGN_OR_RETURN(Statement children, db_.Prepare("SELECT name FROM tags WHERE parent = ? "
                                                   "ORDER BY name"));
  children.Bind(name);
  RETURN_IF_ERROR(CollectNames(children, max, &out));
  ASSIGN_OR_RETURN(Statement policies, db_.Prepare("SELECT 'masking policy ' || name "
                                                   "FROM masking_policies WHERE tag = ? "
                                                   "ORDER BY name"));
  policies.Bind(name);
  RETURN_IF_ERROR(CollectNames(policies, max, &out));
  return out;
}

absl::Status SqliteTxn::PutTag(const v1::Tag& tag) {
  std::string_view parent = ParentTag(tag.name());
  if (!parent.empty()) {
    ASSIGN_OR_RETURN(std::optional<int64_t> parent_id, FindId(kFindTag, parent));
    if (!parent_id) {
      return absl::FailedPreconditionError(absl::StrCat("parent tag ", Quoted(parent), " of ",
                                                        Quoted(tag.name()), " does not exist"));
    }
  }
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("INSERT INTO tags (name, parent, description, propagate, "
                               "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
                               "ON CONFLICT (name) DO UPDATE SET "
                               "description = excluded.description, "
                               "propagate = excluded.propagate, "
                               "created_at = COALESCE(tags.created_at, excluded.created_at), "
                               "updated_at = excluded.updated_at"));
  stmt.BindAll(tag.name(), parent.empty() ? std::nullopt : std::optional<std::string_view>(parent),
               tag.description(), tag.propagate(), ToMicros(tag.has_created_at(), tag.created_at()),
               ToMicros(tag.has_updated_at(), tag.updated_at()));
  return stmt.Run();
}

absl::Status SqliteTxn::DeleteTag(std::string_view name) {
  ASSIGN_OR_RETURN(std::vector<std::string> dependents, TagDependents(name, kDependentsShown + 1));
  if (!dependents.empty()) {
    return absl::FailedPreconditionError(DescribeDependents(
        absl::StrCat("tag ", Quoted(name), " is still used by"), dependents, kDependentsShown));
  }
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("DELETE FROM tags WHERE name = ?"));
  return stmt.Bind(name).Run();
}

// ---------------------------------------------------------------------- terms

absl::Status SqliteTxn::LoadTermColumns(int64_t term_id, v1::GlossaryTerm* term) {
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("SELECT n.name, d.name, f.name FROM field_terms ft "
                                               "JOIN dataset_fields f ON f.id = ft.field_id "
                                               "JOIN datasets d ON d.id = f.dataset_id "
                                               "JOIN namespaces n ON n.id = d.namespace_id "
                                               "WHERE ft.term_id = ? "
                                               "ORDER BY n.name, d.name, f.name"));
  stmt.Bind(term_id);
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    v1::ColumnRef* column = term->add_columns();
    column->set_namespace_(stmt.Text(0));
    column->set_dataset(stmt.Text(1));
    column->set_field(stmt.Text(2));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::GlossaryTerm> SqliteTxn::GetTerm(std::string_view name) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare(absl::StrCat("SELECT ", Absl(kTermColumns), "WHERE name = ?")));
  stmt.Bind(name);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return NotFoundError(absl::StrCat("glossary term ", Quoted(name)));
  v1::GlossaryTerm term;
  RETURN_IF_ERROR(ReadTermRow(stmt, &term));
  RETURN_IF_ERROR(LoadTermColumns(stmt.Int(0), &term));
  return term;
}

absl::StatusOr<std::vector<v1::GlossaryTerm>> SqliteTxn::ListTerms() {
  std::vector<v1::GlossaryTerm> terms;
  std::vector<int64_t> ids;
  {
    ASSIGN_OR_RETURN(Statement stmt,
                     db_.Prepare(absl::StrCat("SELECT ", Absl(kTermColumns), "ORDER BY name")));
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      RETURN_IF_ERROR(ReadTermRow(stmt, &terms.emplace_back()));
      ids.push_back(stmt.Int(0));
    }
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    RETURN_IF_ERROR(LoadTermColumns(ids[i], &terms[i]));
  }
  return terms;
}

absl::StatusOr<std::vector<std::string>> SqliteTxn::TermDependents(std::string_view name,
                                                                   int limit) {
  ASSIGN_OR_RETURN(std::optional<int64_t> id, FindId(kFindTerm, name));
  if (!id) return NotFoundError(absl::StrCat("glossary term ", Quoted(name)));
  std::vector<std::string> out;
  size_t max = limit < 0 ? 0 : static_cast<size_t>(limit);
  {
    ASSIGN_OR_RETURN(Statement columns,
                     db_.Prepare("SELECT n.name, d.name, f.name FROM field_terms ft "
                                 "JOIN dataset_fields f ON f.id = ft.field_id "
                                 "JOIN datasets d ON d.id = f.dataset_id "
                                 "JOIN namespaces n ON n.id = d.namespace_id "
                                 "WHERE ft.term_id = ? "
                                 "ORDER BY n.name, d.name, f.name"));
    columns.Bind(*id);
    RETURN_IF_ERROR(CollectRefs(columns, 3, max, &out));
  }
  // A term naming itself (as parent or related) does not keep itself alive.
  {
    ASSIGN_OR_RETURN(Statement children,
                     db_.Prepare("SELECT name FROM glossary_terms "
                                 "WHERE parent = ? AND name <> ? ORDER BY name"));
    children.BindAll(name, name);
    RETURN_IF_ERROR(CollectNames(children, max, &out));
  }
  ASSIGN_OR_RETURN(Statement related, db_.Prepare("SELECT t.name FROM glossary_terms t "
                                                  "WHERE t.name <> ? AND EXISTS (SELECT 1 FROM "
                                                  "json_each(t.related_json) j WHERE j.value = ?) "
                                                  "ORDER BY t.name"));
  related.BindAll(name, name);
  RETURN_IF_ERROR(CollectNames(related, max, &out));
  return out;
}

absl::Status SqliteTxn::PutTerm(const v1::GlossaryTerm& term) {
  // Parent and related terms are references like any other: they must
  // exist, and then DeleteTerm keeps them from disappearing.
  auto require = [&](std::string_view role, const std::string& other) -> absl::Status {
    if (other == term.name()) return absl::OkStatus();
    ASSIGN_OR_RETURN(std::optional<int64_t> id, FindId(kFindTerm, other));
    if (!id) {
      return absl::FailedPreconditionError(absl::StrCat(Absl(role), " glossary term ",
                                                        Quoted(other), " of ", Quoted(term.name()),
                                                        " does not exist"));
    }
    return absl::OkStatus();
  };
  if (!term.parent().empty()) RETURN_IF_ERROR(require("parent", term.parent()));
  for (const std::string& related : term.related_terms()) {
    RETURN_IF_ERROR(require("related", related));
  }
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("INSERT INTO glossary_terms (name, definition, unit, formula, "
                               "synonyms_json, related_json, parent, status, reviewers_json, "
                               "created_at, updated_at) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                               "ON CONFLICT (name) DO UPDATE SET "
                               "definition = excluded.definition, unit = excluded.unit, "
                               "formula = excluded.formula, "
                               "synonyms_json = excluded.synonyms_json, "
                               "related_json = excluded.related_json, "
                               "parent = excluded.parent, status = excluded.status, "
                               "reviewers_json = excluded.reviewers_json, "
                               "created_at = COALESCE(glossary_terms.created_at, "
                               "excluded.created_at), "
                               "updated_at = excluded.updated_at"));
  stmt.BindAll(
      term.name(), term.definition(), term.unit(), term.formula(), StringsToJson(term.synonyms()),
      StringsToJson(term.related_terms()),
      term.parent().empty() ? std::nullopt : std::optional<std::string_view>(term.parent()),
      static_cast<int>(term.status()), StringsToJson(term.reviewers()),
      ToMicros(term.has_created_at(), term.created_at()),
      ToMicros(term.has_updated_at(), term.updated_at()));
  RETURN_IF_ERROR(stmt.Run());
  return IndexTerm(term.name());
}

absl::Status SqliteTxn::DeleteTerm(std::string_view name) {
  ASSIGN_OR_RETURN(std::vector<std::string> dependents, TermDependents(name, kDependentsShown + 1));
  if (!dependents.empty()) {
    return absl::FailedPreconditionError(
        DescribeDependents(absl::StrCat("glossary term ", Quoted(name), " is still used by"),
                           dependents, kDependentsShown));
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> id, FindId(kFindTerm, name));
  if (!id) return absl::OkStatus();
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("DELETE FROM glossary_terms WHERE id = ?"));
  RETURN_IF_ERROR(stmt.Bind(*id).Run());
  return UnindexTerm(*id);
}

}  // namespace cadastre::store
