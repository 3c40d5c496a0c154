// The one authorisation point. Every service method asks it before it
// reads or changes anything; the transports never decide.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "server/policy/access.h"
#include "server/policy/caller.h"

namespace cadastre::policy {

// What a request touches, outside datasets (those are checked with
// CheckDataset, which needs the dataset's scope).
struct Resource {
  std::string kind;  // "namespace", "tag", "term", "principal", "system"
  std::string name;

  static Resource Namespace(std::string n) { return {"namespace", std::move(n)}; }
  static Resource Tag(std::string t) { return {"tag", std::move(t)}; }
  static Resource Term(std::string t) { return {"term", std::move(t)}; }
  static Resource System() { return {"system", ""}; }
};

class Authorizer {
 public:
  explicit Authorizer(const AccessModel* model) : model_(model) {}

  // What the caller may do, evaluated once per request and kept on the
  // Caller.
  const Access& AccessOf(const Caller& caller) const;

  // OK when the caller holds `permission`: on at least one dataset for
  // reading, editing, classifying, the glossary, samples and lineage; on
  // everything (unscoped) for READ_AUDIT, READ_UNMASKED, MANAGE_PRINCIPALS
  // and MANAGE_POLICIES. PERMISSION_DENIED otherwise.
  absl::Status Check(const Caller& caller, Permission permission, const Resource& resource) const;

  // On one dataset: `hidden` (the very error a missing dataset gives) when
  // the caller may not read the dataset's metadata, so that its existence
  // does not leak; PERMISSION_DENIED when it may read it but not exercise
  // `permission`.
  absl::Status CheckDataset(const Caller& caller, Permission permission,
                            const DatasetScope& dataset, const absl::Status& hidden) const;

  // Whether the caller may read the dataset's metadata (see it at all).
  bool CanSee(const Caller& caller, const DatasetScope& dataset) const;

 private:
  const AccessModel* model_;
};

}  // namespace cadastre::policy
