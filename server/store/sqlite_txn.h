// Internal to the SQLite store: ReadTxn/WriteTxn over one connection on
// which the store has already begun a transaction. The same class serves
// reads (handed out as ReadTxn&, on a read-only connection) and writes.
//
// Split by entity: sqlite_txn.cc holds namespaces and datasets,
// sqlite_txn_glossary.cc tags and terms, sqlite_txn_admin.cc history,
// principals and tokens.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "server/store/sqlite_db.h"
#include "server/store/store.h"

namespace cadastre::store {

class SqliteTxn final : public WriteTxn {
 public:
  explicit SqliteTxn(SqliteDb& db) : db_(db) {}

  // ReadTxn.
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

 private:
  // Name -> row id, for resolving a document's references once.
  using IdMap = std::map<std::string, int64_t, std::less<>>;

  // The id of the row `sql` (one parameter, one integer column) finds, or
  // nullopt when there is none.
  absl::StatusOr<std::optional<int64_t>> FindId(std::string_view sql, std::string_view key);

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

  SqliteDb& db_;
};

// "what: a, b, c" naming up to the first `shown` dependents, and how many
// more there are, for FAILED_PRECONDITION messages.
std::string DescribeDependents(std::string_view what, const std::vector<std::string>& dependents,
                               size_t shown);

// SQLite treats a negative LIMIT as "no limit"; keep offsets non-negative.
int64_t SqlLimit(const Page& page);
int64_t SqlOffset(const Page& page);

}  // namespace cadastre::store
