#include "server/api/dispatcher.h"

#include <exception>
#include <optional>
#include <random>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "server/catalog/versioning.h"
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

namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

std::string StringField(const Message& message, const char* name) {
  const FieldDescriptor* field = message.GetDescriptor()->FindFieldByName(name);
  if (field == nullptr || field->is_repeated() || field->cpp_type() != FieldDescriptor::CPPTYPE_STRING) {
    return "";
  }
  return message.GetReflection()->GetString(message, field);
}

// Fills the note from a message holding `namespace`; false without one.
bool NoteDataset(const Message& message, policy::AuditNote* note) {
  std::string ns = StringField(message, "namespace");
  if (ns.empty()) return false;
  note->ns = std::move(ns);
  note->dataset = StringField(message, "dataset");
  if (note->dataset.empty()) note->dataset = StringField(message, "name");
  note->field = StringField(message, "field");
  return true;
}

}  // namespace

void NoteResource(const Message& request, policy::AuditNote* note) {
  if (NoteDataset(request, note)) return;
  const auto* reflection = request.GetReflection();
  for (const char* nested : {"id", "dataset", "from", "column", "source"}) {
    const FieldDescriptor* field = request.GetDescriptor()->FindFieldByName(nested);
    if (field != nullptr && !field->is_repeated() &&
        field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
        reflection->HasField(request, field) &&
        NoteDataset(reflection->GetMessage(request, field), note)) {
      return;
    }
  }
  for (const char* name : {"name", "tag", "principal", "node_id"}) {
    note->entity = StringField(request, name);
    if (!note->entity.empty()) return;
  }
}

absl::Status Dispatcher::Run(CallInfo& info,
                             const std::function<absl::Status(const policy::Caller&)>& call) const {
  const absl::Time start = clock_->Now();
  if (info.request_id.empty()) info.request_id = RequestIdFrom("");
  absl::Status status;
  std::optional<policy::Caller> caller;
  try {
    absl::StatusOr<policy::Caller> authenticated =
        info.authorization.empty() && !info.client_cert_cn.empty()
            ? authenticator_->AuthenticateCertificate(info.client_cert_cn)
            : authenticator_->Authenticate(info.authorization);
    if (!authenticated.ok()) {
      status = authenticated.status();
    } else {
      caller = *std::move(authenticated);
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
  if (absl::Status audited = Audit(info, caller ? &*caller : nullptr, start, status);
      !audited.ok()) {
    status = audited;
  }
  Count(info, status, clock_->Now() - start);
  return status;
}

void Dispatcher::Refused(const CallInfo& info, const absl::Status& status) const {
  (void)Audit(info, nullptr, clock_->Now(), status);
  Count(info, status, absl::ZeroDuration());
}

absl::Status Dispatcher::Audit(const CallInfo& info, const policy::Caller* caller,
                               absl::Time start, const absl::Status& status) const {
  if (audit_ == nullptr) return absl::OkStatus();
  v1::AuditRecord record;
  *record.mutable_time() = catalog::TimeToProto(start);
  record.set_action(std::string(info.method));
  record.set_transport(std::string(info.transport));
  record.set_client(std::string(info.peer));
  record.set_request_id(info.request_id);
  record.set_status(absl::StatusCodeToString(status.code()));
  const policy::AuditNote empty;
  const policy::AuditNote& note = caller != nullptr ? caller->audit : empty;
  if (caller != nullptr) {
    record.set_principal(caller->principal);
    const policy::Access& access = authorizer_->AccessOf(*caller);
    std::set<std::string> roles(caller->roles.begin(), caller->roles.end());
    for (const v1::Grant& grant : access.grants()) roles.insert(grant.role());
    for (const std::string& role : roles) record.add_roles(role);
    if (const v1::Principal* self = access.snapshot().FindPrincipal(caller->principal)) {
      for (const std::string& team : self->teams()) record.add_teams(team);
    }
  }
  record.set_namespace_(note.ns);
  record.set_dataset(note.dataset);
  record.set_field(note.field);
  record.set_entity(note.entity);
  const bool denied = status.code() == absl::StatusCode::kUnauthenticated ||
                      status.code() == absl::StatusCode::kPermissionDenied ||
                      (status.code() == absl::StatusCode::kNotFound && note.hidden);
  record.set_decision(status.ok() ? v1::AUDIT_ALLOWED
                      : denied    ? v1::AUDIT_DENIED
                                  : v1::AUDIT_FAILED);
  // What refused a denied request (a check noted it); a failed one, its error.
  if (!status.ok()) {
    record.set_reason(denied && !note.reason.empty() ? note.reason : std::string(status.message()));
  }
  for (const v1::AuditColumn& column : note.columns) *record.add_columns() = column;
  record.set_result_size(status.ok() ? note.result_size : 0);
  record.set_entity_version(absl::StrJoin(note.versions, " "));
  return audit_->Append(std::move(record));
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

