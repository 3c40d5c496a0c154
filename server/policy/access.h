// Who may do what: principals, roles (built-in and custom) and grants, held
// in memory as an immutable snapshot that every change replaces whole, and
// what one caller may do, evaluated from such a snapshot.
// docs/access-control.md explains the model.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "cadastre/v1/access.pb.h"
#include "server/store/store.h"

namespace cadastre::policy {

using v1::Permission;

// The roles Cadastre ships with; they cannot be changed or deleted.
const std::vector<v1::Role>& BuiltInRoles();

// The attributes of a dataset that grants look at.
struct DatasetScope {
  std::string_view ns;
  std::string_view name;
  std::string_view domain;
  std::string_view created_by;
};

class AccessSnapshot {
 public:
  static absl::StatusOr<std::shared_ptr<const AccessSnapshot>> Load(store::ReadTxn& txn);

  const v1::Principal* FindPrincipal(std::string_view name) const;
  // Built-in or custom.
  const v1::Role* FindRole(std::string_view name) const;
  // Built-in roles first, then custom ones by name.
  std::vector<v1::Role> Roles() const;
  const std::vector<v1::Grant>& grants() const { return grants_; }
  const std::vector<v1::MaskingPolicy>& masking_policies() const { return policies_; }
  // A digest of every rule; changes whenever any rule changes.
  const std::string& version() const { return version_; }

  // The grants that apply to `principal`: its explicit grants, one ALLOW
  // grant per role it holds (over its domains, or everywhere when it has
  // none), and the same for every team it belongs to. A principal unknown
  // to the snapshot gets `fallback_roles` everywhere.
  std::vector<v1::Grant> EffectiveGrants(std::string_view principal,
                                         const std::vector<std::string>& fallback_roles) const;

 private:
  std::map<std::string, v1::Principal, std::less<>> principals_;
  std::map<std::string, v1::Role, std::less<>> roles_;
  std::vector<v1::Grant> grants_;
  std::vector<v1::MaskingPolicy> policies_;
  std::string version_;
};

// What one principal may do. Rules: a permission holds on a dataset when an
// ALLOW grant covers the dataset with a role that has it, and no DENY grant
// covering the dataset names a role that has it.
class Access {
 public:
  Access(std::shared_ptr<const AccessSnapshot> snapshot, std::string principal,
         std::vector<v1::Grant> grants);

  bool OnDataset(Permission permission, const DatasetScope& dataset) const;
  // For column data (READ_SAMPLES, READ_UNMASKED): grants narrowed to
  // classifications apply too; `column_tags` are the column's own and
  // inherited classifications.
  bool OnColumn(Permission permission, const DatasetScope& dataset,
                const std::vector<std::string>& column_tags) const;
  // Held on at least one dataset, or for things outside datasets.
  bool Anywhere(Permission permission) const;
  // Held on every dataset, whatever its domain.
  bool Everywhere(Permission permission) const;
  // The roles of the ALLOW grants that cover the dataset (what masking
  // policies' unmasked_roles are compared with).
  std::vector<std::string> RolesOn(const DatasetScope& dataset) const;

  const std::string& principal() const { return principal_; }
  const std::vector<v1::Grant>& grants() const { return grants_; }
  const AccessSnapshot& snapshot() const { return *snapshot_; }

 private:
  // Whether the grant's role gives `permission` on `dataset` (own-dataset
  // permissions included), ignoring its scope.
  bool RoleGives(const v1::Grant& grant, Permission permission, const DatasetScope* dataset) const;

  std::shared_ptr<const AccessSnapshot> snapshot_;
  std::string principal_;
  std::vector<v1::Grant> grants_;
};

// Whether `grant`'s domains and datasets cover the dataset (an empty scope
// covers everything; "grid" covers "grid.north").
bool Covers(const v1::Grant& grant, const DatasetScope& dataset);
// Whether `tag` is `scope` or below it ("PII" holds "PII.Email").
bool TagWithin(std::string_view tag, std::string_view scope);

// The current snapshot, replaced after every change to principals, roles,
// grants or masking policies.
class AccessModel {
 public:
  explicit AccessModel(store::Store* store) : store_(store) {}
  // Reads the rules from the store and makes them current.
  absl::Status Reload();
  std::shared_ptr<const AccessSnapshot> Current() const;

 private:
  store::Store* store_;
  absl::Mutex reload_mu_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const AccessSnapshot> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cadastre::policy
