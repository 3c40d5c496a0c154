// The storage contract. Services talk to a Store and never see SQL; SQLite
// is the embedded implementation, and any other (PostgreSQL) must pass the
// same conformance suite (tests/store/store_conformance_test.cc).
//
// The store keeps documents whole and consistent; it enforces no business
// rule beyond referential integrity. Validation, permissions, history and
// defaults belong to the services.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cadastre/v1/catalog.pb.h"
#include "cadastre/v1/glossary.pb.h"
#include "cadastre/v1/principal.pb.h"

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

// Reads see one consistent snapshot for the life of the transaction.
//
// Every Get* answers NOT_FOUND when the entity does not exist. Soft-deleted
// namespaces and datasets are returned (with is_hidden / deleted set): the
// caller decides whether they count.
class ReadTxn {
 public:
  virtual ~ReadTxn() = default;

  virtual absl::StatusOr<v1::Namespace> GetNamespace(std::string_view name) = 0;
  // Ordered by name; hidden namespaces only when `include_hidden`.
  virtual absl::StatusOr<Listing<v1::Namespace>> ListNamespaces(
      Page page, bool include_hidden) = 0;

  // The whole document: fields in ordinal order, each with its tags and
  // glossary terms; dataset tags, owners, custom properties, facets.
  virtual absl::StatusOr<v1::Dataset> GetDataset(std::string_view ns,
                                                 std::string_view name) = 0;
  // Ordered by name; deleted datasets only when `include_deleted`.
  virtual absl::StatusOr<Listing<v1::Dataset>> ListDatasets(
      std::string_view ns, Page page, bool include_deleted) = 0;

  virtual absl::StatusOr<v1::Tag> GetTag(std::string_view name) = 0;
  // All tags, ordered by name.
  virtual absl::StatusOr<std::vector<v1::Tag>> ListTags() = 0;
  // Where the tag is applied, as "ns:dataset" or "ns:dataset:field", and
  // its direct children; at most `limit` of them. Empty when unused.
  virtual absl::StatusOr<std::vector<std::string>> TagDependents(
      std::string_view name, int limit) = 0;

  // The term with its linked columns.
  virtual absl::StatusOr<v1::GlossaryTerm> GetTerm(std::string_view name) = 0;
  virtual absl::StatusOr<std::vector<v1::GlossaryTerm>> ListTerms() = 0;
  // Linked columns ("ns:dataset:field"), child terms and terms that name it
  // as related; at most `limit` of them.
  virtual absl::StatusOr<std::vector<std::string>> TermDependents(
      std::string_view name, int limit) = 0;

  // Newest first.
  virtual absl::StatusOr<Listing<v1::EntityVersion>> ListVersions(
      std::string_view entity_type, std::string_view entity_key, Page page) = 0;
  // The highest version number recorded for the entity; 0 when none.
  virtual absl::StatusOr<int64_t> LatestVersion(
      std::string_view entity_type, std::string_view entity_key) = 0;

  virtual absl::StatusOr<v1::Principal> GetPrincipal(std::string_view name) = 0;
  // The token whose SHA-256 hash is `hash` (raw 32 bytes).
  virtual absl::StatusOr<v1::TokenInfo> GetTokenByHash(std::string_view hash) = 0;
  virtual absl::StatusOr<int> CountPrincipals() = 0;
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
  virtual absl::Status PutToken(const v1::TokenInfo& token,
                                std::string_view hash) = 0;
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
};

}  // namespace cadastre::store
