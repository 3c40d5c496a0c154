#include "server/audit/access_report.h"

#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/common/csv.h"
#include "server/common/status.h"

namespace cadastre::audit {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int kPage = 10000;  // audit records read at a time

std::string CsvOf(const v1::AccessReport& report) {
  CsvWriter out;
  out.Row({"seq", "time", "principal", "action", "namespace", "dataset", "field", "access",
                      "maskType", "decision"});
  for (const v1::PersonalDataAccess& a : report.accesses()) {
    out.Row({absl::StrCat(a.seq()), TimeUtil::ToString(a.time()), a.principal(),
                        a.action(), a.column().namespace_(), a.column().dataset(),
                        a.column().field(), a.access(), a.mask_type(),
                        v1::AuditDecision_Name(a.decision())});
  }
  return out.text();
}

}  // namespace

absl::StatusOr<v1::AccessReport> BuildAccessReport(const AuditLog& log,
                                                   const v1::AccessReportRequest& request,
                                                   const PersonalColumnsOf& personal_columns_of) {
  const std::string& format = request.format();
  if (!format.empty() && format != "json" && format != "csv") {
    return InvalidField("format", "must be json or csv");
  }
  AuditQuery query;
  if (request.has_from()) query.from_us = TimeUtil::TimestampToMicroseconds(request.from());
  if (request.has_to()) query.to_us = TimeUtil::TimestampToMicroseconds(request.to());
  if (request.has_from() && request.has_to() && query.to_us <= query.from_us) {
    return InvalidField("to", "must be later than from");
  }
  query.principal = request.principal();
  query.limit = kPage;

  // Personal columns per dataset, asked once per dataset.
  std::map<std::pair<std::string, std::string>, std::set<std::string>> personal;
  auto columns_of = [&](const std::string& ns,
                        const std::string& dataset) -> const std::set<std::string>& {
    auto key = std::make_pair(ns, dataset);
    auto it = personal.find(key);
    if (it == personal.end()) {
      std::vector<std::string> columns = personal_columns_of(ns, dataset);
      it = personal.emplace(key, std::set<std::string>(columns.begin(), columns.end())).first;
    }
    return it->second;
  };

  v1::AccessReport report;
  auto add = [&](const v1::AuditRecord& r, const std::string& field, const char* access,
                 const std::string& mask) {
    v1::PersonalDataAccess* a = report.add_accesses();
    a->set_seq(r.seq());
    *a->mutable_time() = r.time();
    a->set_principal(r.principal());
    a->set_action(r.action());
    a->mutable_column()->set_namespace_(r.namespace_());
    a->mutable_column()->set_dataset(r.dataset());
    a->mutable_column()->set_field(field);
    a->set_access(access);
    a->set_mask_type(mask);
    a->set_decision(r.decision());
  };
  while (true) {
    ASSIGN_OR_RETURN(std::vector<v1::AuditRecord> records, log.Query(query));
    for (const v1::AuditRecord& r : records) {
      if (r.namespace_().empty() || r.dataset().empty()) continue;
      const std::set<std::string>& columns = columns_of(r.namespace_(), r.dataset());
      if (columns.empty()) continue;
      bool valued = false;
      for (const v1::AuditColumn& c : r.columns()) {
        if (!columns.count(c.field())) continue;
        add(r, c.field(), c.mask_type().empty() ? "CLEAR" : "MASKED", c.mask_type());
        valued = true;
      }
      if (valued) continue;
      if (!r.field().empty()) {
        if (columns.count(r.field())) add(r, r.field(), "METADATA", "");
      } else {
        add(r, "", "METADATA", "");
      }
    }
    if (static_cast<int>(records.size()) < kPage) break;
    query.after_seq = records.back().seq();
  }
  if (format == "csv") {
    report.mutable_export_()->set_content_type("text/csv; charset=utf-8");
    report.mutable_export_()->set_data(CsvOf(report));
    report.clear_accesses();
  }
  return report;
}

}  // namespace cadastre::audit
