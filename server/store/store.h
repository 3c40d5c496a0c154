// The storage contract. Services talk to a Store and never see SQL; SQLite
// is the embedded implementation, and any other (PostgreSQL) must pass the
// same conformance suite (tests/store/store_conformance_test.cc).
//
// The store keeps documents whole and consistent; it enforces no business
// rule beyond referential integrity. Validation, permissions, history and
// defaults belong to the services.
#pragma once

#include <climits>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cadastre/v1/access.pb.h"
#include "cadastre/v1/catalog.pb.h"
#include "cadastre/v1/glossary.pb.h"
#include "cadastre/v1/lineage.pb.h"
#include "cadastre/v1/principal.pb.h"
#include "cadastre/v1/sample.pb.h"
#include "cadastre/v1/search.pb.h"

namespace cadastre::store {

namespace v1 = ::cadastre::v1;

struct Page {
  int limit = 100;
  int offset = 0;
};

template <typename T>
struct Listing {
  std::vector<T> items;
  int total_count = 0;  // of all matching rows, not just this page
};

// ---------------------------------------------------------------- lineage rows
// Lineage refers to columns and datasets by their integer row ids, which
// stay stable across PutDataset (fields are matched by name). Times are
// microseconds since the epoch.

inline constexpr int64_t kOpenEnd = INT64_MAX;  // valid_to of an edge that holds

struct ColumnEdgeRow {
  int64_t id = 0;              // assigned by InsertColumnEdge
  int64_t source_field = 0;    // dataset_fields id
  int64_t target_dataset = 0;  // datasets id
  int64_t target_field = 0;    // dataset_fields id; 0: the whole target dataset
  int64_t job = 0;             // jobs id
  std::string type;            // "DIRECT" / "INDIRECT"
  std::string subtype;
  std::string description;
  bool masking = false;
  int64_t first_seen = 0;
  int64_t last_seen = 0;
  int64_t valid_from = 0;
  int64_t valid_to = kOpenEnd;
};

struct JobIoRow {
  int64_t job = 0;
  int64_t dataset = 0;
  bool output = false;  // false: the job reads the dataset
  int64_t first_seen = 0;
  int64_t last_seen = 0;
};

struct FieldInfo {
  int64_t id = 0;
  int64_t dataset_id = 0;
  std::string ns;
  std::string dataset;
  std::string field;
  std::string type;
};

// One classification on a column: carried (a field tag) or blocked.
struct FieldTagRow {
  int64_t field_id = 0;
  std::string tag;
  bool blocked = false;  // a block of the tag (field_tag_blocks), not a tag
};

struct DatasetInfo {
  int64_t id = 0;
  std::string ns;
  std::string name;
  bool deleted = false;
  std::string domain;
  std::string created_by;  // the principal that created it
};

struct JobInfo {
  int64_t id = 0;
  std::string ns;
  std::string name;
};

struct LineageEventRow {
  std::string hash;  // raw SHA-256 of canonical_json; unique
  int64_t event_time = 0;
  std::string event_type;  // "START", …, or "" for dataset/job events
  std::string run_id;
  std::string job_ns;
  std::string job_name;
  std::string producer;
  std::string json;  // the canonical event
};

struct EventQuery {
  std::optional<int64_t> before;  // event_time < before
  std::optional<int64_t> after;   // event_time > after
  bool ascending = false;         // by event_time, then arrival
  Page page;
};

// ------------------------------------------------------------------ sync rows

// The id another catalog (`system`) gives one of Cadastre's entities.
struct ExternalIdRow {
  std::string system;
  std::string entity_type;  // as in EntityVersion.entity_type
  std::string external_id;
  std::string entity_key;  // as in EntityVersion.entity_key
};

// One entity version with its place in commit order (the change feed).
struct ChangeRow {
  int64_t seq = 0;  // increases with every version appended
  v1::EntityVersion version;
};

// ---------------------------------------------------------------- search rows
// The search index (migrations/0004_search.sql, docs/search.md) holds one
// document per live dataset, column, job and glossary term. The store
// writes it with the thing itself (PutDataset, RenameDataset, PutJob,
// PutTerm, DeleteTerm); services only read it.

// What filters, facets and ranking need of one matching document.
struct SearchDocRow {
  int64_t id = 0;
  int kind = 0;            // cadastre.v1.SearchHit.Type
  int64_t dataset_id = 0;  // DATASET and FIELD; 0 otherwise
  std::string ns;
  std::string dataset;
  std::string domain;
  std::string created_by;
  std::string title;  // the name as shown: the dataset's, column's, job's or term's
  std::optional<int64_t> updated_at;
  std::string tags;  // newline-separated, as are owners and terms
  std::string owners;
  std::string terms;
  double rank = 0;  // FTS5 bm25 with the column weights: lower is better
  // SearchDocsByKey: 2 when the name or qualified name is the key, 1 when
  // only the name's last segment is.
  int exact = 0;
};

// A document whole, for showing it.
struct SearchDoc {
  SearchDocRow row;
  std::string field;
  std::string description;
  std::string data_type;
};

struct SearchScan {
  // An FTS5 query (the search service builds it from user words; the store
  // never parses user text). Empty: every document, rank 0.
  std::string match;
  int kind = 0;        // 0: every kind
  std::string ns;      // "": every namespace
  std::string domain;  // "": every domain
};

// One highlighted column of a document: `text` with the matched words
// between the 0x01 and 0x02 bytes.
struct SearchHighlightRow {
  int64_t id = 0;
  std::string column;  // "name", "columns", "description", "tags", "owners", "body"
  std::string text;
};

// Reads see one consistent snapshot for the life of the transaction.
//
// Every Get* answers NOT_FOUND when the entity does not exist. Soft-deleted
// namespaces and datasets are returned (with is_hidden / deleted set): the
// caller decides whether they count.
class ReadTxn {
 public:
  virtual ~ReadTxn() = default;

  // Store::Generation() as it was just before this transaction took its
  // snapshot; odd inside a write transaction.
  virtual uint64_t generation() const = 0;

  virtual absl::StatusOr<v1::Namespace> GetNamespace(std::string_view name) = 0;
  // Ordered by name; hidden namespaces only when `include_hidden`.
  virtual absl::StatusOr<Listing<v1::Namespace>> ListNamespaces(Page page, bool include_hidden) = 0;

  // The whole document: fields in ordinal order, each with its tags,
  // glossary terms and blocked_tags; dataset tags, owners, custom
  // properties, facets. (inherited_tags and column_lineage are the
  // lineage service's to fill.)
  virtual absl::StatusOr<v1::Dataset> GetDataset(std::string_view ns, std::string_view name) = 0;
  // Ordered by name; deleted datasets only when `include_deleted`.
  virtual absl::StatusOr<Listing<v1::Dataset>> ListDatasets(std::string_view ns, Page page,
                                                            bool include_deleted) = 0;

  virtual absl::StatusOr<v1::Tag> GetTag(std::string_view name) = 0;
  // All tags, ordered by name.
  virtual absl::StatusOr<std::vector<v1::Tag>> ListTags() = 0;
  // Where the tag is applied, as "ns:dataset" or "ns:dataset:field", and
  // its direct children; at most `limit` of them. Empty when unused.
  virtual absl::StatusOr<std::vector<std::string>> TagDependents(std::string_view name,
                                                                 int limit) = 0;

  // The term with its linked columns.
  virtual absl::StatusOr<v1::GlossaryTerm> GetTerm(std::string_view name) = 0;
  virtual absl::StatusOr<std::vector<v1::GlossaryTerm>> ListTerms() = 0;
  // Linked columns ("ns:dataset:field"), child terms and terms that name it
  // as related; at most `limit` of them.
  virtual absl::StatusOr<std::vector<std::string>> TermDependents(std::string_view name,
                                                                  int limit) = 0;

  // Newest first.
  virtual absl::StatusOr<Listing<v1::EntityVersion>> ListVersions(std::string_view entity_type,
                                                                  std::string_view entity_key,
                                                                  Page page) = 0;
  // The highest version number recorded for the entity; 0 when none.
  virtual absl::StatusOr<int64_t> LatestVersion(std::string_view entity_type,
                                                std::string_view entity_key) = 0;

  virtual absl::StatusOr<v1::Principal> GetPrincipal(std::string_view name) = 0;
  // The token whose SHA-256 hash is `hash` (raw 32 bytes).
  virtual absl::StatusOr<v1::TokenInfo> GetTokenByHash(std::string_view hash) = 0;
  virtual absl::StatusOr<int> CountPrincipals() = 0;
  // Ordered by name.
  virtual absl::StatusOr<Listing<v1::Principal>> ListPrincipals(Page page) = 0;
  // Every principal, for the in-memory access model.
  virtual absl::StatusOr<std::vector<v1::Principal>> AllPrincipals() = 0;
  // The principal's tokens, newest first.
  virtual absl::StatusOr<std::vector<v1::TokenInfo>> ListTokens(std::string_view principal) = 0;
  // Custom roles only (built-in ones live in the code), by name.
  virtual absl::StatusOr<std::vector<v1::Role>> ListRoles() = 0;
  // Ordered by id.
  virtual absl::StatusOr<std::vector<v1::Grant>> ListGrants() = 0;
  // Ordered by name.
  virtual absl::StatusOr<std::vector<v1::MaskingPolicy>> ListMaskingPolicies() = 0;
  // The sample as uploaded; NOT_FOUND when the dataset has none.
  virtual absl::StatusOr<v1::DatasetSample> GetSample(int64_t dataset_id) = 0;
  // Live and deleted datasets of the namespace (of every namespace when
  // `ns` is empty), names and scope attributes only, ordered by
  // (namespace, name).
  virtual absl::StatusOr<std::vector<DatasetInfo>> DatasetInfos(std::string_view ns) = 0;

  // ---- sync
  // Every binding of `system` for entities of `entity_type`, by external id.
  virtual absl::StatusOr<std::vector<ExternalIdRow>> ListExternalIds(
      std::string_view system, std::string_view entity_type) = 0;
  // Versions of every entity appended after `after_seq` (0: from the
  // first), in commit order, at most `limit`.
  virtual absl::StatusOr<std::vector<ChangeRow>> VersionsAfter(int64_t after_seq, int limit) = 0;

  // ---- lineage
  // Row ids of a dataset's fields by name; NOT_FOUND when the dataset does
  // not exist (deleted ones included).
  virtual absl::StatusOr<int64_t> DatasetRowId(std::string_view ns, std::string_view name) = 0;
  virtual absl::StatusOr<std::vector<FieldInfo>> FieldsOfDataset(int64_t dataset_id) = 0;
  // Rows for the given ids, in no particular order; unknown ids are skipped.
  virtual absl::StatusOr<std::vector<FieldInfo>> FieldsById(const std::vector<int64_t>& ids) = 0;
  virtual absl::StatusOr<std::vector<DatasetInfo>> DatasetsById(
      const std::vector<int64_t>& ids) = 0;
  virtual absl::StatusOr<std::vector<JobInfo>> JobsById(const std::vector<int64_t>& ids) = 0;

  // The job with inputs/outputs (from job I/O) and its latest run.
  virtual absl::StatusOr<v1::Job> GetJob(std::string_view ns, std::string_view name) = 0;
  virtual absl::StatusOr<int64_t> JobRowId(std::string_view ns, std::string_view name) = 0;
  // Ordered by name.
  virtual absl::StatusOr<Listing<v1::Job>> ListJobs(std::string_view ns, Page page) = 0;
  virtual absl::StatusOr<v1::Run> GetRun(std::string_view run_id) = 0;
  // Newest first (by created_at).
  virtual absl::StatusOr<Listing<v1::Run>> ListRuns(int64_t job_id, Page page) = 0;

  virtual absl::StatusOr<Listing<std::string>> ListLineageEvents(const EventQuery& query) = 0;

  // Edges from `job` into `target_dataset` that hold (valid_to == kOpenEnd).
  virtual absl::StatusOr<std::vector<ColumnEdgeRow>> OpenEdgesInto(int64_t job,
                                                                   int64_t target_dataset) = 0;
  // Edges whose target or source column belongs to the dataset (for the
  // dataset GET's columnLineage), that hold.
  virtual absl::StatusOr<std::vector<ColumnEdgeRow>> OpenEdgesOfDataset(int64_t dataset_id) = 0;
  // Columns of live datasets carrying `tag` or a tag below it ("PII" finds
  // "PII.Email" too), each once.
  virtual absl::StatusOr<std::vector<FieldInfo>> FieldsTagged(std::string_view tag) = 0;
  // The tags and blocked tags of the given columns, whatever their
  // dataset's state (deleted ones included), in no particular order;
  // unknown ids are skipped. What propagation needs without reading whole
  // datasets.
  virtual absl::StatusOr<std::vector<FieldTagRow>> FieldTagsById(
      const std::vector<int64_t>& ids) = 0;
  // Calls `fn` for every column edge (open and closed), in ascending id
  // order / every job I/O row; used to load the in-memory graph at start,
  // which is fastest in id order.
  virtual absl::Status ScanColumnEdges(const std::function<void(const ColumnEdgeRow&)>& fn) = 0;
  virtual absl::Status ScanJobIo(const std::function<void(const JobIoRow&)>& fn) = 0;

  // Search (see SearchDocRow). Calls `fn` for every document matching
  // `scan`, in no particular order (the caller ranks); INVALID_ARGUMENT when
  // `match` is not a valid FTS5 query.
  virtual absl::Status ScanSearchDocs(const SearchScan& scan,
                                      const std::function<void(SearchDocRow&&)>& fn) = 0;
  // The documents whose name, qualified name or last name segment is `key`
  // (lower case), rank 0.
  virtual absl::StatusOr<std::vector<SearchDocRow>> SearchDocsByKey(std::string_view key) = 0;
  virtual absl::StatusOr<std::vector<SearchDoc>> SearchDocsById(
      const std::vector<int64_t>& ids) = 0;
  // Where `match` matched in the given documents: the columns with at least
  // one matched word.
  virtual absl::StatusOr<std::vector<SearchHighlightRow>> SearchHighlights(
      std::string_view match, const std::vector<int64_t>& ids) = 0;
  // Every distinct word of the index.
  virtual absl::Status ScanSearchWords(const std::function<void(std::string_view)>& fn) = 0;
  // Changes whenever the index does.
  virtual absl::StatusOr<int64_t> SearchGeneration() = 0;
};

// A write transaction: all of its changes commit together or not at all.
class WriteTxn : public ReadTxn {
 public:
  // Inserts or replaces by name; created_at is kept from the first insert.
  virtual absl::Status PutNamespace(const v1::Namespace& ns) = 0;

  // Inserts or replaces the whole document identified by
  // (dataset.namespace, dataset.name). Fields are matched by name, so a
  // field that stays keeps its identity (and later its lineage); fields not
  // in the document are removed with their tag and term links. Referenced
  // tags and terms must exist (FAILED_PRECONDITION otherwise), as must the
  // namespace.
  virtual absl::Status PutDataset(const v1::Dataset& dataset) = 0;

  virtual absl::Status PutTag(const v1::Tag& tag) = 0;
  // Fails with FAILED_PRECONDITION while the tag has dependents.
  virtual absl::Status DeleteTag(std::string_view name) = 0;

  // `term.columns` is ignored: links are part of datasets.
  virtual absl::Status PutTerm(const v1::GlossaryTerm& term) = 0;
  // Fails with FAILED_PRECONDITION while the term has dependents.
  virtual absl::Status DeleteTerm(std::string_view name) = 0;

  // Fails with ALREADY_EXISTS if (entity_type, entity_key, version) exists.
  virtual absl::Status AppendVersion(const v1::EntityVersion& version) = 0;

  virtual absl::Status PutPrincipal(const v1::Principal& principal) = 0;
  // `hash` is the raw SHA-256 of the secret; the secret is never stored.
  virtual absl::Status PutToken(const v1::TokenInfo& token, std::string_view hash) = 0;
  // Marks the token revoked at `when` (kept if it already was).
  virtual absl::Status RevokeToken(std::string_view id,
                                   const google::protobuf::Timestamp& when) = 0;
  // Removes the principal with its tokens and grants; NOT_FOUND when missing.
  virtual absl::Status DeletePrincipal(std::string_view name) = 0;
  virtual absl::Status PutRole(const v1::Role& role) = 0;
  virtual absl::Status DeleteRole(std::string_view name) = 0;
  // grant.principal must exist (FAILED_PRECONDITION otherwise).
  virtual absl::Status PutGrant(const v1::Grant& grant) = 0;
  virtual absl::Status DeleteGrant(std::string_view id) = 0;
  // policy.tag must exist (FAILED_PRECONDITION otherwise); a tag with
  // policies cannot be deleted.
  virtual absl::Status PutMaskingPolicy(const v1::MaskingPolicy& policy) = 0;
  virtual absl::Status DeleteMaskingPolicy(std::string_view name) = 0;
  // Replaces the dataset's sample.
  virtual absl::Status PutSample(int64_t dataset_id, const v1::DatasetSample& sample) = 0;

  // ---- sync
  // Binds the external id to the entity, replacing any other binding of
  // that id or of that entity within (system, entity_type).
  virtual absl::Status PutExternalId(const ExternalIdRow& row) = 0;
  // Drops the entity's binding in every system.
  virtual absl::Status DeleteExternalIds(std::string_view entity_type,
                                         std::string_view entity_key) = 0;

  // ---- lineage
  // Stores a raw event; answers false (and stores nothing) when an event
  // with the same hash is already there.
  virtual absl::StatusOr<bool> AppendLineageEvent(const LineageEventRow& event) = 0;

  // Inserts or replaces the job identified by (job.namespace, job.name),
  // keeping created_at; `inputs`, `outputs` and `latest_run` are ignored
  // (they come from job I/O and runs). Answers the row id.
  virtual absl::StatusOr<int64_t> PutJob(const v1::Job& job) = 0;
  // Inserts or replaces the run by id; run.job must name an existing job.
  virtual absl::Status PutRun(const v1::Run& run) = 0;
  // Inserts, or widens first_seen/last_seen of, the (job, dataset, output) row.
  virtual absl::Status UpsertJobIo(const JobIoRow& row) = 0;

  // Answers the new row's id.
  virtual absl::StatusOr<int64_t> InsertColumnEdge(const ColumnEdgeRow& row) = 0;
  virtual absl::Status UpdateColumnEdge(int64_t id, int64_t last_seen, int64_t valid_to) = 0;

  // Moves a dataset to a new (namespace, name), keeping its row id, fields,
  // links and lineage. NOT_FOUND when the source is missing, ALREADY_EXISTS
  // when the target exists; the target namespace must exist.
  virtual absl::Status RenameDataset(std::string_view ns, std::string_view name,
                                     std::string_view new_ns, std::string_view new_name) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Runs `fn` in a read transaction. Returns fn's status.
  virtual absl::Status Read(const std::function<absl::Status(ReadTxn&)>& fn) = 0;

  // Runs `fn` in a write transaction, committed durably when fn returns OK
  // and rolled back otherwise. When Write returns OK the change survives a
  // crash of the process. Writes are serialised.
  virtual absl::Status Write(const std::function<absl::Status(WriteTxn&)>& fn) = 0;

  // Counts write transactions, twice each: odd while one is open, even
  // between them. A value derived from a read may be kept and used again
  // while the generation is the same even number it was before the read
  // began and after it ended (no write started or ended meanwhile).
  virtual uint64_t Generation() const = 0;
};

}  // namespace cadastre::store
