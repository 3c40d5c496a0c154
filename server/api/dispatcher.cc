#include "server/api/dispatcher.h"

#include <exception>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "server/common/log.h"

namespace cadastre::api {

std::string RequestIdFrom(std::string_view client_value) {
  bool safe = !client_value.empty() && client_value.size() <= 128;
  for (char c : client_value) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != '-') safe = false;
  }
  if (safe) return std::string(client_value);
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return absl::StrFormat("%016x", rng());
}

absl::Status Dispatcher::Run(CallInfo& info,
                             const std::function<absl::Status(const policy::Caller&)>& call) const {
  const absl::Time start = clock_->Now();
  if (info.request_id.empty()) info.request_id = RequestIdFrom("");
  absl::Status status;
  try {
    absl::StatusOr<policy::Caller> caller =
        info.authorization.empty() && !info.client_cert_cn.empty()
            ? authenticator_->AuthenticateCertificate(info.client_cert_cn)
            : authenticator_->Authenticate(info.authorization);
    if (!caller.ok()) {
      status = caller.status();
    } else {
      caller->transport = std::string(info.transport);
      caller->peer = std::string(info.peer);
      caller->request_id = info.request_id;
      status = call(*caller);
    }
  } catch (const std::exception& e) {
    log::Error("unhandled exception", {{"method", info.method}, {"what", e.what()},
                                       {"request_id", info.request_id}});
    status = absl::InternalError("internal error");
  }
  Count(info, status, clock_->Now() - start);
  return status;
}

void Dispatcher::Count(const CallInfo& info, const absl::Status& status,
                       absl::Duration elapsed) const {
  metrics_->Record(info.transport, info.method, status.code(), elapsed);
  const bool server_fault = status.code() == absl::StatusCode::kInternal ||
                            status.code() == absl::StatusCode::kUnknown ||
                            status.code() == absl::StatusCode::kDataLoss;
  log::Write(server_fault ? log::Level::kError : log::Level::kDebug, "request",
             {{"method", info.method},
              {"transport", info.transport},
              {"peer", info.peer},
              {"request_id", info.request_id},
              {"code", absl::StatusCodeToString(status.code())},
              {"message", server_fault ? std::string(status.message()) : ""},
              {"ms", absl::ToDoubleMilliseconds(elapsed)}});
}

}  // namespace cadastre::api
