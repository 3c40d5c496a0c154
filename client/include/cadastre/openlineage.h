// Building OpenLineage run events (spec 2-0-2) with a small fluent API:
//
//   namespace ol = cadastre::sdk::ol;
//   const std::string run = ol::NewRunId();
//   absl::StatusOr<ol::RunEvent> event =
//       ol::RunEventBuilder(ol::EventType::kComplete)
//           .Job("airflow", "curate_customers")
//           .RunId(run)
//           .Input(ol::Dataset("postgres://crm:5432", "public.customers")
//                      .Field("id", "bigint")
//                      .Field("email", "text"))
//           .Output(ol::Dataset("warehouse", "curated.customers")
//                       .Field("customer_id", "bigint")
//                       .Field("email_hash", "text")
//                       .ColumnLineage("customer_id",
//                                      ol::InputField("postgres://crm:5432", "public.customers", "id"))
//                       .ColumnLineage("email_hash",
//                                      ol::InputField("postgres://crm:5432", "public.customers", "email",
//                                                     ol::Transformation::Direct("TRANSFORMATION")
//                                                         .Masked())))
//           .Build();
//
// Build() checks what the spec makes firm (job and dataset names, a UUID
// run id, DIRECT/INDIRECT transformations, facets that are JSON objects) and
// answers INVALID_ARGUMENT naming the field at fault (FieldOf() reads it),
// so that a malformed event fails where it is made rather than in a spool.
// The event's JSON carries eventTime, producer and schemaURL, and every facet
// its _producer and _schemaURL, as the spec requires.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace cadastre::sdk::ol {

// The OpenLineage spec this builder writes, and the facet versions.
inline constexpr char kSchemaUrl[] = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
inline constexpr char kDefaultProducer[] = "https://cadastre.dev/sdk/cpp/0.1.0";

enum class EventType { kStart, kRunning, kComplete, kAbort, kFail, kOther };

// "START", "RUNNING", "COMPLETE", "ABORT", "FAIL" or "OTHER".
std::string_view EventTypeName(EventType type);

// A fresh run id: a UUID version 7 (time-ordered, random otherwise), as the
// OpenLineage clients make them.
std::string NewRunId();

// How values of an input column reach an output column (columnLineage 1-2-0).
// DIRECT subtypes: IDENTITY, TRANSFORMATION, AGGREGATION. INDIRECT subtypes:
// JOIN, GROUP_BY, FILTER, SORT, WINDOW, CONDITIONAL.
struct Transformation {
  std::string type = "DIRECT";
  std::string subtype;
  std::string description;
  bool masking = false;

  static Transformation Direct(std::string subtype = "IDENTITY");
  static Transformation Indirect(std::string subtype);
  // The transformation hides the original values (a hash, a redaction).
  Transformation& Masked(bool masked = true);
  Transformation& Described(std::string text);
};

// An input column and the transformations its values go through.
struct InputField {
  InputField(std::string namespace_name, std::string dataset_name, std::string field_name,
             Transformation transformation = Transformation::Direct());
  InputField(std::string namespace_name, std::string dataset_name, std::string field_name,
             std::vector<Transformation> transformation_list);

  std::string ns;
  std::string dataset;
  std::string field;
  std::vector<Transformation> transformations;
};

// A column of the schema facet; `fields` holds the members of a struct.
struct SchemaField {
  std::string name;
  std::string type;
  std::string description;
  std::vector<SchemaField> fields;
};

// An input or output dataset with its facets.
class Dataset {
 public:
  Dataset(std::string ns, std::string name);

  // Appends a column to the schema facet.
  Dataset& Field(std::string name, std::string type = "", std::string description = "");
  Dataset& Field(SchemaField field);
  // Values of `target_field` come from `input` (columnLineage.fields).
  Dataset& ColumnLineage(const std::string& target_field, InputField input);
  // A column that affects the whole dataset, not one column: the key of a
  // join, a filter, a sort (columnLineage.dataset). Usually INDIRECT.
  Dataset& DatasetLineage(InputField input);
  // Any other facet, as the text of a JSON object. `_producer` and
  // `_schemaURL` are added when it lacks them. Replaces a facet of the
  // same name, except "schema" and "columnLineage", which the calls above make.
  Dataset& Facet(std::string name, std::string json_object);

  const std::string& ns() const { return ns_; }
  const std::string& name() const { return name_; }
  const std::vector<SchemaField>& schema() const { return schema_; }
  // target column -> its inputs, in the order given.
  const std::map<std::string, std::vector<InputField>>& column_lineage() const {
    return column_lineage_;
  }
  const std::vector<InputField>& dataset_lineage() const { return dataset_lineage_; }
  const std::map<std::string, std::string>& facets() const { return facets_; }

 private:
  std::string ns_;
  std::string name_;
  std::vector<SchemaField> schema_;
  std::map<std::string, std::vector<InputField>> column_lineage_;
  std::vector<InputField> dataset_lineage_;
  std::map<std::string, std::string> facets_;
};

// A built event: its JSON text is what is sent and spooled.
class RunEvent {
 public:
  const std::string& json() const { return json_; }
  const std::string& run_id() const { return run_id_; }
  EventType type() const { return type_; }

 private:
  friend class RunEventBuilder;
  RunEvent(std::string json, std::string run_id, EventType type)
      : json_(std::move(json)), run_id_(std::move(run_id)), type_(type) {}

  std::string json_;
  std::string run_id_;
  EventType type_;
};

class RunEventBuilder {
 public:
  explicit RunEventBuilder(EventType type = EventType::kComplete);

  RunEventBuilder& Job(std::string ns, std::string name);
  // Unset: a fresh NewRunId(). START and COMPLETE of one run share it.
  RunEventBuilder& RunId(std::string run_id);
  // Unset: the time Build() is called.
  RunEventBuilder& EventTime(std::chrono::system_clock::time_point time);
  // A URI naming the program that emits (unset: kDefaultProducer).
  RunEventBuilder& Producer(std::string uri);
  RunEventBuilder& Input(Dataset dataset);
  RunEventBuilder& Output(Dataset dataset);
  // The run that started this one (the parent run facet), e.g. a DAG run.
  RunEventBuilder& ParentRun(std::string job_ns, std::string job_name, std::string run_id);
  // The job's SQL (the sql job facet).
  RunEventBuilder& Sql(std::string query);
  // Other facets, as the text of a JSON object (see Dataset::Facet).
  RunEventBuilder& JobFacet(std::string name, std::string json_object);
  RunEventBuilder& RunFacet(std::string name, std::string json_object);

  // The event, or INVALID_ARGUMENT naming the field at fault
  // ("outputs[0].facets.columnLineage.fields.email.inputFields[0].transformations[0].type").
  absl::StatusOr<RunEvent> Build() const;

 private:
  EventType type_;
  std::string job_ns_;
  std::string job_name_;
  std::string run_id_;
  std::chrono::system_clock::time_point event_time_{};
  bool event_time_set_ = false;
  std::string producer_ = kDefaultProducer;
  std::vector<Dataset> inputs_;
  std::vector<Dataset> outputs_;
  std::map<std::string, std::string> job_facets_;
  std::map<std::string, std::string> run_facets_;
};

}  // namespace cadastre::sdk::ol
