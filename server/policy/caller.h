// Who is calling, established once per request by the Authenticator and
// passed to every service method.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace cadastre::policy {

class Access;

struct Caller {
  std::string principal;           // "admin", "alice", "svc-airflow"
  std::vector<std::string> roles;  // from the principal
  std::string transport;           // "grpc" or "rest"
  std::string peer;                // client address
  std::string request_id;
  // What the principal may do; filled in by the Authorizer on first use
  // and kept for the rest of the request.
  mutable std::shared_ptr<const Access> access;
};

}  // namespace cadastre::policy
