// LineageService: OpenLineage ingestion. An event is mapped into the
// catalog through the catalog's one write path (SaveDataset), so datasets
// and columns that lineage creates or changes get versions like any other
// change; jobs, runs, job I/O and column edges are stored beside them.
#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/catalog/dataset_access.h"
#include "server/catalog/dataset_writes.h"
#include "server/catalog/history.h"
#include "server/catalog/validation.h"
#include "server/catalog/versioning.h"
#include "server/common/log.h"
#include "server/common/status.h"
#include "server/lineage/lineage_service.h"
#include "server/openlineage/event.h"
#include "server/policy/crypto.h"

namespace cadastre::lineage {
namespace {

namespace ol = ::cadastre::openlineage;
using google::protobuf::util::TimeUtil;
using nlohmann::json;

// Static lineage (a DatasetEvent with column lineage) has no job; its
// edges are attributed to a job of this namespace named after the producer.
constexpr char kStaticJobNamespace[] = "openlineage-static";

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

int64_t Micros(const google::protobuf::Timestamp& t) {
  return TimeUtil::TimestampToMicroseconds(t);
}

google::protobuf::Timestamp FromMicros(int64_t micros) {
  return TimeUtil::MicrosecondsToTimestamp(micros);
}

// Facets accumulate: a facet replaces the one of the same name, and one
// sent as {"_deleted": true} removes it. (The facets are changed in place,
// not printed as JSON, merged and parsed back.)
google::protobuf::Struct MergeFacets(const google::protobuf::Struct& current, const json& raw,
                                     const std::vector<std::string>& deleted,
                                     const std::set<std::string>& skip = {}) {
  google::protobuf::Struct merged = current;
  auto* fields = merged.mutable_fields();
  for (const auto& [name, facet] : raw.items()) {
    if (!skip.count(name)) (*fields)[name] = catalog::JsonToValue(facet);
  }
  for (const std::string& name : deleted) fields->erase(name);
  return merged;
}

// Lineage facets live on as edges, never as dataset facets.
const std::set<std::string>& LineageFacets() {
  static const auto* const names = new std::set<std::string>{"columnLineage", "lineage"};
  return *names;
}

// Whether the event says nothing about the dataset itself: no facet it
// would store or act on (lineage facets become edges, not attributes).
bool BringsNothing(const ol::DatasetFacets& facets) {
  if (facets.schema || facets.documentation || facets.ownership || facets.datasource_name ||
      !facets.tags.empty() || facets.lifecycle || !facets.deleted.empty()) {
    return false;
  }
  for (const auto& [name, facet] : facets.raw.items()) {
    if (!LineageFacets().count(name)) return false;
  }
  return true;
}

// A classification name from a tags facet, made to fit Cadastre's rule
// (segments of [A-Za-z0-9_-]): producers send free text.
std::string TagName(const std::string& text) {
  std::string out;
  for (char c : text) {
    out.push_back(absl::ascii_isalnum(c) || c == '_' || c == '-' || c == '.' ? c : '_');
  }
  // No empty segments.
  std::string cleaned;
  for (size_t i = 0; i < out.size(); i++) {
    if (out[i] == '.' && (cleaned.empty() || cleaned.back() == '.' || i + 1 == out.size())) continue;
    cleaned.push_back(out[i]);
  }
  cleaned = cleaned.substr(0, catalog::kMaxTagBytes);
  while (!cleaned.empty() && cleaned.back() == '.') cleaned.pop_back();
  return catalog::ValidateTagName("tag", cleaned).ok() ? cleaned : "";
}

v1::Field* FindOrAddField(v1::Dataset& dataset, const std::string& name) {
  for (v1::Field& field : *dataset.mutable_fields()) {
    if (field.name() == name) return &field;
  }
  v1::Field* field = dataset.add_fields();
  field->set_name(name);
  field->set_ordinal_position(dataset.fields_size());
  return field;
}

void AddUnique(google::protobuf::RepeatedPtrField<std::string>* list, const std::string& value) {
  if (std::find(list->begin(), list->end(), value) == list->end()) *list->Add() = value;
}

v1::RunState StateOf(ol::RunEventType type) {
  switch (type) {
    case ol::RunEventType::kStart:
    case ol::RunEventType::kRunning: return v1::RUNNING;
    case ol::RunEventType::kComplete: return v1::COMPLETED;
    case ol::RunEventType::kAbort: return v1::ABORTED;
    case ol::RunEventType::kFail: return v1::FAILED;
    default: return v1::RUN_STATE_UNSPECIFIED;
  }
}

bool IsTerminal(v1::RunState state) {
  return state == v1::COMPLETED || state == v1::ABORTED || state == v1::FAILED;
}

// Identity of an edge within one (job, target dataset): what makes two
// facet entries the same edge.
using EdgeKey = std::tuple<int64_t, int64_t, std::string, std::string, bool, std::string>;

EdgeKey KeyOf(const store::ColumnEdgeRow& row) {
  return {row.source_field, row.target_field, row.type, row.subtype, row.masking, row.description};
}

// Names an event brings must follow the catalog's rules, like names sent to
// the catalog API: INVALID_ARGUMENT naming the JSON path otherwise.
absl::Status ValidateDatasetNames(const ol::Dataset& dataset, const std::string& path) {
  RETURN_IF_ERROR(catalog::ValidateName(path + ".namespace", dataset.ns));
  RETURN_IF_ERROR(catalog::ValidateName(path + ".name", dataset.name));
  const ol::DatasetFacets& facets = dataset.facets;
  if (facets.schema) {
    for (size_t i = 0; i < facets.schema->size(); i++) {
      RETURN_IF_ERROR(catalog::ValidateName(
          absl::StrCat(path, ".facets.schema.fields[", i, "].name"), (*facets.schema)[i].name));
    }
  }
  if (!facets.column_lineage) return absl::OkStatus();
  const std::string lineage = path + ".facets.columnLineage";
  auto check_input = [&](const ol::InputLineage& input) -> absl::Status {
    RETURN_IF_ERROR(catalog::ValidateName(lineage + ".namespace", input.source.ns));
    RETURN_IF_ERROR(catalog::ValidateName(lineage + ".name", input.source.dataset));
    if (!input.source.field.empty()) {
      RETURN_IF_ERROR(catalog::ValidateName(lineage + ".field", input.source.field));
    }
    return absl::OkStatus();
  };
  for (const ol::FieldLineage& field : facets.column_lineage->fields) {
    RETURN_IF_ERROR(catalog::ValidateName(lineage + ".fields", field.target_field));
    for (const ol::InputLineage& input : field.inputs) RETURN_IF_ERROR(check_input(input));
  }
  for (const ol::InputLineage& input : facets.column_lineage->dataset) {
    RETURN_IF_ERROR(check_input(input));
  }
  return absl::OkStatus();
}

absl::Status ValidateNames(const ol::Event& event) {
  if (event.job) {
    RETURN_IF_ERROR(catalog::ValidateName("job.namespace", event.job->ns));
    RETURN_IF_ERROR(catalog::ValidateName("job.name", event.job->name));
  }
  for (size_t i = 0; i < event.inputs.size(); i++) {
    RETURN_IF_ERROR(ValidateDatasetNames(event.inputs[i], absl::StrCat("inputs[", i, "]")));
  }
  for (size_t i = 0; i < event.outputs.size(); i++) {
    RETURN_IF_ERROR(ValidateDatasetNames(event.outputs[i], absl::StrCat("outputs[", i, "]")));
  }
  if (event.dataset) RETURN_IF_ERROR(ValidateDatasetNames(*event.dataset, "dataset"));
  return absl::OkStatus();
}

// Everything one ingestion transaction does, with what it counts.
class Ingestion {
 public:
  Ingestion(store::WriteTxn& txn, const policy::Authorizer& authorizer, const Caller& caller,
            absl::Time now)
      : txn_(txn), authorizer_(authorizer), caller_(caller), now_(now) {}

  absl::Status Apply(const ol::Event& event, v1::IngestLineageResponse* counts);
  std::vector<store::ColumnEdgeRow>& edges() { return edges_; }
  std::vector<store::JobIoRow>& job_io() { return job_io_; }

 private:
  absl::StatusOr<int64_t> PutJob(const ol::Job& job, const ol::Event& event);
  absl::Status PutRun(const ol::Run& run, const ol::Job& job, const ol::Event& event);
  // Maps one dataset of the event into the catalog; answers its row id.
  absl::StatusOr<int64_t> PutDataset(const ol::Dataset& dataset, bool output);
  // The row ids of these columns of (ns, name), creating what is missing.
  absl::StatusOr<std::map<std::string, int64_t>> EnsureFields(const std::string& ns,
                                                              const std::string& name,
                                                              const std::set<std::string>& fields);
  absl::Status PutColumnLineage(int64_t job, int64_t target_dataset, const ol::Dataset& target,
                                absl::Time event_time, v1::IngestLineageResponse* counts);
  // Whether the event may change the dataset's attributes (schema, tags,
  // lifecycle): only where the caller may edit it, or where this ingestion
  // created it. Lineage is recorded regardless, as WRITE_LINEAGE allows.
  bool MayEdit(const v1::Dataset& dataset) const {
    return created_.count({dataset.namespace_(), dataset.name()}) > 0 ||
           authorizer_.AccessOf(caller_).OnDataset(v1::EDIT_METADATA, catalog::ScopeOf(dataset));
  }

  store::WriteTxn& txn_;
  const policy::Authorizer& authorizer_;
  const Caller& caller_;
  const absl::Time now_;
  std::vector<store::ColumnEdgeRow> edges_;
  std::vector<store::JobIoRow> job_io_;
  std::set<std::pair<std::string, std::string>> created_;  // (namespace, name)
};

absl::Status Ingestion::Apply(const ol::Event& event, v1::IngestLineageResponse* counts) {
  store::LineageEventRow row;
  row.hash = policy::Sha256(event.canonical_json);
  row.event_time = Micros(event.event_time);
  row.event_type = std::string(ol::RunEventTypeName(event.type));
  if (event.run) row.run_id = event.run->run_id;
  if (event.job) {
    row.job_ns = event.job->ns;
    row.job_name = event.job->name;
  }
  row.producer = event.producer;
  row.json = event.canonical_json;
  ASSIGN_OR_RETURN(bool inserted, txn_.AppendLineageEvent(row));
  counts->set_events(counts->events() + 1);
  if (!inserted) {
    counts->set_duplicates(counts->duplicates() + 1);
    return absl::OkStatus();
  }

  int64_t job_id = 0;
  if (event.job) {
    ASSIGN_OR_RETURN(job_id, PutJob(*event.job, event));
    if (event.run) RETURN_IF_ERROR(PutRun(*event.run, *event.job, event));
  }
  const int64_t seen = Micros(event.event_time);
  const size_t first_io = job_io_.size();  // this event's rows start here
  for (const ol::Dataset& input : event.inputs) {
    ASSIGN_OR_RETURN(int64_t id, PutDataset(input, /*output=*/false));
    if (job_id) job_io_.push_back({job_id, id, false, seen, seen});
  }
  std::vector<std::pair<int64_t, const ol::Dataset*>> targets;
  for (const ol::Dataset& output : event.outputs) {
    ASSIGN_OR_RETURN(int64_t id, PutDataset(output, /*output=*/true));
    if (job_id) job_io_.push_back({job_id, id, true, seen, seen});
    targets.push_back({id, &output});
  }
  if (event.dataset) {
    ASSIGN_OR_RETURN(int64_t id, PutDataset(*event.dataset, /*output=*/false));
    targets.push_back({id, &*event.dataset});
  }
  for (size_t i = first_io; i < job_io_.size(); i++) RETURN_IF_ERROR(txn_.UpsertJobIo(job_io_[i]));

  for (const auto& [dataset_id, target] : targets) {
    if (!target->facets.column_lineage) continue;
    int64_t edge_job = job_id;
    if (edge_job == 0) {
      ol::Job static_job;
      static_job.ns = kStaticJobNamespace;
      static_job.name = event.producer.empty() ? "unknown" : event.producer;
      ASSIGN_OR_RETURN(edge_job, PutJob(static_job, event));
    }
    RETURN_IF_ERROR(PutColumnLineage(edge_job, dataset_id, *target, event.event_time, counts));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Ingestion::PutJob(const ol::Job& job, const ol::Event& event) {
  v1::Job next;
  auto existing = txn_.GetJob(job.ns, job.name);
  if (existing.ok()) {
    next = *existing;
  } else if (absl::IsNotFound(existing.status())) {
    *next.mutable_created_at() = catalog::TimeToProto(now_);
    next.set_type("BATCH");
  } else {
    return existing.status();
  }
  next.mutable_id()->set_namespace_(job.ns);
  next.mutable_id()->set_name(job.name);
  next.set_namespace_(job.ns);
  next.set_name(job.name);
  next.set_simple_name(job.name.substr(job.name.rfind('.') == std::string::npos ? 0 : job.name.rfind('.') + 1));
  if (!job.processing_type.empty()) {
    next.set_type(job.processing_type == "STREAMING" ? "STREAM" : "BATCH");
  }
  auto set_if = [](const std::string& value, auto setter) {
    if (!value.empty()) setter(value);
  };
  set_if(job.integration, [&](const std::string& v) { next.set_integration(v); });
  set_if(job.job_type, [&](const std::string& v) { next.set_job_type(v); });
  set_if(job.sql, [&](const std::string& v) { next.set_sql(v); });
  set_if(job.source_code_language, [&](const std::string& v) { next.set_source_code_language(v); });
  set_if(job.source_code, [&](const std::string& v) { next.set_source_code(v); });
  set_if(job.source_code_location, [&](const std::string& v) { next.set_location(v); });
  set_if(job.description, [&](const std::string& v) { next.set_description(v); });
  if (job.parent) {
    next.mutable_parent()->set_namespace_(job.parent->first);
    next.mutable_parent()->set_name(job.parent->second);
    next.set_parent_job_name(job.parent->second);
  }
  *next.mutable_facets() = MergeFacets(next.facets(), job.raw, job.deleted);
  *next.mutable_updated_at() = catalog::TimeToProto(now_);
  next.clear_inputs();
  next.clear_outputs();
  next.clear_latest_run();
  return txn_.PutJob(next);
}

absl::Status Ingestion::PutRun(const ol::Run& run, const ol::Job& job, const ol::Event& event) {
  v1::Run next;
  auto existing = txn_.GetRun(run.run_id);
  const bool is_new = absl::IsNotFound(existing.status());
  if (!is_new) {
    RETURN_IF_ERROR(existing.status());
    next = *existing;
  } else {
    next.set_id(run.run_id);
    next.set_state(v1::NEW);
    *next.mutable_created_at() = catalog::TimeToProto(now_);
  }
  next.mutable_job()->set_namespace_(job.ns);
  next.mutable_job()->set_name(job.name);
  const int64_t at = Micros(event.event_time);
  const int64_t last = next.has_last_event_time() ? Micros(next.last_event_time()) : INT64_MIN;

  // Events may arrive out of order: a terminal state is never replaced by
  // START/RUNNING, and between two terminal states the later event wins.
  const v1::RunState state = StateOf(event.type);
  if (state != v1::RUN_STATE_UNSPECIFIED) {
    const bool current_terminal = IsTerminal(next.state());
    // Between two terminal states, the one from the later event wins.
    const bool later_end = !next.has_ended_at() || at >= Micros(next.ended_at());
    if (!current_terminal || (IsTerminal(state) && later_end)) next.set_state(state);
  }
  if (event.type == ol::RunEventType::kStart &&
      (!next.has_started_at() || at < Micros(next.started_at()))) {
    *next.mutable_started_at() = FromMicros(at);
  }
  if (IsTerminal(state) && (!next.has_ended_at() || at > Micros(next.ended_at()))) {
    *next.mutable_ended_at() = FromMicros(at);
  }
  if (next.has_started_at() && next.has_ended_at()) {
    next.set_duration_ms(std::max<int64_t>(0, (Micros(next.ended_at()) - Micros(next.started_at())) / 1000));
  }
  if (at > last) *next.mutable_last_event_time() = FromMicros(at);
  if (run.nominal_start) *next.mutable_nominal_start_time() = catalog::TimeToProto(*run.nominal_start);
  if (run.nominal_end) *next.mutable_nominal_end_time() = catalog::TimeToProto(*run.nominal_end);
  if (run.parent_run_id) next.set_parent_run_id(*run.parent_run_id);
  *next.mutable_facets() = MergeFacets(next.facets(), run.raw, {});
  *next.mutable_updated_at() = catalog::TimeToProto(now_);
  return txn_.PutRun(next);
}

absl::StatusOr<int64_t> Ingestion::PutDataset(const ol::Dataset& dataset, bool output) {
  const ol::DatasetFacets& facets = dataset.facets;
  RETURN_IF_ERROR(catalog::EnsureNamespace(txn_, caller_, now_, dataset.ns));
  // An existing input the event says nothing about would be saved as it is,
  // which records nothing: only its row id is needed, not a load and a
  // compare (most inputs of most events are such).
  if (!output && BringsNothing(facets)) {
    auto id = txn_.DatasetRowId(dataset.ns, dataset.name);
    if (id.ok() || !absl::IsNotFound(id.status())) return id;
  }
  if (facets.lifecycle && facets.lifecycle->previous) {
    const auto& [old_ns, old_name] = *facets.lifecycle->previous;
    auto old_dataset = catalog::LoadAnyDataset(txn_, old_ns, old_name);
    const bool new_exists = txn_.DatasetRowId(dataset.ns, dataset.name).ok();
    if (old_dataset.ok() && !new_exists && MayEdit(*old_dataset)) {
      RETURN_IF_ERROR(txn_.RenameDataset(old_ns, old_name, dataset.ns, dataset.name));
    }
  }

  auto existing = catalog::LoadAnyDataset(txn_, dataset.ns, dataset.name);
  if (!existing.ok() && !absl::IsNotFound(existing.status())) return existing.status();
  if (existing.ok() && !MayEdit(*existing)) return txn_.DatasetRowId(dataset.ns, dataset.name);
  v1::Dataset next;
  if (existing.ok()) {
    next = *existing;
  } else {
    next.set_namespace_(dataset.ns);
    next.set_name(dataset.name);
    next.set_type(v1::DB_TABLE);
  }

  if (facets.schema) {
    for (const ol::SchemaField& schema_field : *facets.schema) {
      v1::Field* field = FindOrAddField(next, schema_field.name);
      if (!schema_field.type.empty()) field->set_type(schema_field.type);
      if (!schema_field.description.empty()) field->set_description(schema_field.description);
    }
  }
  // A steward's description is not overwritten by every pipeline run.
  if (facets.documentation && next.description().empty()) {
    next.set_description(*facets.documentation);
  }
  if (facets.datasource_name && next.source_name().empty()) {
    next.set_source_name(*facets.datasource_name);
  }
  if (facets.ownership) {
    for (const ol::Owner& owner : *facets.ownership) {
      const bool known = std::any_of(next.owners().begin(), next.owners().end(),
                                     [&](const v1::Owner& o) { return o.name() == owner.name; });
      if (known || owner.name.empty()) continue;
      v1::Owner* added = next.add_owners();
      added->set_name(owner.name);
      added->set_type(absl::AsciiStrToUpper(owner.type).find("TEAM") != std::string::npos ? v1::TEAM
                                                                                         : v1::USER);
      added->set_role(v1::OWNER);
    }
  }
  for (const ol::TagRef& ref : facets.tags) {
    const std::string tag = TagName(ref.tag);
    if (tag.empty()) continue;
    RETURN_IF_ERROR(catalog::EnsureTag(txn_, caller_, now_, tag));
    if (ref.field.empty()) {
      AddUnique(next.mutable_tags(), tag);
    } else {
      AddUnique(FindOrAddField(next, ref.field)->mutable_tags(), tag);
    }
  }
  if (facets.lifecycle && facets.lifecycle->state == "DROP") {
    next.set_deleted(true);
  } else if (output) {
    next.set_deleted(false);  // a job just wrote it: it exists
  }
  // Lineage facets live on as edges; storing them again would only grow rows.
  *next.mutable_facets() = MergeFacets(next.facets(), facets.raw, facets.deleted, LineageFacets());

  std::string operation = "UPDATE";
  if (!existing.ok()) {
    operation = "CREATE";
    created_.insert({dataset.ns, dataset.name});
  } else if (existing->deleted() != next.deleted()) {
    operation = next.deleted() ? "DELETE" : "RESTORE";
  }
  RETURN_IF_ERROR(catalog::WriteDataset(txn_, caller_, now_, existing.ok() ? &*existing : nullptr,
                                        std::move(next), operation)
                      .status());
  return txn_.DatasetRowId(dataset.ns, dataset.name);
}

absl::StatusOr<std::map<std::string, int64_t>> Ingestion::EnsureFields(
    const std::string& ns, const std::string& name, const std::set<std::string>& fields) {
  RETURN_IF_ERROR(catalog::EnsureNamespace(txn_, caller_, now_, ns));
  // Usually every column is there already: the row ids answer without
  // loading the dataset.
  auto known = txn_.DatasetRowId(ns, name);
  if (known.ok()) {
    ASSIGN_OR_RETURN(std::vector<store::FieldInfo> rows, txn_.FieldsOfDataset(*known));
    std::map<std::string, int64_t> ids;
    for (const store::FieldInfo& row : rows) ids[row.field] = row.id;
    if (std::all_of(fields.begin(), fields.end(),
                    [&](const std::string& field) { return ids.count(field) > 0; })) {
      return ids;
    }
  } else if (!absl::IsNotFound(known.status())) {
    return known.status();
  }
  auto existing = catalog::LoadAnyDataset(txn_, ns, name);
  if (!existing.ok() && !absl::IsNotFound(existing.status())) return existing.status();
  v1::Dataset next;
  if (existing.ok()) {
    next = *existing;
  } else {
    next.set_namespace_(ns);
    next.set_name(name);
    next.set_type(v1::DB_TABLE);
  }
  const int before = next.fields_size();
  for (const std::string& field : fields) FindOrAddField(next, field);
  const bool adds = next.fields_size() > before;
  // A dataset the caller may not edit keeps its schema: edges naming a
  // column it lacks are left out (PutColumnLineage).
  if (adds && existing.ok() && !MayEdit(*existing)) {
    log::Info("column lineage names columns a dataset lacks; edges left out",
              {{"namespace", ns}, {"dataset", name}, {"principal", caller_.principal}});
  } else if (adds || !existing.ok()) {
    if (!existing.ok()) created_.insert({ns, name});
    RETURN_IF_ERROR(catalog::WriteDataset(txn_, caller_, now_, existing.ok() ? &*existing : nullptr,
                                          std::move(next), existing.ok() ? "UPDATE" : "CREATE")
                        .status());
  }
  ASSIGN_OR_RETURN(int64_t dataset_id, txn_.DatasetRowId(ns, name));
  ASSIGN_OR_RETURN(std::vector<store::FieldInfo> rows, txn_.FieldsOfDataset(dataset_id));
  std::map<std::string, int64_t> ids;
  for (const store::FieldInfo& row : rows) ids[row.field] = row.id;
  return ids;
}

absl::Status Ingestion::PutColumnLineage(int64_t job, int64_t target_dataset,
                                         const ol::Dataset& target, absl::Time event_time,
                                         v1::IngestLineageResponse* counts) {
  const ol::ColumnLineage& lineage = *target.facets.column_lineage;
  // Every column the facet names, per dataset.
  std::map<std::pair<std::string, std::string>, std::set<std::string>> wanted;
  auto& target_fields = wanted[{target.ns, target.name}];
  auto add_source = [&](const ol::InputLineage& input) {
    if (!input.source.field.empty()) {
      wanted[{input.source.ns, input.source.dataset}].insert(input.source.field);
    }
  };
  for (const ol::FieldLineage& field : lineage.fields) {
    target_fields.insert(field.target_field);
    for (const ol::InputLineage& input : field.inputs) add_source(input);
  }
  for (const ol::InputLineage& input : lineage.dataset) add_source(input);
  std::map<std::pair<std::string, std::string>, std::map<std::string, int64_t>> ids;
  for (const auto& [dataset, fields] : wanted) {
    ASSIGN_OR_RETURN(ids[dataset], EnsureFields(dataset.first, dataset.second, fields));
  }

  const int64_t at = Micros(event_time);
  std::map<EdgeKey, store::ColumnEdgeRow> desired;
  // An edge whose column a non-editable dataset lacks has no row id: left out.
  auto id_of = [&](const std::string& ns, const std::string& dataset,
                   const std::string& field) -> int64_t {
    const auto& columns = ids[{ns, dataset}];
    auto it = columns.find(field);
    return it == columns.end() ? -1 : it->second;
  };
  auto want = [&](const ol::InputLineage& input, int64_t target_field) {
    if (input.source.field.empty()) return;  // a dataset-level input names no column
    const int64_t source = id_of(input.source.ns, input.source.dataset, input.source.field);
    if (source < 0 || target_field < 0) return;
    for (const ol::Transformation& t : input.transformations) {
      store::ColumnEdgeRow row;
      row.source_field = source;
      row.target_dataset = target_dataset;
      row.target_field = target_field;
      row.job = job;
      row.type = t.type;
      row.subtype = t.subtype;
      row.description = t.description;
      row.masking = t.masking;
      row.first_seen = row.last_seen = row.valid_from = at;
      desired.emplace(KeyOf(row), row);
    }
  };
  for (const ol::FieldLineage& field : lineage.fields) {
    const int64_t target_field = id_of(target.ns, target.name, field.target_field);
    for (const ol::InputLineage& input : field.inputs) want(input, target_field);
  }
  for (const ol::InputLineage& input : lineage.dataset) want(input, 0);

  ASSIGN_OR_RETURN(std::vector<store::ColumnEdgeRow> open, txn_.OpenEdgesInto(job, target_dataset));
  // When a newer facet is already known, this event is history: what it
  // names that is not open now held only until that newer facet.
  int64_t newest = 0;
  for (const store::ColumnEdgeRow& row : open) newest = std::max(newest, row.last_seen);
  const bool historical = at < newest;
  for (store::ColumnEdgeRow& row : open) {
    auto it = desired.find(KeyOf(row));
    if (it != desired.end()) {
      desired.erase(it);
      if (at > row.last_seen) {
        row.last_seen = at;
        RETURN_IF_ERROR(txn_.UpdateColumnEdge(row.id, row.last_seen, row.valid_to));
        edges_.push_back(row);
      }
    } else if (row.last_seen < at) {
      // The facet is the whole truth for (job, target) at `at`: an edge it
      // no longer names stopped holding then. An older event closes nothing.
      row.valid_to = at;
      RETURN_IF_ERROR(txn_.UpdateColumnEdge(row.id, row.last_seen, row.valid_to));
      edges_.push_back(row);
      counts->set_column_edges_closed(counts->column_edges_closed() + 1);
    }
  }
  for (auto& [key, row] : desired) {
    if (historical) row.valid_to = newest;
    ASSIGN_OR_RETURN(row.id, txn_.InsertColumnEdge(row));
    edges_.push_back(row);
    counts->set_column_edges_added(counts->column_edges_added() + 1);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::IngestLineageResponse> LineageService::IngestLineage(
    const Caller& caller, const v1::IngestLineageRequest& request) {
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::WRITE_LINEAGE,
                                     policy::Resource::System()));
  ASSIGN_OR_RETURN(std::vector<ol::Event> events, ol::ParseEvents(request.event()));
  for (size_t i = 0; i < events.size(); i++) {
    absl::Status status = ValidateNames(events[i]);
    if (!status.ok() && events.size() > 1) {
      const std::string field = absl::StrCat("[", i, "].", FieldOf(status).value_or(""));
      const std::string message(status.message());
      return InvalidField(field, message.substr(message.find(':') + 2));
    }
    RETURN_IF_ERROR(status);
  }
  v1::IngestLineageResponse response;
  GraphChanges changes;
  std::lock_guard<std::mutex> lock(ingest_mu_);
  RETURN_IF_ERROR(store_->Write([&](store::WriteTxn& txn) -> absl::Status {
    response.Clear();
    Ingestion ingestion(txn, *authorizer_, caller, clock_->Now());
    for (const ol::Event& event : events) RETURN_IF_ERROR(ingestion.Apply(event, &response));
    changes.column_edges = std::move(ingestion.edges());
    changes.job_io = std::move(ingestion.job_io());
    return absl::OkStatus();
  }));
  ApplyToGraphs(changes);
  return response;
}

}  // namespace cadastre::lineage
