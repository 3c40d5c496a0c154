// The one authorisation point. Every service method asks it before it
// reads or changes anything; the transports never decide.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "server/policy/caller.h"

namespace cadastre::policy {

enum class Permission {
  kReadMetadata,
  kEditMetadata,
  kManageClassifications,
  kManageGlossary,
  kManagePrincipals,
  kWriteLineage,     // OpenLineage ingestion
  kReadOperational,  // metrics
};

// What a request touches. Empty parts are "any".
struct Resource {
  std::string kind;  // "namespace", "dataset", "tag", "term", "system"
  std::string ns;
  std::string dataset;
  std::string field;
  std::string name;  // tag or term name

  static Resource Namespace(std::string n) { return {"namespace", std::move(n), "", "", ""}; }
  static Resource Dataset(std::string n, std::string d) {
    return {"dataset", std::move(n), std::move(d), "", ""};
  }
  static Resource Tag(std::string t) { return {"tag", "", "", "", std::move(t)}; }
  static Resource Term(std::string t) { return {"term", "", "", "", std::move(t)}; }
  static Resource System() { return {"system", "", "", "", ""}; }
};

class Authorizer {
 public:
  // OK when `caller` may exercise `permission` on `resource`, otherwise
  // PERMISSION_DENIED. Today only the admin role holds permissions; roles,
  // grants and scopes extend this one function.
  absl::Status Check(const Caller& caller, Permission permission,
                     const Resource& resource) const;
};

}  // namespace cadastre::policy
