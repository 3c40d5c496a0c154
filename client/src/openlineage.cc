#include "cadastre/openlineage.h"

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <random>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "status_util.h"
#include "nlohmann/json.hpp"

namespace cadastre::sdk::ol {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kSchemaFacetUrl[] =
    "https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet";
constexpr char kColumnLineageFacetUrl[] =
    "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/"
    "ColumnLineageDatasetFacet";
constexpr char kParentFacetUrl[] =
    "https://openlineage.io/spec/facets/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet";
constexpr char kSqlFacetUrl[] =
    "https://openlineage.io/spec/facets/1-1-0/SQLJobFacet.json#/$defs/SQLJobFacet";
// A facet given as raw JSON that names no schema of its own.
constexpr char kCustomFacetUrl[] = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/BaseFacet";

bool IsUuid(const std::string& text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); i++) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const char c = text[i];
    if (dash ? c != '-' : !std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string FormatTime(std::chrono::system_clock::time_point time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::FromChrono(time), absl::UTCTimeZone());
}

Json FacetBase(const std::string& producer, const char* schema_url) {
  return Json{{"_producer", producer}, {"_schemaURL", schema_url}};
}

// Parses a facet given as text; adds the base fields it lacks.
absl::StatusOr<Json> CustomFacet(const std::string& text, const std::string& producer,
                                 const std::string& path) {
  Json facet = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (facet.is_discarded() || !facet.is_object()) {
    return internal::InvalidField(path, "must be the text of a JSON object");
  }
  if (!facet.contains("_producer")) facet["_producer"] = producer;
  if (!facet.contains("_schemaURL")) facet["_schemaURL"] = kCustomFacetUrl;
  return facet;
}

Json SchemaFieldJson(const SchemaField& field) {
  Json out{{"name", field.name}};
  if (!field.type.empty()) out["type"] = field.type;
  if (!field.description.empty()) out["description"] = field.description;
  if (!field.fields.empty()) {
    Json children = Json::array();
    for (const SchemaField& child : field.fields) children.push_back(SchemaFieldJson(child));
    out["fields"] = std::move(children);
  }
  return out;
}

absl::Status CheckSchemaField(const SchemaField& field, const std::string& path) {
  if (field.name.empty()) return internal::InvalidField(path + ".name", "must not be empty");
  for (size_t i = 0; i < field.fields.size(); i++) {
    CADASTRE_SDK_RETURN_IF_ERROR(CheckSchemaField(field.fields[i], absl::StrCat(path, ".fields[", i, "]")));
  }
  return absl::OkStatus();
}

absl::StatusOr<Json> InputFieldJson(const InputField& input, const std::string& path) {
  if (input.ns.empty()) return internal::InvalidField(path + ".namespace", "must not be empty");
  if (input.dataset.empty()) return internal::InvalidField(path + ".name", "must not be empty");
  if (input.field.empty()) return internal::InvalidField(path + ".field", "must not be empty");
  Json out{{"namespace", input.ns}, {"name", input.dataset}, {"field", input.field}};
  Json transformations = Json::array();
  for (size_t i = 0; i < input.transformations.size(); i++) {
    const Transformation& t = input.transformations[i];
    if (t.type != "DIRECT" && t.type != "INDIRECT") {
      return internal::InvalidField(absl::StrCat(path, ".transformations[", i, "].type"),
                                    "must be DIRECT or INDIRECT");
    }
    Json entry{{"type", t.type}};
    if (!t.subtype.empty()) entry["subtype"] = t.subtype;
    if (!t.description.empty()) entry["description"] = t.description;
    if (t.masking) entry["masking"] = true;
    transformations.push_back(std::move(entry));
  }
  out["transformations"] = std::move(transformations);
  return out;
}

absl::StatusOr<Json> DatasetJson(const Dataset& dataset, const std::string& producer,
                                 const std::string& path) {
  if (dataset.ns().empty()) return internal::InvalidField(path + ".namespace", "must not be empty");
  if (dataset.name().empty()) return internal::InvalidField(path + ".name", "must not be empty");
  Json facets = Json::object();
  if (!dataset.schema().empty()) {
    Json schema = FacetBase(producer, kSchemaFacetUrl);
    Json fields = Json::array();
    for (size_t i = 0; i < dataset.schema().size(); i++) {
      CADASTRE_SDK_RETURN_IF_ERROR(
          CheckSchemaField(dataset.schema()[i], absl::StrCat(path, ".facets.schema.fields[", i, "]")));
      fields.push_back(SchemaFieldJson(dataset.schema()[i]));
    }
    schema["fields"] = std::move(fields);
    facets["schema"] = std::move(schema);
  }
  if (!dataset.column_lineage().empty() || !dataset.dataset_lineage().empty()) {
    const std::string base = path + ".facets.columnLineage";
    Json lineage = FacetBase(producer, kColumnLineageFacetUrl);
    Json fields = Json::object();
    for (const auto& [target, inputs] : dataset.column_lineage()) {
      if (target.empty()) return internal::InvalidField(base + ".fields", "a target column is empty");
      Json input_fields = Json::array();
      for (size_t i = 0; i < inputs.size(); i++) {
        absl::StatusOr<Json> input =
            InputFieldJson(inputs[i], absl::StrCat(base, ".fields.", target, ".inputFields[", i, "]"));
        if (!input.ok()) return input.status();
        input_fields.push_back(*std::move(input));
      }
      fields[target] = Json{{"inputFields", std::move(input_fields)}};
    }
    lineage["fields"] = std::move(fields);
    if (!dataset.dataset_lineage().empty()) {
      Json whole = Json::array();
      for (size_t i = 0; i < dataset.dataset_lineage().size(); i++) {
        absl::StatusOr<Json> input =
            InputFieldJson(dataset.dataset_lineage()[i], absl::StrCat(base, ".dataset[", i, "]"));
        if (!input.ok()) return input.status();
        whole.push_back(*std::move(input));
      }
      lineage["dataset"] = std::move(whole);
    }
    facets["columnLineage"] = std::move(lineage);
  }
  for (const auto& [name, text] : dataset.facets()) {
    absl::StatusOr<Json> facet = CustomFacet(text, producer, path + ".facets." + name);
    if (!facet.ok()) return facet.status();
    facets[name] = *std::move(facet);
  }
  Json out{{"namespace", dataset.ns()}, {"name", dataset.name()}};
  if (!facets.empty()) out["facets"] = std::move(facets);
  return out;
}

}  // namespace

std::string_view EventTypeName(EventType type) {
  switch (type) {
    case EventType::kStart: return "START";
    case EventType::kRunning: return "RUNNING";
    case EventType::kComplete: return "COMPLETE";
    case EventType::kAbort: return "ABORT";
    case EventType::kFail: return "FAIL";
    case EventType::kOther: return "OTHER";
  }
  return "OTHER";
}

std::string NewRunId() {
  static std::mutex mu;
  static std::mt19937_64 random{std::random_device{}() ^
                                (static_cast<uint64_t>(std::random_device{}()) << 32)};
  uint64_t a, b;
  {
    std::lock_guard<std::mutex> lock(mu);
    a = random();
    b = random();
  }
  const uint64_t millis = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
  // 48 bits of time, version 7, 12 random bits; variant 10, 62 random bits.
  const uint64_t high = (millis << 16) | 0x7000 | (a & 0x0fff);
  const uint64_t low = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char text[37];
  std::snprintf(text, sizeof(text), "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(high >> 32), static_cast<unsigned>((high >> 16) & 0xffff),
                static_cast<unsigned>(high & 0xffff), static_cast<unsigned>(low >> 48),
                static_cast<unsigned long long>(low & 0xffffffffffffULL));
  return text;
}

Transformation Transformation::Direct(std::string subtype) {
  Transformation t;
  t.type = "DIRECT";
  t.subtype = std::move(subtype);
  return t;
}

Transformation Transformation::Indirect(std::string subtype) {
  Transformation t;
  t.type = "INDIRECT";
  t.subtype = std::move(subtype);
  return t;
}

Transformation& Transformation::Masked(bool masked) {
  masking = masked;
  return *this;
}

Transformation& Transformation::Described(std::string text) {
  description = std::move(text);
  return *this;
}

InputField::InputField(std::string namespace_name, std::string dataset_name,
                       std::string field_name, Transformation transformation)
    : ns(std::move(namespace_name)),
      dataset(std::move(dataset_name)),
      field(std::move(field_name)),
      transformations{std::move(transformation)} {}

InputField::InputField(std::string namespace_name, std::string dataset_name,
                       std::string field_name, std::vector<Transformation> transformation_list)
    : ns(std::move(namespace_name)),
      dataset(std::move(dataset_name)),
      field(std::move(field_name)),
      transformations(std::move(transformation_list)) {}

Dataset::Dataset(std::string ns, std::string name) : ns_(std::move(ns)), name_(std::move(name)) {}

Dataset& Dataset::Field(std::string name, std::string type, std::string description) {
  schema_.push_back(SchemaField{std::move(name), std::move(type), std::move(description), {}});
  return *this;
}

Dataset& Dataset::Field(SchemaField field) {
  schema_.push_back(std::move(field));
  return *this;
}

Dataset& Dataset::ColumnLineage(const std::string& target_field, InputField input) {
  column_lineage_[target_field].push_back(std::move(input));
  return *this;
}

Dataset& Dataset::DatasetLineage(InputField input) {
  dataset_lineage_.push_back(std::move(input));
  return *this;
}

Dataset& Dataset::Facet(std::string name, std::string json_object) {
  facets_[std::move(name)] = std::move(json_object);
  return *this;
}

RunEventBuilder::RunEventBuilder(EventType type) : type_(type) {}

RunEventBuilder& RunEventBuilder::Job(std::string ns, std::string name) {
  job_ns_ = std::move(ns);
  job_name_ = std::move(name);
  return *this;
}

RunEventBuilder& RunEventBuilder::RunId(std::string run_id) {
  run_id_ = std::move(run_id);
  return *this;
}

RunEventBuilder& RunEventBuilder::EventTime(std::chrono::system_clock::time_point time) {
  event_time_ = time;
  event_time_set_ = true;
  return *this;
}

RunEventBuilder& RunEventBuilder::Producer(std::string uri) {
  producer_ = std::move(uri);
  return *this;
}

RunEventBuilder& RunEventBuilder::Input(Dataset dataset) {
  inputs_.push_back(std::move(dataset));
  return *this;
}

RunEventBuilder& RunEventBuilder::Output(Dataset dataset) {
  outputs_.push_back(std::move(dataset));
  return *this;
}

RunEventBuilder& RunEventBuilder::ParentRun(std::string job_ns, std::string job_name,
                                            std::string run_id) {
  Json parent{{"run", {{"runId", std::move(run_id)}}},
              {"job", {{"namespace", std::move(job_ns)}, {"name", std::move(job_name)}}}};
  parent["_schemaURL"] = kParentFacetUrl;
  run_facets_["parent"] = parent.dump();
  return *this;
}

RunEventBuilder& RunEventBuilder::Sql(std::string query) {
  Json sql{{"query", std::move(query)}, {"_schemaURL", kSqlFacetUrl}};
  job_facets_["sql"] = sql.dump();
  return *this;
}

RunEventBuilder& RunEventBuilder::JobFacet(std::string name, std::string json_object) {
  job_facets_[std::move(name)] = std::move(json_object);
  return *this;
}

RunEventBuilder& RunEventBuilder::RunFacet(std::string name, std::string json_object) {
  run_facets_[std::move(name)] = std::move(json_object);
  return *this;
}

absl::StatusOr<RunEvent> RunEventBuilder::Build() const {
  if (job_ns_.empty()) return internal::InvalidField("job.namespace", "must not be empty");
  if (job_name_.empty()) return internal::InvalidField("job.name", "must not be empty");
  const std::string run_id = run_id_.empty() ? NewRunId() : run_id_;
  if (!IsUuid(run_id)) return internal::InvalidField("run.runId", "must be a UUID");
  if (producer_.find(':') == std::string::npos) {
    return internal::InvalidField("producer", "must be a URI");
  }
  if (const auto it = run_facets_.find("parent"); it != run_facets_.end()) {
    Json parent = Json::parse(it->second, nullptr, false);
    if (parent.is_object() && parent.contains("run") &&
        !IsUuid(parent["run"].value("runId", std::string()))) {
      return internal::InvalidField("run.facets.parent.run.runId", "must be a UUID");
    }
  }

  Json run{{"runId", run_id}};
  if (!run_facets_.empty()) {
    Json facets = Json::object();
    for (const auto& [name, text] : run_facets_) {
      absl::StatusOr<Json> facet = CustomFacet(text, producer_, "run.facets." + name);
      if (!facet.ok()) return facet.status();
      facets[name] = *std::move(facet);
    }
    run["facets"] = std::move(facets);
  }
  Json job{{"namespace", job_ns_}, {"name", job_name_}};
  if (!job_facets_.empty()) {
    Json facets = Json::object();
    for (const auto& [name, text] : job_facets_) {
      absl::StatusOr<Json> facet = CustomFacet(text, producer_, "job.facets." + name);
      if (!facet.ok()) return facet.status();
      facets[name] = *std::move(facet);
    }
    job["facets"] = std::move(facets);
  }
  Json inputs = Json::array();
  for (size_t i = 0; i < inputs_.size(); i++) {
    absl::StatusOr<Json> dataset = DatasetJson(inputs_[i], producer_, absl::StrCat("inputs[", i, "]"));
    if (!dataset.ok()) return dataset.status();
    inputs.push_back(*std::move(dataset));
  }
  Json outputs = Json::array();
  for (size_t i = 0; i < outputs_.size(); i++) {
    absl::StatusOr<Json> dataset =
        DatasetJson(outputs_[i], producer_, absl::StrCat("outputs[", i, "]"));
    if (!dataset.ok()) return dataset.status();
    outputs.push_back(*std::move(dataset));
  }

  const auto time = event_time_set_ ? event_time_ : std::chrono::system_clock::now();
  Json event{{"eventType", std::string(EventTypeName(type_))},
             {"eventTime", FormatTime(time)},
             {"run", std::move(run)},
             {"job", std::move(job)},
             {"inputs", std::move(inputs)},
             {"outputs", std::move(outputs)},
             {"producer", producer_},
             {"schemaURL", kSchemaUrl}};
  return RunEvent(event.dump(), run_id, type_);
}

}  // namespace cadastre::sdk::ol
