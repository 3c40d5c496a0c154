// Who is calling, established once per request by the Authenticator and
// passed to every service method.
#pragma once

#include <string>
#include <vector>

namespace cadastre::policy {

struct Caller {
  std::string principal;           // "admin", "alice", "svc-airflow"
  std::vector<std::string> roles;  // from the principal
  std::string transport;           // "grpc" or "rest"
  std::string peer;                // client address
  std::string request_id;
};

}  // namespace cadastre::policy
