// Internal to the SQLite store: ReadTxn/WriteTxn over one connection on
// which the store has already begun a transaction. The same class serves
// reads (handed out as ReadTxn&, on a read-only connection) and writes.
//
// Split by entity: sqlite_txn.cc holds namespaces and datasets,
// sqlite_txn_glossary.cc tags and terms, sqlite_txn_admin.cc history,
// principals and tokens, sqlite_txn_lineage.cc jobs, runs and raw events,
// sqlite_txn_edges.cc row-id lookups, job I/O, column edges and renames.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "server/common/stamped_cache.h"
#include "server/store/sqlite_db.h"
#include "server/store/store.h"

namespace cadastre::store {

struct SearchDocText;

// Datasets as read transactions read them, for the next reads at the same
// generation of the store. Only read transactions whose snapshot is the
// state their generation names may use it (SqliteTxn::GetDataset).
struct KeptDatasets {
  explicit KeptDatasets(const std::atomic<uint64_t>* store_generation)
      : generation(store_generation) {}
  const std::atomic<uint64_t>* generation;  // the store's
  StampedCache<v1::Dataset> datasets{kBytes};
  static constexpr size_t kBytes = 32 << 20;
};

class SqliteTxn final : public WriteTxn {
 public:
  // `generation`: the store's, read before the transaction began (odd for
  // a write, and for one outside a store). `kept`, for a read whose
  // snapshot was taken when it began: what GetDataset keeps.
  explicit SqliteTxn(SqliteDb& db, uint64_t generation = 1, KeptDatasets* kept = nullptr)
      : db_(db), generation_(generation), kept_(kept) {}

  // ReadTxn.
  uint64_t generation() const override { return generation_; }
  absl::StatusOr<v1::Namespace> GetNamespace(std::string_view name) override;
  absl::StatusOr<Listing<v1::Namespace>> ListNamespaces(Page page, bool include_hidden) override;
  absl::StatusOr<v1::Dataset> GetDataset(std::string_view ns, std::string_view name) override;
  absl::StatusOr<Listing<v1::Dataset>> ListDatasets(std::string_view ns, Page page,
                                                    bool include_deleted) override;
  absl::StatusOr<v1::Tag> GetTag(std::string_view name) override;
  absl::StatusOr<std::vector<v1::Tag>> ListTags() override;
  absl::StatusOr<std::vector<std::string>> TagDependents(std::string_view name, int limit) override;
  absl::StatusOr<v1::GlossaryTerm> GetTerm(std::string_view name) override;
  absl::StatusOr<std::vector<v1::GlossaryTerm>> ListTerms() override;
  absl::StatusOr<std::vector<std::string>> TermDependents(std::string_view name,
                                                          int limit) override;
  absl::StatusOr<Listing<v1::EntityVersion>> ListVersions(std::string_view entity_type,
                                                          std::string_view entity_key,
                                                          Page page) override;
  absl::StatusOr<int64_t> LatestVersion(std::string_view entity_type,
                                        std::string_view entity_key) override;
  absl::StatusOr<v1::Principal> GetPrincipal(std::string_view name) override;
  absl::StatusOr<v1::TokenInfo> GetTokenByHash(std::string_view hash) override;
  absl::StatusOr<int> CountPrincipals() override;
  absl::StatusOr<Listing<v1::Principal>> ListPrincipals(Page page) override;
  absl::StatusOr<std::vector<v1::Principal>> AllPrincipals() override;
  absl::StatusOr<std::vector<v1::TokenInfo>> ListTokens(std::string_view principal) override;
  absl::StatusOr<std::vector<v1::Role>> ListRoles() override;
  absl::StatusOr<std::vector<v1::Grant>> ListGrants() override;
  absl::StatusOr<std::vector<v1::MaskingPolicy>> ListMaskingPolicies() override;
  absl::StatusOr<v1::DatasetSample> GetSample(int64_t dataset_id) override;
  absl::StatusOr<std::vector<DatasetInfo>> DatasetInfos(std::string_view ns) override;
  absl::StatusOr<int64_t> DatasetRowId(std::string_view ns, std::string_view name) override;
  absl::StatusOr<std::vector<FieldInfo>> FieldsOfDataset(int64_t dataset_id) override;
  absl::StatusOr<std::vector<FieldInfo>> FieldsById(const std::vector<int64_t>& ids) override;
  absl::StatusOr<std::vector<DatasetInfo>> DatasetsById(const std::vector<int64_t>& ids) override;
  absl::StatusOr<std::vector<JobInfo>> JobsById(const std::vector<int64_t>& ids) override;
  absl::StatusOr<v1::Job> GetJob(std::string_view ns, std::string_view name) override;
  absl::StatusOr<int64_t> JobRowId(std::string_view ns, std::string_view name) override;
  absl::StatusOr<Listing<v1::Job>> ListJobs(std::string_view ns, Page page) override;
  absl::StatusOr<v1::Run> GetRun(std::string_view run_id) override;
  absl::StatusOr<Listing<v1::Run>> ListRuns(int64_t job_id, Page page) override;
  absl::StatusOr<Listing<std::string>> ListLineageEvents(const EventQuery& query) override;
  absl::StatusOr<std::vector<ColumnEdgeRow>> OpenEdgesInto(int64_t job,
                                                           int64_t target_dataset) override;
  absl::StatusOr<std::vector<ColumnEdgeRow>> OpenEdgesOfDataset(int64_t dataset_id) override;
  absl::StatusOr<std::vector<FieldInfo>> FieldsTagged(std::string_view tag) override;
  absl::StatusOr<std::vector<FieldTagRow>> FieldTagsById(const std::vector<int64_t>& ids) override;
  absl::Status ScanColumnEdges(const std::function<void(const ColumnEdgeRow&)>& fn) override;
  absl::Status ScanJobIo(const std::function<void(const JobIoRow&)>& fn) override;
  absl::Status ScanSearchDocs(const SearchScan& scan,
                              const std::function<void(SearchDocRow&&)>& fn) override;
  absl::StatusOr<std::vector<SearchDocRow>> SearchDocsByKey(std::string_view key) override;
  absl::StatusOr<std::vector<SearchDoc>> SearchDocsById(const std::vector<int64_t>& ids) override;
  absl::StatusOr<std::vector<SearchHighlightRow>> SearchHighlights(
      std::string_view match, const std::vector<int64_t>& ids) override;
  absl::Status ScanSearchWords(const std::function<void(std::string_view)>& fn) override;
  absl::StatusOr<int64_t> SearchGeneration() override;

  // WriteTxn.
  absl::Status PutNamespace(const v1::Namespace& ns) override;
  absl::Status PutDataset(const v1::Dataset& dataset) override;
  absl::Status PutTag(const v1::Tag& tag) override;
  absl::Status DeleteTag(std::string_view name) override;
  absl::Status PutTerm(const v1::GlossaryTerm& term) override;
  absl::Status DeleteTerm(std::string_view name) override;
  absl::Status AppendVersion(const v1::EntityVersion& version) override;
  absl::Status PutPrincipal(const v1::Principal& principal) override;
  absl::Status PutToken(const v1::TokenInfo& token, std::string_view hash) override;
  absl::Status RevokeToken(std::string_view id, const google::protobuf::Timestamp& when) override;
  absl::Status DeletePrincipal(std::string_view name) override;
  absl::Status PutRole(const v1::Role& role) override;
  absl::Status DeleteRole(std::string_view name) override;
  absl::Status PutGrant(const v1::Grant& grant) override;
  absl::Status DeleteGrant(std::string_view id) override;
  absl::Status PutMaskingPolicy(const v1::MaskingPolicy& policy) override;
  absl::Status DeleteMaskingPolicy(std::string_view name) override;
  absl::Status PutSample(int64_t dataset_id, const v1::DatasetSample& sample) override;
  absl::StatusOr<bool> AppendLineageEvent(const LineageEventRow& event) override;
  absl::StatusOr<int64_t> PutJob(const v1::Job& job) override;
  absl::Status PutRun(const v1::Run& run) override;
  absl::Status UpsertJobIo(const JobIoRow& row) override;
  absl::StatusOr<int64_t> InsertColumnEdge(const ColumnEdgeRow& row) override;
  absl::Status UpdateColumnEdge(int64_t id, int64_t last_seen, int64_t valid_to) override;
  absl::Status RenameDataset(std::string_view ns, std::string_view name, std::string_view new_ns,
                             std::string_view new_name) override;

  // Sync (sqlite_txn_sync.cc).
  absl::StatusOr<std::vector<ExternalIdRow>> ListExternalIds(std::string_view system,
                                                             std::string_view entity_type) override;
  absl::StatusOr<std::vector<ChangeRow>> VersionsAfter(int64_t after_seq, int limit) override;
  absl::Status PutExternalId(const ExternalIdRow& row) override;
  absl::Status DeleteExternalIds(std::string_view entity_type,
                                 std::string_view entity_key) override;

  // The search index (sqlite_txn_search.cc). Writes above keep it in step;
  // the store calls FinishSearchChanges before every commit, and
  // BuildSearchIndexIfNeeded once at open (for data older than the index).
  absl::Status FinishSearchChanges();
  absl::Status BuildSearchIndexIfNeeded();

 private:
  // Name -> row id, for resolving a document's references once.
  using IdMap = std::map<std::string, int64_t, std::less<>>;

  // Removes a field's classification, block and glossary links.
  absl::Status ClearFieldLinks(int64_t field_id);
  // Which reference of an edge row is missing or wrong, once an insert failed.
  absl::Status CheckEdgeReferences(const ColumnEdgeRow& row);
  // The id of the row `sql` (one parameter, one integer column) finds, or
  // nullopt when there is none.
  absl::StatusOr<std::optional<int64_t>> FindId(std::string_view sql, std::string_view key);
  // The same for a query by two text keys (namespace and name), or by one
  // integer key (an existence check by row id).
  absl::StatusOr<std::optional<int64_t>> FindId(std::string_view sql, std::string_view key1,
                                                std::string_view key2);
  absl::StatusOr<std::optional<int64_t>> FindId(std::string_view sql, int64_t key);

  // Runs `fn` inside a savepoint, so that a method that fails half way
  // leaves the enclosing transaction as it was before the call.
  absl::Status Atomically(const std::function<absl::Status()>& fn);

  // Fills fields, tags and owners of the dataset stored under `dataset_id`.
  absl::Status LoadDatasetParts(int64_t dataset_id, v1::Dataset* dataset);
  // Resolves every tag and term the document names, failing on the first
  // unknown one; checks that field names are unique.
  absl::Status ResolveReferences(const v1::Dataset& dataset, IdMap* tags, IdMap* terms);
  absl::Status WriteDatasetParts(int64_t dataset_id, const v1::Dataset& dataset, const IdMap& tags,
                                 const IdMap& terms);

  absl::Status LoadTermColumns(int64_t term_id, v1::GlossaryTerm* term);

  // Fills a job's inputs, outputs and latest run from job I/O and runs.
  absl::Status LoadJobParts(int64_t job_id, v1::Job* job);

  // Rewrites the search documents of datasets and their columns (removes
  // them when a dataset is deleted or gone) and of jobs. Writes of datasets
  // and jobs only note the row id; FinishSearchChanges indexes each noted
  // one once, from its final state, before the commit. That batching is
  // what keeps the index cheap: FTS5 flushes its pending terms to a new
  // segment at every statement savepoint, so one statement per document
  // wrote one tiny segment (and merged them) per document.
  absl::Status IndexDatasets(const std::vector<int64_t>& dataset_ids);
  absl::Status IndexJobs(const std::vector<int64_t>& job_ids);
  // Rewrites the search document of a term.
  absl::Status IndexTerm(std::string_view name);
  absl::Status UnindexTerm(int64_t term_id);
  // Upserts `docs` with as few statements as possible, leaving unchanged
  // ones alone.
  absl::Status WriteSearchDocs(const std::vector<SearchDocText>& docs);
  absl::Status DeleteSearchDocs(std::string_view sql, int64_t key);

  SqliteDb& db_;
  const uint64_t generation_;
  KeptDatasets* const kept_;
  bool search_changed_ = false;  // the index changed in this transaction
  // Written in this transaction, not yet indexed (see IndexDatasets).
  std::set<int64_t> unindexed_datasets_;
  std::set<int64_t> unindexed_jobs_;
};

// "what: a, b, c" naming up to the first `shown` dependents, and how many
// more there are, for FAILED_PRECONDITION messages.
std::string DescribeDependents(std::string_view what, const std::vector<std::string>& dependents,
                               size_t shown);

// SQLite treats a negative LIMIT as "no limit"; keep offsets non-negative.
int64_t SqlLimit(const Page& page);
int64_t SqlOffset(const Page& page);

}  // namespace cadastre::store
