// Reading an event: the JSON text is size- and depth-checked, parsed without
// exceptions, then walked once; every member Cadastre maps is type-checked
// where it is read, so the first problem is reported with its path.
#include "server/openlineage/event.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "server/common/status.h"
#include "server/common/strings.h"
#include "server/openlineage/dataset_facets.h"
#include "server/openlineage/json_fields.h"
#include "server/openlineage/lineage_facets.h"

namespace cadastre::openlineage {
namespace {

using internal::Element;
using internal::Find;
using internal::FindArray;
using internal::FindObject;
using internal::LineageTarget;
using internal::Member;
using internal::ReadString;
using internal::RequireString;
using nlohmann::json;

// Far above any real event or batch (Spark's logical plans are the largest
// facets, a few hundred kB); refused before parsing.
constexpr std::size_t kMaxInputBytes = std::size_t{32} << 20;
// Real events nest about a dozen levels. nlohmann's parser is iterative, but
// copying and dumping a value recurse, so deeper input is refused up front.
constexpr int kMaxDepth = 256;

absl::Status CheckSizeAndDepth(std::string_view text) {
  if (text.size() > kMaxInputBytes) {
    return absl::InvalidArgumentError(absl::StrCat("the body is ", text.size(), " bytes; at most ",
                                                   kMaxInputBytes, " are accepted"));
  }
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) {
        return absl::InvalidArgumentError(
            absl::StrCat("JSON nested deeper than ", kMaxDepth, " levels"));
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return absl::OkStatus();
}

// Re-reads text that failed to parse, only to say where and why.
class SyntaxErrorSax : public json::json_sax_t {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception& error) override {
    message_ = error.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: …"
    if (std::size_t end = message_.find("] ");
        !message_.empty() && message_[0] == '[' && end != std::string::npos) {
      message_.erase(0, end + 2);
    }
    return false;
  }
  const std::string& message() const { return message_; }

 private:
  std::string message_ = "syntax error";
};

absl::StatusOr<json> ParseJson(std::string_view text) {
  RETURN_IF_ERROR(CheckSizeAndDepth(text));
  json value = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    SyntaxErrorSax sax;
    json::sax_parse(text.begin(), text.end(), &sax);
    return absl::InvalidArgumentError(absl::StrCat("not valid JSON: ", sax.message()));
  }
  return value;
}

absl::StatusOr<RunEventType> ParseEventType(const json& event) {
  const json* value = Find(event, "eventType");
  if (value == nullptr) return RunEventType::kOther;  // optional in the spec
  static constexpr std::pair<std::string_view, RunEventType> kTypes[] = {
      {"START", RunEventType::kStart},       {"RUNNING", RunEventType::kRunning},
      {"COMPLETE", RunEventType::kComplete}, {"ABORT", RunEventType::kAbort},
      {"FAIL", RunEventType::kFail},         {"OTHER", RunEventType::kOther}};
  if (value->is_string()) {
    for (const auto& [name, type] : kTypes) {
      if (value->get_ref<const std::string&>() == name) return type;
    }
  }
  return InvalidField("eventType", absl::StrCat(Absl(value->dump()),
                                                " is not one of START, RUNNING, COMPLETE, "
                                                "ABORT, FAIL, OTHER"));
}

// The run facets as sent (a run facet cannot be deleted), with the parent
// and nominal times read out; the parent job goes to `job`.
absl::StatusOr<Run> ParseRun(const json& value, Job* job) {
  RETURN_IF_ERROR(internal::ExpectObject(value, "run"));
  Run run;
  ASSIGN_OR_RETURN(run.run_id, internal::RequireUuid(value, "runId", "run"));
  ASSIGN_OR_RETURN(const json* facets, FindObject(value, "facets", "run"));
  if (facets == nullptr) return run;
  for (const auto& [name, facet] : facets->items()) {
    if (facet.is_null()) continue;
    RETURN_IF_ERROR(internal::ExpectObject(facet, Member("run.facets", name)));
    run.raw[name] = facet;
  }
  if (const json* parent = Find(*facets, "parent")) {
    const std::string path = "run.facets.parent";
    ASSIGN_OR_RETURN(const json* parent_run, FindObject(*parent, "run", path));
    if (parent_run != nullptr) {
      ASSIGN_OR_RETURN(run.parent_run_id,
                       internal::RequireUuid(*parent_run, "runId", Member(path, "run")));
    }
    ASSIGN_OR_RETURN(const json* parent_job, FindObject(*parent, "job", path));
    if (parent_job != nullptr) {
      const std::string job_path = Member(path, "job");
      ASSIGN_OR_RETURN(std::string ns, RequireString(*parent_job, "namespace", job_path, true));
      ASSIGN_OR_RETURN(std::string name, RequireString(*parent_job, "name", job_path, true));
      job->parent = std::make_pair(std::move(ns), std::move(name));
    }
  }
  if (const json* nominal = Find(*facets, "nominalTime")) {
    const std::string path = "run.facets.nominalTime";
    if (const json* start = Find(*nominal, "nominalStartTime")) {
      ASSIGN_OR_RETURN(run.nominal_start,
                       internal::ParseTimestamp(*start, Member(path, "nominalStartTime")));
    }
    if (const json* end = Find(*nominal, "nominalEndTime")) {
      ASSIGN_OR_RETURN(run.nominal_end,
                       internal::ParseTimestamp(*end, Member(path, "nominalEndTime")));
    }
  }
  return run;
}

// The job, its facets, and the DATASET targets of a job-level `lineage`
// facet (into `targets`, one per dataset, entries for the same one merged).
absl::StatusOr<Job> ParseJob(const json& event, std::vector<LineageTarget>* targets) {
  const json* value = Find(event, "job");
  if (value == nullptr) return InvalidField("job", "is required");
  RETURN_IF_ERROR(internal::ExpectObject(*value, "job"));
  Job job;
  ASSIGN_OR_RETURN(job.ns, RequireString(*value, "namespace", "job", /*non_empty=*/true));
  ASSIGN_OR_RETURN(job.name, RequireString(*value, "name", "job", /*non_empty=*/true));
  RETURN_IF_ERROR(internal::ReadFacetMap(*value, "facets", "job", &job.raw, &job.deleted));
  const json& facets = job.raw;  // live facets only: deleted ones say nothing
  auto read = [&](std::string_view facet, std::string_view key, std::string* out) {
    const json* f = Find(facets, facet);
    return f == nullptr ? absl::OkStatus() : ReadString(*f, key, Member("job.facets", facet), out);
  };
  RETURN_IF_ERROR(read("jobType", "processingType", &job.processing_type));
  RETURN_IF_ERROR(read("jobType", "integration", &job.integration));
  RETURN_IF_ERROR(read("jobType", "jobType", &job.job_type));
  RETURN_IF_ERROR(read("sql", "query", &job.sql));
  RETURN_IF_ERROR(read("sourceCode", "language", &job.source_code_language));
  RETURN_IF_ERROR(read("sourceCode", "sourceCode", &job.source_code));
  RETURN_IF_ERROR(read("sourceCodeLocation", "url", &job.source_code_location));
  RETURN_IF_ERROR(read("documentation", "description", &job.description));
  if (const json* lineage = Find(facets, "lineage")) {
    ASSIGN_OR_RETURN(std::vector<LineageTarget> entries,
                     internal::ParseLineageJobFacet(*lineage, "job.facets.lineage"));
    for (LineageTarget& entry : entries) {
      auto same = [&](const LineageTarget& t) { return t.ns == entry.ns && t.name == entry.name; };
      auto it = std::find_if(targets->begin(), targets->end(), same);
      if (it == targets->end()) {
        targets->push_back(std::move(entry));
        continue;
      }
      for (FieldLineage& field : entry.lineage.fields) {
        it->lineage.fields.push_back(std::move(field));
      }
      for (InputLineage& input : entry.lineage.dataset) {
        it->lineage.dataset.push_back(std::move(input));
      }
    }
  }
  return job;
}

// `job_lineage`: the job-level lineage facet's targets, for outputs (or null).
absl::StatusOr<Dataset> ParseDataset(const json& value, const std::string& path,
                                     const std::vector<LineageTarget>* job_lineage) {
  RETURN_IF_ERROR(internal::ExpectObject(value, path));
  Dataset dataset;
  ASSIGN_OR_RETURN(dataset.ns, RequireString(value, "namespace", path, /*non_empty=*/true));
  ASSIGN_OR_RETURN(dataset.name, RequireString(value, "name", path, /*non_empty=*/true));
  const ColumnLineage* from_job = nullptr;
  if (job_lineage != nullptr) {
    for (const LineageTarget& target : *job_lineage) {
      if (target.ns == dataset.ns && target.name == dataset.name) from_job = &target.lineage;
    }
  }
  ASSIGN_OR_RETURN(dataset.facets, internal::ParseDatasetFacets(value, path, from_job));
  return dataset;
}

// `inputs` or `outputs` of a run or job event.
absl::StatusOr<std::vector<Dataset>> ParseDatasets(const json& event, std::string_view key,
                                                   const std::vector<LineageTarget>* job_lineage) {
  ASSIGN_OR_RETURN(const json* list, FindArray(event, key, ""));
  std::vector<Dataset> out;
  if (list == nullptr) return out;
  for (std::size_t i = 0; i < list->size(); ++i) {
    ASSIGN_OR_RETURN(Dataset dataset, ParseDataset((*list)[i], Element(key, i), job_lineage));
    out.push_back(std::move(dataset));
  }
  return out;
}

// Inputs, outputs, and the datasets only a job-level lineage facet names
// (added to the outputs: the facet says the job writes them).
absl::Status ParseJobDatasets(const json& value, std::vector<LineageTarget> targets, Event* event) {
  ASSIGN_OR_RETURN(event->inputs, ParseDatasets(value, "inputs", nullptr));
  ASSIGN_OR_RETURN(event->outputs, ParseDatasets(value, "outputs", &targets));
  for (LineageTarget& target : targets) {
    bool listed = false;
    for (const Dataset& output : event->outputs) {
      listed = listed || (output.ns == target.ns && output.name == target.name);
    }
    if (listed) continue;
    Dataset added;
    added.ns = std::move(target.ns);
    added.name = std::move(target.name);
    added.facets.column_lineage = std::move(target.lineage);
    event->outputs.push_back(std::move(added));
  }
  return absl::OkStatus();
}

absl::StatusOr<Event> ParseEventValue(const json& value) {
  if (!value.is_object()) {
    return absl::InvalidArgumentError("an OpenLineage event must be a JSON object");
  }
  Event event;
  if (Find(value, "run") != nullptr) {
    event.kind = EventKind::kRun;
  } else if (Find(value, "dataset") != nullptr) {
    event.kind = EventKind::kDataset;
  } else if (Find(value, "job") != nullptr) {
    event.kind = EventKind::kJob;
  } else {
    return absl::InvalidArgumentError(
        "not an OpenLineage event: it has none of run (RunEvent), dataset (DatasetEvent), "
        "job (JobEvent)");
  }
  const json* time = Find(value, "eventTime");
  if (time == nullptr) return InvalidField("eventTime", "is required");
  ASSIGN_OR_RETURN(event.event_time, internal::ParseTimestamp(*time, "eventTime"));
  RETURN_IF_ERROR(ReadString(value, "producer", "", &event.producer));
  RETURN_IF_ERROR(ReadString(value, "schemaURL", "", &event.schema_url));

  if (event.kind == EventKind::kDataset) {
    ASSIGN_OR_RETURN(event.dataset, ParseDataset(*Find(value, "dataset"), "dataset", nullptr));
  } else {
    if (event.kind == EventKind::kRun) {
      ASSIGN_OR_RETURN(event.type, ParseEventType(value));
    }
    std::vector<LineageTarget> targets;
    ASSIGN_OR_RETURN(Job job, ParseJob(value, &targets));
    if (event.kind == EventKind::kRun) {
      ASSIGN_OR_RETURN(event.run, ParseRun(*Find(value, "run"), &job));
    }
    event.job = std::move(job);
    RETURN_IF_ERROR(ParseJobDatasets(value, std::move(targets), &event));
  }
  // Sorted keys (nlohmann's objects are ordered maps), no white space; the
  // parser validated the UTF-8, `replace` only guarantees dump cannot throw.
  event.canonical_json = value.dump(-1, ' ', false, json::error_handler_t::replace);
  return event;
}

// "[3]" before the field of an error in the fourth element of a batch (the
// field is "[3]" itself when the element as a whole is at fault).
absl::Status InBatch(const absl::Status& status, std::size_t index) {
  const std::string field = FieldOf(status).value_or("");
  const std::string prefix = absl::StrCat("[", index, "]");
  const std::string joint = field.empty() ? ": " : (field[0] == '[' ? "" : ".");
  return WithField(absl::Status(status.code(), absl::StrCat(prefix, joint, status.message())),
                   absl::StrCat(prefix, field.empty() ? "" : joint, field));
}

}  // namespace

absl::StatusOr<Event> ParseEvent(std::string_view json_text) {
  ASSIGN_OR_RETURN(json value, ParseJson(json_text));
  return ParseEventValue(value);
}

absl::StatusOr<std::vector<Event>> ParseEvents(std::string_view json_text) {
  ASSIGN_OR_RETURN(json value, ParseJson(json_text));
  std::vector<Event> events;
  if (!value.is_array()) {
    ASSIGN_OR_RETURN(Event event, ParseEventValue(value));
    events.push_back(std::move(event));
    return events;
  }
  events.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    absl::StatusOr<Event> event = ParseEventValue(value[i]);
    if (!event.ok()) return InBatch(event.status(), i);
    events.push_back(*std::move(event));
  }
  return events;
}

std::string_view RunEventTypeName(RunEventType type) {
  switch (type) {
    case RunEventType::kNone:
      return "";
    case RunEventType::kStart:
      return "START";
    case RunEventType::kRunning:
      return "RUNNING";
    case RunEventType::kComplete:
      return "COMPLETE";
    case RunEventType::kAbort:
      return "ABORT";
    case RunEventType::kFail:
      return "FAIL";
    case RunEventType::kOther:
      return "OTHER";
  }
  return "";
}

}  // namespace cadastre::openlineage
