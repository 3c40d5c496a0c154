#include "server/audit/audit_service.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "server/common/csv.h"
#include "server/common/status.h"

namespace cadastre::audit {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int kDefaultPage = 100;
constexpr int kMaxPage = 1000;
constexpr int kMaxExport = 100000;  // records per export call; the cursor goes on

absl::Status CheckReadAudit(const policy::Authorizer& authorizer, const Caller& caller) {
  return authorizer.Check(caller, v1::READ_AUDIT, policy::Resource::System());
}

std::string CsvOf(const std::vector<v1::AuditRecord>& records) {
  CsvWriter out;
  out.Row({"seq", "time", "principal", "roles", "teams", "action", "transport",
                      "client", "requestId", "namespace", "dataset", "field", "entity",
                      "decision", "status", "reason", "columns", "resultSize", "entityVersion",
                      "prevHash", "hash"});
  for (const v1::AuditRecord& r : records) {
    std::vector<std::string> columns;
    for (const v1::AuditColumn& c : r.columns()) {
      columns.push_back(c.mask_type().empty()
                            ? absl::StrCat(c.field(), "=CLEAR")
                            : absl::StrCat(c.field(), "=", c.mask_type(), ":", c.policy()));
    }
    out.Row({absl::StrCat(r.seq()), TimeUtil::ToString(r.time()), r.principal(),
                        absl::StrJoin(r.roles(), ";"), absl::StrJoin(r.teams(), ";"), r.action(),
                        r.transport(), r.client(), r.request_id(), r.namespace_(), r.dataset(),
                        r.field(), r.entity(), v1::AuditDecision_Name(r.decision()), r.status(),
                        r.reason(), absl::StrJoin(columns, ";"), absl::StrCat(r.result_size()),
                        r.entity_version(), r.prev_hash(), r.hash()});
  }
  return out.text();
}

std::string JsonLinesOf(const std::vector<v1::AuditRecord>& records) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string out;
  for (const v1::AuditRecord& r : records) {
    std::string line;
    (void)google::protobuf::util::MessageToJsonString(r, &line, options);
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

}  // namespace

absl::StatusOr<v1::ListAuditEventsResponse> AuditService::ListAuditEvents(
    const Caller& caller, const v1::ListAuditEventsRequest& request) {
  RETURN_IF_ERROR(CheckReadAudit(*authorizer_, caller));
  const std::string& format = request.format();
  const bool json = format.empty() || format == "json";
  if (!json && format != "jsonl" && format != "csv") {
    return InvalidField("format", "must be json, jsonl or csv");
  }
  const int max = json ? kMaxPage : kMaxExport;
  AuditQuery query;
  query.limit = json ? kDefaultPage : kMaxExport;
  if (request.has_limit()) {
    if (request.limit() < 1 || request.limit() > max) {
      return InvalidField("limit", absl::StrCat("must be between 1 and ", max));
    }
    query.limit = request.limit();
  }
  if (!request.cursor().empty() &&
      (!absl::SimpleAtoi(request.cursor(), &query.after_seq) || query.after_seq < 0)) {
    return InvalidField("cursor", "is not a cursor this endpoint returned");
  }
  if (!v1::AuditDecision_IsValid(request.decision())) {
    return InvalidField("decision", "is not a decision");
  }
  if (request.has_from()) query.from_us = TimeUtil::TimestampToMicroseconds(request.from());
  if (request.has_to()) query.to_us = TimeUtil::TimestampToMicroseconds(request.to());
  if (request.has_from() && request.has_to() && query.to_us <= query.from_us) {
    return InvalidField("to", "must be later than from");
  }
  query.principal = request.principal();
  query.action = request.action();
  query.ns = request.namespace_();
  query.dataset = request.dataset();
  query.field = request.field();
  query.decision = request.decision();
  // One more than asked tells whether there is a next page.
  ++query.limit;
  ASSIGN_OR_RETURN(std::vector<v1::AuditRecord> records, log_->Query(query));
  v1::ListAuditEventsResponse response;
  if (static_cast<int>(records.size()) == query.limit) {
    records.pop_back();
    response.set_next_cursor(absl::StrCat(records.back().seq()));
  }
  if (request.pseudonymize()) {
    for (v1::AuditRecord& r : records) r.set_principal(log_->Pseudonym(r.principal()));
  }
  if (format == "csv") {
    response.mutable_export_()->set_content_type("text/csv; charset=utf-8");
    response.mutable_export_()->set_data(CsvOf(records));
  } else if (format == "jsonl") {
    response.mutable_export_()->set_content_type("application/jsonl");
    response.mutable_export_()->set_data(JsonLinesOf(records));
  } else {
    for (v1::AuditRecord& r : records) *response.add_events() = std::move(r);
  }
  return response;
}

absl::StatusOr<v1::AuditChainStatus> AuditService::VerifyAudit(
    const Caller& caller, const v1::VerifyAuditRequest&) {
  RETURN_IF_ERROR(CheckReadAudit(*authorizer_, caller));
  return log_->Verify();
}

absl::StatusOr<v1::ListAuditCheckpointsResponse> AuditService::ListAuditCheckpoints(
    const Caller& caller, const v1::ListAuditCheckpointsRequest& request) {
  RETURN_IF_ERROR(CheckReadAudit(*authorizer_, caller));
  int limit = kDefaultPage;
  if (request.has_limit()) {
    if (request.limit() < 1 || request.limit() > kMaxPage) {
      return InvalidField("limit", absl::StrCat("must be between 1 and ", kMaxPage));
    }
    limit = request.limit();
  }
  ASSIGN_OR_RETURN(std::vector<v1::AuditCheckpoint> checkpoints, log_->Checkpoints(limit));
  v1::ListAuditCheckpointsResponse response;
  for (v1::AuditCheckpoint& c : checkpoints) *response.add_checkpoints() = std::move(c);
  return response;
}

}  // namespace cadastre::audit
