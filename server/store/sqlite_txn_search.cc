// The search index: documents written with the things they describe, and
// the reads the search service ranks and filters (migrations/0004_search.sql).
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "server/common/status.h"
#include "server/common/words.h"
#include "server/store/sqlite_codec.h"
#include "server/store/sqlite_txn.h"

namespace cadastre::store {
namespace {

constexpr int kDatasetDoc = v1::SearchHit::DATASET;
constexpr int kFieldDoc = v1::SearchHit::FIELD;
constexpr int kJobDoc = v1::SearchHit::JOB;
constexpr int kTermDoc = v1::SearchHit::GLOSSARY_TERM;

}  // namespace

// A document as written; see the migration for what each column holds.
struct SearchDocText {
  int kind = 0;
  int64_t ref_id = 0;
  std::optional<int64_t> dataset_id;
  std::string ns, dataset, field, domain, created_by, title;
  std::string name_key, qualified_key, short_key;
  std::string name, columns, description, tags, owners, body, terms, data_type;
  std::optional<int64_t> updated_at;
};

namespace {

// "customerId" indexed as "customerId customer Id", so that both the whole
// identifier and its words are found.
std::string NameText(std::string_view name) {
  std::string words = IdentifierWords(name);
  return words.empty() ? std::string(name) : absl::StrCat(Absl(name), " ", words);
}

// The part of a name after its last '.' or '/': "customers" of
// "public.customers", "city" of "address.city".
std::string LastSegment(std::string_view name) {
  size_t cut = name.find_last_of("./");
  return std::string(cut == std::string_view::npos ? name : name.substr(cut + 1));
}

std::string Key(std::string_view text) { return absl::AsciiStrToLower(Absl(text)); }

// Appends each newline-separated item of `items` to `seen` once.
void AddItems(std::string_view items, std::vector<std::string>* ordered,
              std::set<std::string, std::less<>>* seen) {
  for (absl::string_view item : absl::StrSplit(Absl(items), '\n', absl::SkipEmpty())) {
    if (seen->insert(std::string(item)).second) ordered->emplace_back(item);
  }
}

// The columns a scan reads, in the order ReadDocRow takes them.
#define CADASTRE_SEARCH_ROW_COLUMNS \
  "d.id, d.kind, d.dataset_id, d.namespace, d.dataset, d.domain, d.created_by, d.tags, d.owners, " \
  "d.terms, d.title, d.updated_at "

SearchDocRow ReadDocRow(const Statement& row) {
  SearchDocRow doc;
  doc.id = row.Int(0);
  doc.kind = static_cast<int>(row.Int(1));
  doc.dataset_id = row.OptionalInt(2).value_or(0);
  doc.ns = row.Text(3);
  doc.dataset = row.Text(4);
  doc.domain = row.Text(5);
  doc.created_by = row.Text(6);
  doc.tags = row.Text(7);
  doc.owners = row.Text(8);
  doc.terms = row.Text(9);
  doc.title = row.Text(10);
  doc.updated_at = row.OptionalInt(11);
  return doc;
}

}  // namespace

// ------------------------------------------------------------------- writing

namespace {

constexpr std::string_view kUpsertDocsHead =
    "INSERT INTO search_docs (kind, ref_id, dataset_id, namespace, dataset, field, domain, "
    "created_by, title, name_key, qualified_key, short_key, name, columns, description, tags, "
    "owners, body, terms, data_type, updated_at) VALUES ";
constexpr std::string_view kUpsertDocsRow =
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr std::string_view kUpsertDocsTail =
    " ON CONFLICT (kind, ref_id) DO UPDATE SET dataset_id = excluded.dataset_id, "
    "namespace = excluded.namespace, dataset = excluded.dataset, field = excluded.field, "
    "domain = excluded.domain, created_by = excluded.created_by, title = excluded.title, "
    "name_key = excluded.name_key, qualified_key = excluded.qualified_key, "
    "short_key = excluded.short_key, name = excluded.name, columns = excluded.columns, "
    "description = excluded.description, tags = excluded.tags, owners = excluded.owners, "
    "body = excluded.body, terms = excluded.terms, data_type = excluded.data_type, "
    "updated_at = excluded.updated_at "
    // An unchanged document is not rewritten: re-ingesting the same
    // event leaves the FTS index alone.
    "WHERE (search_docs.dataset_id, search_docs.namespace, search_docs.dataset, "
    "search_docs.field, search_docs.domain, search_docs.created_by, search_docs.title, "
    "search_docs.name_key, "
    "search_docs.qualified_key, search_docs.short_key, search_docs.name, "
    "search_docs.columns, search_docs.description, search_docs.tags, search_docs.owners, "
    "search_docs.body, search_docs.terms, search_docs.data_type, search_docs.updated_at) "
    "IS NOT (excluded.dataset_id, excluded.namespace, excluded.dataset, excluded.field, "
    "excluded.domain, excluded.created_by, excluded.title, excluded.name_key, "
    "excluded.qualified_key, "
    "excluded.short_key, excluded.name, excluded.columns, excluded.description, "
    "excluded.tags, excluded.owners, excluded.body, excluded.terms, excluded.data_type, "
    "excluded.updated_at)";

// Rows per upsert statement: a power of two up to this, so that at most a
// handful of statement texts are prepared (and cached), and the bound
// parameters (21 per row) stay far below SQLite's limit of 32,766.
constexpr size_t kMaxDocsPerStatement = 256;

// The upsert of `rows` documents: constant text, values are bound.
const std::string& UpsertDocsSql(size_t rows) {
  static const auto* const texts = [] {
    auto* out = new std::map<size_t, std::string>();
    for (size_t n = 1; n <= kMaxDocsPerStatement; n *= 2) {
      std::string sql(kUpsertDocsHead);
      for (size_t i = 0; i < n; i++) {
        if (i > 0) sql += ", ";
        sql += kUpsertDocsRow;
      }
      sql += kUpsertDocsTail;
      (*out)[n] = std::move(sql);
    }
    return out;
  }();
  return texts->at(rows);
}

}  // namespace

absl::Status SqliteTxn::WriteSearchDocs(const std::vector<SearchDocText>& docs) {
  size_t next = 0;
  while (next < docs.size()) {
    size_t rows = kMaxDocsPerStatement;
    while (rows > docs.size() - next) rows /= 2;
    ASSIGN_OR_RETURN(Statement upsert, db_.Prepare(UpsertDocsSql(rows)));
    for (size_t i = next; i < next + rows; i++) {
      const SearchDocText& doc = docs[i];
      upsert.BindAll(doc.kind, doc.ref_id, doc.dataset_id, doc.ns, doc.dataset, doc.field,
                     doc.domain, doc.created_by, doc.title, doc.name_key, doc.qualified_key,
                     doc.short_key, doc.name, doc.columns, doc.description, doc.tags, doc.owners,
                     doc.body, doc.terms, doc.data_type, doc.updated_at);
    }
    RETURN_IF_ERROR(upsert.Run());
    if (db_.Changes() > 0) search_changed_ = true;
    next += rows;
  }
  return absl::OkStatus();
}

absl::Status SqliteTxn::DeleteSearchDocs(std::string_view sql, int64_t key) {
  ASSIGN_OR_RETURN(Statement remove, db_.Prepare(sql));
  RETURN_IF_ERROR(remove.Bind(key).Run());
  if (db_.Changes() > 0) search_changed_ = true;
  return absl::OkStatus();
}

absl::Status SqliteTxn::IndexDatasets(const std::vector<int64_t>& dataset_ids) {
  std::vector<int64_t> live;
  std::vector<SearchDocText> docs;
  for (int64_t dataset_id : dataset_ids) {
    ASSIGN_OR_RETURN(
        Statement head,
        db_.Prepare("SELECT n.name, d.name, d.domain, d.created_by, d.description, "
                    "d.display_name, d.physical_name, d.source_name, d.deleted, d.updated_at, "
                    "(SELECT group_concat(t.name, char(10)) FROM dataset_tags x "
                    " JOIN tags t ON t.id = x.tag_id WHERE x.dataset_id = d.id), "
                    "(SELECT group_concat(name, char(10)) FROM (SELECT DISTINCT name "
                    " FROM dataset_owners WHERE dataset_id = d.id ORDER BY position)) "
                    "FROM datasets d JOIN namespaces n ON n.id = d.namespace_id WHERE d.id = ?"));
    head.Bind(dataset_id);
    ASSIGN_OR_RETURN(bool found, head.Step());
    if (!found || head.Bool(8)) {
      RETURN_IF_ERROR(DeleteSearchDocs("DELETE FROM search_docs WHERE dataset_id = ?", dataset_id));
      continue;
    }
    live.push_back(dataset_id);
    SearchDocText dataset;
    dataset.kind = kDatasetDoc;
    dataset.ref_id = dataset_id;
    dataset.dataset_id = dataset_id;
    dataset.ns = head.Text(0);
    dataset.dataset = head.Text(1);
    dataset.domain = head.Text(2);
    dataset.created_by = head.Text(3);
    dataset.description = head.Text(4);
    const std::string display_name = head.Text(5);
    dataset.body = absl::StrCat(head.Text(6), "\n", head.Text(7));
    dataset.updated_at = head.OptionalInt(9);
    const std::string own_tags = head.Text(10);
    dataset.owners = head.Text(11);
    RETURN_IF_ERROR(head.Run());

    dataset.title = dataset.dataset;
    dataset.name = NameText(dataset.dataset);
    if (!display_name.empty()) absl::StrAppend(&dataset.name, "\n", display_name);
    dataset.name_key = Key(dataset.dataset);
    dataset.qualified_key = Key(absl::StrCat(dataset.ns, ".", dataset.dataset));
    dataset.short_key = Key(LastSegment(dataset.dataset));

    // A dataset carries its columns' classifications and terms too, so that
    // "datasets with PII" finds the ones whose columns are PII.
    std::vector<std::string> tags, terms;
    std::set<std::string, std::less<>> seen_tags, seen_terms;
    AddItems(own_tags, &tags, &seen_tags);
    std::vector<std::string> column_names;
    std::vector<SearchDocText> fields;
    ASSIGN_OR_RETURN(
        Statement columns,
        db_.Prepare("SELECT f.id, f.name, f.type, f.description, "
                    "(SELECT group_concat(t.name, char(10)) FROM field_tags x "
                    " JOIN tags t ON t.id = x.tag_id WHERE x.field_id = f.id), "
                    "(SELECT group_concat(g.name, char(10)) FROM field_terms x "
                    " JOIN glossary_terms g ON g.id = x.term_id WHERE x.field_id = f.id) "
                    "FROM dataset_fields f WHERE f.dataset_id = ? ORDER BY f.ordinal, f.position"));
    columns.Bind(dataset_id);
    RETURN_IF_ERROR(columns.ForEachRow([&](const Statement& row) {
      SearchDocText field;
      field.kind = kFieldDoc;
      field.ref_id = row.Int(0);
      field.dataset_id = dataset_id;
      field.ns = dataset.ns;
      field.dataset = dataset.dataset;
      field.field = row.Text(1);
      field.domain = dataset.domain;
      field.created_by = dataset.created_by;
      field.data_type = row.Text(2);
      field.description = row.Text(3);
      field.tags = row.Text(4);
      field.terms = row.Text(5);
      field.owners = dataset.owners;
      field.title = field.field;
      field.name = NameText(field.field);
      field.name_key = Key(field.field);
      field.qualified_key = Key(absl::StrCat(dataset.ns, ".", dataset.dataset, ".", field.field));
      field.short_key = Key(LastSegment(field.field));
      // Linked glossary terms are words of the column too.
      field.body = absl::StrCat(field.data_type, "\n", NameText(dataset.dataset), "\n", field.terms);
      field.updated_at = dataset.updated_at;
      column_names.push_back(field.name);
      AddItems(field.tags, &tags, &seen_tags);
      AddItems(field.terms, &terms, &seen_terms);
      fields.push_back(std::move(field));
    }));
    dataset.columns = absl::StrJoin(column_names, "\n");
    dataset.tags = absl::StrJoin(tags, "\n");
    dataset.terms = absl::StrJoin(terms, "\n");
    absl::StrAppend(&dataset.body, "\n", dataset.terms);

    docs.push_back(std::move(dataset));
    for (SearchDocText& field : fields) docs.push_back(std::move(field));
    // Written in slices, so that a transaction of thousands of datasets
    // holds a bounded number of documents.
    if (docs.size() >= 4 * kMaxDocsPerStatement) {
      RETURN_IF_ERROR(WriteSearchDocs(docs));
      docs.clear();
    }
  }
  RETURN_IF_ERROR(WriteSearchDocs(docs));
  if (live.empty()) return absl::OkStatus();
  // Columns the datasets no longer have, in one statement. (The unary +
  // keeps SQLite from walking every column document by the (kind, ref_id)
  // index instead of these datasets' by search_docs_by_dataset.)
  ASSIGN_OR_RETURN(Statement stale,
                   db_.Prepare("DELETE FROM search_docs WHERE dataset_id IN "
                               "(SELECT value FROM json_each(?1)) AND +kind = 2 AND ref_id NOT IN "
                               "(SELECT id FROM dataset_fields f "
                               " WHERE f.dataset_id = search_docs.dataset_id)"));
  RETURN_IF_ERROR(stale.Bind(IdsJson(live)).Run());
  if (db_.Changes() > 0) search_changed_ = true;
  return absl::OkStatus();
}

absl::Status SqliteTxn::IndexJobs(const std::vector<int64_t>& job_ids) {
  std::vector<SearchDocText> docs;
  for (int64_t job_id : job_ids) {
    ASSIGN_OR_RETURN(Statement job,
                     db_.Prepare("SELECT ns, name, description, sql, location, integration, "
                                 "job_type, type, updated_at FROM jobs WHERE id = ?"));
    job.Bind(job_id);
    ASSIGN_OR_RETURN(bool found, job.Step());
    if (!found) {
      RETURN_IF_ERROR(
          DeleteSearchDocs("DELETE FROM search_docs WHERE kind = 3 AND ref_id = ?", job_id));
      continue;
    }
    SearchDocText& doc = docs.emplace_back();
    doc.kind = kJobDoc;
    doc.ref_id = job_id;
    doc.ns = job.Text(0);
    const std::string name = job.Text(1);
    doc.description = job.Text(2);
    doc.body =
        absl::StrJoin({job.Text(3), job.Text(4), job.Text(5), job.Text(6), job.Text(7)}, "\n");
    doc.updated_at = job.OptionalInt(8);
    RETURN_IF_ERROR(job.Run());
    doc.title = name;
    doc.name = NameText(name);
    doc.name_key = Key(name);
    doc.qualified_key = Key(absl::StrCat(doc.ns, ".", name));
    doc.short_key = Key(LastSegment(name));
  }
  return WriteSearchDocs(docs);
}

absl::Status SqliteTxn::IndexTerm(std::string_view name) {
  ASSIGN_OR_RETURN(Statement term,
                   db_.Prepare("SELECT id, definition, synonyms_json, unit, formula, updated_at "
                               "FROM glossary_terms WHERE name = ?"));
  term.Bind(name);
  ASSIGN_OR_RETURN(bool found, term.Step());
  if (!found) return absl::OkStatus();
  SearchDocText doc;
  doc.kind = kTermDoc;
  doc.ref_id = term.Int(0);
  doc.description = term.Text(1);
  google::protobuf::RepeatedPtrField<std::string> synonyms;
  RETURN_IF_ERROR(JsonToStrings(term.Text(2), &synonyms));
  doc.body = absl::StrCat(absl::StrJoin(synonyms, "\n"), "\n", term.Text(3), "\n", term.Text(4));
  doc.updated_at = term.OptionalInt(5);
  RETURN_IF_ERROR(term.Run());
  doc.title = std::string(name);
  doc.name = NameText(name);
  doc.name_key = Key(name);
  doc.qualified_key = doc.name_key;
  doc.short_key = Key(LastSegment(name));
  return WriteSearchDocs({doc});
}

absl::Status SqliteTxn::UnindexTerm(int64_t term_id) {
  return DeleteSearchDocs("DELETE FROM search_docs WHERE kind = 4 AND ref_id = ?", term_id);
}

absl::Status SqliteTxn::FinishSearchChanges() {
  // Each dataset and job written in this transaction, once, as it is now.
  const std::vector<int64_t> datasets(unindexed_datasets_.begin(), unindexed_datasets_.end());
  const std::vector<int64_t> jobs(unindexed_jobs_.begin(), unindexed_jobs_.end());
  unindexed_datasets_.clear();
  unindexed_jobs_.clear();
  RETURN_IF_ERROR(IndexDatasets(datasets));
  RETURN_IF_ERROR(IndexJobs(jobs));
  if (!search_changed_) return absl::OkStatus();
  search_changed_ = false;
  ASSIGN_OR_RETURN(Statement bump,
                   db_.Prepare("UPDATE search_state SET generation = generation + 1"));
  return bump.Run();
}

absl::Status SqliteTxn::BuildSearchIndexIfNeeded() {
  ASSIGN_OR_RETURN(int64_t built, db_.QueryInt("SELECT built FROM search_state"));
  if (built != 0) return absl::OkStatus();
  std::vector<int64_t> datasets, jobs;
  std::vector<std::string> terms;
  {
    ASSIGN_OR_RETURN(Statement select, db_.Prepare("SELECT id FROM datasets WHERE deleted = 0"));
    RETURN_IF_ERROR(select.ForEachRow([&](const Statement& row) { datasets.push_back(row.Int(0)); }));
  }
  {
    ASSIGN_OR_RETURN(Statement select, db_.Prepare("SELECT id FROM jobs"));
    RETURN_IF_ERROR(select.ForEachRow([&](const Statement& row) { jobs.push_back(row.Int(0)); }));
  }
  {
    ASSIGN_OR_RETURN(Statement select, db_.Prepare("SELECT name FROM glossary_terms"));
    RETURN_IF_ERROR(select.ForEachRow([&](const Statement& row) { terms.push_back(row.Text(0)); }));
  }
  RETURN_IF_ERROR(IndexDatasets(datasets));
  RETURN_IF_ERROR(IndexJobs(jobs));
  for (const std::string& name : terms) RETURN_IF_ERROR(IndexTerm(name));
  RETURN_IF_ERROR(db_.Exec("UPDATE search_state SET built = 1"));
  search_changed_ = true;
  return FinishSearchChanges();
}

// ------------------------------------------------------------------- reading

absl::Status SqliteTxn::ScanSearchDocs(const SearchScan& scan,
                                       const std::function<void(SearchDocRow&&)>& fn) {
  if (scan.match.empty()) {
    ASSIGN_OR_RETURN(Statement select,
                     db_.Prepare("SELECT " CADASTRE_SEARCH_ROW_COLUMNS "FROM search_docs d "
                                 "WHERE (?1 = 0 OR d.kind = ?1) AND (?2 = '' OR d.namespace = ?2) "
                                 "AND (?3 = '' OR d.domain = ?3) ORDER BY d.name_key, d.id"));
    select.BindAll(scan.kind, scan.ns, scan.domain);
    return select.ForEachRow([&](const Statement& row) { fn(ReadDocRow(row)); });
  }
  // Column weights: a word in the name counts most, then column names,
  // tags, description and owners, then SQL and the rest.
  ASSIGN_OR_RETURN(Statement select,
                   db_.Prepare("SELECT " CADASTRE_SEARCH_ROW_COLUMNS
                               ", bm25(search_fts, 10.0, 4.0, 2.0, 3.0, 2.0, 1.0) AS score "
                               "FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid "
                               "WHERE search_fts MATCH ?1 AND (?2 = 0 OR d.kind = ?2) "
                               "AND (?3 = '' OR d.namespace = ?3) AND (?4 = '' OR d.domain = ?4)"));
  select.BindAll(scan.match, scan.kind, scan.ns, scan.domain);
  absl::Status status = select.ForEachRow([&](const Statement& row) {
    SearchDocRow doc = ReadDocRow(row);
    doc.rank = row.Double(12);
    fn(std::move(doc));
  });
  if (!status.ok() && absl::IsInternal(status) &&
      absl::StrContains(status.message(), "fts5: syntax error")) {
    return absl::InvalidArgumentError(absl::StrCat("search query: ", status.message()));
  }
  return status;
}

absl::StatusOr<std::vector<SearchDocRow>> SqliteTxn::SearchDocsByKey(std::string_view key) {
  ASSIGN_OR_RETURN(Statement select,
                   db_.Prepare("SELECT " CADASTRE_SEARCH_ROW_COLUMNS
                               ", CASE WHEN d.name_key = ?1 OR d.qualified_key = ?1 THEN 2 ELSE 1 END "
                               "FROM search_docs d "
                               "WHERE d.name_key = ?1 OR d.qualified_key = ?1 OR d.short_key = ?1"));
  select.Bind(key);
  std::vector<SearchDocRow> docs;
  RETURN_IF_ERROR(select.ForEachRow([&](const Statement& row) {
    docs.push_back(ReadDocRow(row));
    docs.back().exact = static_cast<int>(row.Int(12));
  }));
  return docs;
}

absl::StatusOr<std::vector<SearchDoc>> SqliteTxn::SearchDocsById(const std::vector<int64_t>& ids) {
  std::vector<SearchDoc> docs;
  if (ids.empty()) return docs;
  ASSIGN_OR_RETURN(Statement select,
                   db_.Prepare("SELECT " CADASTRE_SEARCH_ROW_COLUMNS
                               ", d.field, d.description, d.data_type FROM search_docs d "
                               "WHERE d.id IN (SELECT value FROM json_each(?))"));
  select.Bind(IdsJson(ids));
  RETURN_IF_ERROR(select.ForEachRow([&](const Statement& row) {
    SearchDoc doc;
    doc.row = ReadDocRow(row);
    doc.field = row.Text(12);
    doc.description = row.Text(13);
    doc.data_type = row.Text(14);
    docs.push_back(std::move(doc));
  }));
  return docs;
}

absl::StatusOr<std::vector<SearchHighlightRow>> SqliteTxn::SearchHighlights(
    std::string_view match, const std::vector<int64_t>& ids) {
  std::vector<SearchHighlightRow> out;
  if (ids.empty() || match.empty()) return out;
  static constexpr const char* kColumns[] = {"name", "columns", "description",
                                             "tags", "owners",  "body"};
  // highlight() marks every matched word of a column; snippet() would cut
  // long texts, which the service does itself. One document at a time:
  // FTS5 seeks a MATCH to an equal rowid, while `rowid IN (...)` would
  // walk every match of the query again (thousands for a short prefix).
  for (int64_t id : ids) {
    ASSIGN_OR_RETURN(Statement select,
                     db_.Prepare("SELECT highlight(search_fts, 0, char(1), char(2)), "
                                 "highlight(search_fts, 1, char(1), char(2)), "
                                 "highlight(search_fts, 2, char(1), char(2)), "
                                 "highlight(search_fts, 3, char(1), char(2)), "
                                 "highlight(search_fts, 4, char(1), char(2)), "
                                 "highlight(search_fts, 5, char(1), char(2)) FROM search_fts "
                                 "WHERE search_fts MATCH ? AND rowid = ?"));
    select.BindAll(match, id);
    RETURN_IF_ERROR(select.ForEachRow([&](const Statement& row) {
      for (int column = 0; column < 6; ++column) {
        std::string text = row.Text(column);
        if (text.find('\x01') == std::string::npos) continue;
        out.push_back({id, kColumns[column], std::move(text)});
      }
    }));
  }
  return out;
}

absl::Status SqliteTxn::ScanSearchWords(const std::function<void(std::string_view)>& fn) {
  ASSIGN_OR_RETURN(Statement select, db_.Prepare("SELECT term FROM search_vocab"));
  return select.ForEachRow([&](const Statement& row) { fn(row.Text(0)); });
}

absl::StatusOr<int64_t> SqliteTxn::SearchGeneration() {
  return db_.QueryInt("SELECT generation FROM search_state");
}

#undef CADASTRE_SEARCH_ROW_COLUMNS

}  // namespace cadastre::store
