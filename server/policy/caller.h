// Who is calling, established once per request by the Authenticator and
// passed to every service method.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cadastre/v1/audit.pb.h"

namespace cadastre::policy {

class Access;

// What the service layer learns about a request that its audit record
// needs; filled in as the request runs (docs/audit.md).
struct AuditNote {
  // The resource: a dataset or column, or another entity by name.
  std::string ns, dataset, field, entity;
  bool hidden = false;   // a refusal answered as a missing dataset
  std::string reason;    // what refused the request
  // Values returned: each column, with its mask and policy when masked.
  std::vector<v1::AuditColumn> columns;
  std::vector<std::string> versions;  // entity versions the request created
  int64_t result_size = 0;            // bytes of the answer
};

struct Caller {
  std::string principal;           // "admin", "alice", "svc-airflow"
  std::vector<std::string> roles;  // from the principal
  std::string transport;           // "grpc" or "rest"
  std::string peer;                // client address
  std::string request_id;
  // What the principal may do; filled in by the Authorizer on first use
  // and kept for the rest of the request.
  mutable std::shared_ptr<const Access> access;
  mutable AuditNote audit;
};

}  // namespace cadastre::policy
