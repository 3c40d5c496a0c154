// cadastre audit verify | audit report personal-data|trace|access
#include <fstream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cadastre/client.h"
#include "commands.h"
#include "exit_codes.h"

namespace cadastre::cli {
namespace {

namespace v1 = cadastre::v1;

struct ReportArgs {
  std::string format;  // csv or json; empty: --output decides
  std::string file;    // -o
  std::string tag;
  bool paths = false;              // personal-data: the FULL view
  std::string ns, dataset, field;  // trace
  std::string from, to, principal;  // access
};

absl::Status ParseTime(const std::string& flag, const std::string& text,
                       google::protobuf::Timestamp* out) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &time, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": not an RFC 3339 time (2026-01-31T00:00:00Z): ", text));
  }
  out->set_seconds(absl::ToUnixSeconds(time));
  return absl::OkStatus();
}

std::string ChainText(const v1::AuditChainStatus& chain) {
  if (chain.ok()) return absl::StrCat("intact (", chain.records(), " records)");
  return absl::StrCat("BROKEN at seq ", chain.first_broken_seq(), ": ", chain.reason());
}

std::string Column(const v1::FieldRef& ref) {
  if (ref.namespace_().empty() && ref.dataset().empty()) return "(hidden)";
  return absl::StrCat(ref.namespace_(), " ", ref.dataset(), ref.field().empty() ? "" : ".", ref.field());
}

absl::Status Verify(Context& context) {
  absl::StatusOr<v1::AuditChainStatus> chain =
      Call(context, &v1::AuditService::Stub::VerifyAudit, v1::VerifyAuditRequest());
  if (!chain.ok()) return chain.status();
  std::ostream& out = *context.out;
  if (context.format() == Format::kJson) {
    PrintJson(out, *chain);
  } else if (chain->ok()) {
    out << context.out_style.Green("Audit chain intact") << ": " << chain->records() << " records, seq "
        << chain->first_seq() << "-" << chain->last_seq() << ", head " << chain->head_hash() << "\n";
  } else {
    out << context.out_style.Red("Audit chain BROKEN") << " at seq " << chain->first_broken_seq()
        << ": " << chain->reason() << "\n";
  }
  if (!chain->ok()) {
    // Its own exit code (6), so a script can tell tampering from an error.
    return absl::Status(absl::StatusCode::kDataLoss,
                        absl::StrCat("the audit log was altered at seq ", chain->first_broken_seq()));
  }
  return absl::OkStatus();
}

// Writes the report: the server's CSV, the message as JSON, or a table.
template <typename Report>
absl::Status Deliver(Context& context, const ReportArgs& args, Report report,
                     const std::function<void(const Report&, std::ostream&)>& table) {
  std::ofstream file;
  std::ostream* out = context.out;
  if (!args.file.empty()) {
    file.open(args.file, std::ios::binary | std::ios::trunc);
    if (!file) return absl::InvalidArgumentError("cannot write " + args.file);
    out = &file;
  }
  const std::string format = !args.format.empty() ? args.format : context.output;
  if (format == "csv") {
    *out << report.export_().data();
  } else if (format == "json") {
    report.clear_export_();
    PrintJson(*out, report);
  } else {
    table(report, *out);
  }
  if (file.is_open()) {
    file.close();
    if (!file) return absl::InternalError("cannot write " + args.file);
    *context.err << "wrote " << args.file << "\n";
  }
  return absl::OkStatus();
}

absl::Status PersonalData(Context& context, const ReportArgs& args) {
  v1::PersonalDataReportRequest request;
  request.set_tag(args.tag);
  if (args.format == "csv") request.set_format("csv");
  if (args.paths) request.set_view(v1::GetDatasetRequest::FULL);
  absl::StatusOr<v1::PersonalDataReport> report =
      Call(context, &v1::ReportService::Stub::GetPersonalDataReport, request);
  if (!report.ok()) return report.status();
  return Deliver<v1::PersonalDataReport>(
      context, args, *std::move(report), [&](const v1::PersonalDataReport& r, std::ostream& out) {
        Table table({"NAMESPACE", "DATASET", "COLUMN", "DOMAIN", "OWN TAGS", "INHERITED", "CONSUMERS"});
        for (const v1::PersonalDataColumn& column : r.columns()) {
          std::vector<std::string> inherited;
          for (const v1::InheritedTag& tag : column.inherited()) inherited.push_back(tag.tag());
          table.Add({column.column().namespace_(), column.column().dataset(), column.column().field(),
                     column.domain(), JoinAll(column.own_tags()), Join(inherited),
                     std::to_string(column.consumers_size())});
        }
        table.Print(out, context.out_style);
        out << "\n" << r.columns_size() << " columns in " << r.dataset_count()
            << " datasets; audit chain " << ChainText(r.audit_chain()) << "\n";
      });
}

absl::Status Trace(Context& context, const ReportArgs& args) {
  if (args.tag.empty() && args.dataset.empty()) {
    return absl::InvalidArgumentError("name a column (NAMESPACE DATASET [COLUMN]) or --tag");
  }
  v1::TraceReportRequest request;
  request.set_namespace_(args.ns);
  request.set_dataset(args.dataset);
  request.set_field(args.field);
  request.set_tag(args.tag);
  if (args.format == "csv") request.set_format("csv");
  absl::StatusOr<v1::TraceReport> report = Call(context, &v1::ReportService::Stub::GetTraceReport, request);
  if (!report.ok()) return report.status();
  return Deliver<v1::TraceReport>(
      context, args, *std::move(report), [&](const v1::TraceReport& r, std::ostream& out) {
        Table table({"PATH", "HOP", "SOURCE", "TARGET", "TRANSFORMATION", "JOB"});
        for (int p = 0; p < r.paths_size(); p++) {
          for (int h = 0; h < r.paths(p).hops_size(); h++) {
            const v1::TraceHop& hop = r.paths(p).hops(h);
            std::string transformation = hop.transformation().type();
            if (!hop.transformation().subtype().empty()) transformation += "/" + hop.transformation().subtype();
            if (hop.transformation().masking()) transformation += ", masking";
            table.Add({std::to_string(p + 1), std::to_string(h + 1), Column(hop.source()),
                       Column(hop.target()), transformation,
                       hop.job().name().empty() ? "" : hop.job().namespace_() + "." + hop.job().name()});
          }
        }
        table.Print(out, context.out_style);
        out << "\n" << r.paths_size() << " paths, " << r.hop_count() << " hops"
            << (r.truncated() ? " (truncated)" : "") << "; audit chain " << ChainText(r.audit_chain())
            << "\n";
      });
}

absl::Status Access(Context& context, const ReportArgs& args) {
  v1::AccessReportRequest request;
  if (!args.from.empty()) {
    if (absl::Status s = ParseTime("--from", args.from, request.mutable_from()); !s.ok()) return s;
  }
  if (!args.to.empty()) {
    if (absl::Status s = ParseTime("--to", args.to, request.mutable_to()); !s.ok()) return s;
  }
  request.set_principal(args.principal);
  request.set_tag(args.tag);
  if (args.format == "csv") request.set_format("csv");
  absl::StatusOr<v1::AccessReport> report = Call(context, &v1::ReportService::Stub::GetAccessReport, request);
  if (!report.ok()) return report.status();
  return Deliver<v1::AccessReport>(
      context, args, *std::move(report), [&](const v1::AccessReport& r, std::ostream& out) {
        Table table({"SEQ", "TIME", "PRINCIPAL", "ACTION", "COLUMN", "ACCESS", "MASK", "DECISION"});
        for (const v1::PersonalDataAccess& access : r.accesses()) {
          table.Add({std::to_string(access.seq()), FormatTime(access.time()), access.principal(),
                     access.action(), Column(access.column()), access.access(), access.mask_type(),
                     v1::AuditDecision_Name(access.decision())});
        }
        table.Print(out, context.out_style);
        out << "\n" << r.accesses_size() << " accesses; audit chain " << ChainText(r.audit_chain()) << "\n";
      });
}

void AddReportOptions(CLI::App* command, ReportArgs& args) {
  command->add_option("--format", args.format, "csv or json (default: as --output, a table or json)")
      ->check(CLI::IsMember({"csv", "json"}));
  command->add_option("-o,--out-file", args.file, "write the report to this file instead of stdout");
}

}  // namespace

void AddAuditCommands(CLI::App& app, Context& context) {
  CLI::App* audit = app.add_subcommand("audit", "Verify the audit log; GDPR reports");
  audit->require_subcommand(1);
  CLI::App* verify = audit->add_subcommand(
      "verify", "Check the hash chain and signed checkpoints of the audit log (exit 6 when broken)");
  verify->callback([&context] { context.action = [&context] { return Verify(context); }; });

  CLI::App* report = audit->add_subcommand("report", "GDPR reports: personal-data, trace, access");
  report->require_subcommand(1);
  auto args = std::make_shared<ReportArgs>();
  CLI::App* personal = report->add_subcommand(
      "personal-data", "Where personal data is (art. 30 inventory): columns under a classification");
  personal->add_option("--tag", args->tag, "the classification (default PII, and below it)");
  personal->add_flag("--paths", args->paths,
                     "with each inherited classification's path (JSON; the FULL view)");
  AddReportOptions(personal, *args);
  personal->callback([&context, args] { context.action = [&context, args] { return PersonalData(context, *args); }; });

  CLI::App* trace = report->add_subcommand(
      "trace", "Every path personal data takes, from source to final consumer, one row per hop");
  trace->add_option("namespace", args->ns, "trace this dataset or column ...");
  trace->add_option("dataset", args->dataset);
  trace->add_option("column", args->field);
  trace->add_option("--tag", args->tag, "... or every column carrying this classification");
  AddReportOptions(trace, *args);
  trace->callback([&context, args] { context.action = [&context, args] { return Trace(context, *args); }; });

  CLI::App* access = report->add_subcommand(
      "access", "Who accessed personal data, clear or masked (from the audit log)");
  access->add_option("--from", args->from, "since (RFC 3339)");
  access->add_option("--to", args->to, "before (RFC 3339)");
  access->add_option("--principal", args->principal, "only this principal");
  access->add_option("--tag", args->tag, "the classification (default PII)");
  AddReportOptions(access, *args);
  access->callback([&context, args] { context.action = [&context, args] { return Access(context, *args); }; });
}

}  // namespace cadastre::cli
