// An OpenLineage event (spec 2-0-2) as Cadastre understands it: RunEvent,
// DatasetEvent or JobEvent, validated and normalised, with everything the
// catalog maps (schema, documentation, ownership, datasource, tags,
// lifecycle, quality, column lineage) pulled out of the facets.
//
// ParseEvent is strict where the spec is firm and lenient where producers
// differ; docs/lineage.md lists which is which.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace cadastre::openlineage {

enum class EventKind { kRun, kDataset, kJob };

// RunEvent.eventType; kNone for DatasetEvent and JobEvent.
enum class RunEventType { kNone, kStart, kRunning, kComplete, kAbort, kFail, kOther };

struct Transformation {
  std::string type;     // "DIRECT" or "INDIRECT" (upper case)
  std::string subtype;  // "IDENTITY", "AGGREGATION", "JOIN", … or "" when not given
  std::string description;
  bool masking = false;
};

struct FieldRef {
  std::string ns;
  std::string dataset;
  std::string field;
};

// One source of a target field (or of the whole dataset), with how it is used.
// `transformations` is never empty: a source given without any reads as one
// {DIRECT, "", "", false}; the deprecated transformationType IDENTITY reads
// as {DIRECT, IDENTITY}, MASKED as {DIRECT, "", …, masking=true}.
struct InputLineage {
  FieldRef source;
  std::vector<Transformation> transformations;
};

struct FieldLineage {
  std::string target_field;
  std::vector<InputLineage> inputs;
};

struct ColumnLineage {
  std::vector<FieldLineage> fields;
  // Sources that affect the whole dataset (filter, join, group by…).
  // Per-field copies of these that Spark sends are removed from `fields`.
  std::vector<InputLineage> dataset;
};

struct SchemaField {
  std::string name;  // nested fields flattened with dots: "address.city"
  std::string type;  // may be empty
  std::string description;
};

struct Owner {
  std::string name;
  std::string type;  // as sent, e.g. "MAINTAINER"; may be empty
};

struct TagRef {
  std::string tag;    // the facet's "key" (or "key.value" when a value is given)
  std::string field;  // empty for the dataset itself
};

struct Lifecycle {
  std::string state;  // "CREATE", "DROP", "RENAME", "OVERWRITE", "TRUNCATE", "ALTER"
  std::optional<std::pair<std::string, std::string>> previous;  // (namespace, name) on RENAME
};

struct DatasetFacets {
  std::optional<std::vector<SchemaField>> schema;
  std::optional<std::string> documentation;
  std::optional<std::vector<Owner>> ownership;
  std::optional<std::string> datasource_name;
  std::vector<TagRef> tags;
  std::optional<Lifecycle> lifecycle;
  // From the explicit `lineage` facet when present, else `columnLineage`.
  std::optional<ColumnLineage> column_lineage;
  // Every facet as sent (name -> object), quality facets included, minus
  // the ones marked {"_deleted": true}, which are listed in `deleted`.
  nlohmann::json raw = nlohmann::json::object();
  std::vector<std::string> deleted;
};

struct Dataset {
  std::string ns;
  std::string name;
  DatasetFacets facets;
};

struct Job {
  std::string ns;
  std::string name;
  std::string processing_type;  // jobType.processingType: "BATCH", "STREAMING" or ""
  std::string integration;      // jobType.integration: "SPARK", "DBT", …
  std::string job_type;         // jobType.jobType: "QUERY", "TASK", …
  std::string sql;              // sql.query
  std::string source_code_language;
  std::string source_code;
  std::string source_code_location;  // sourceCodeLocation.url
  std::string description;           // documentation.description
  std::optional<std::pair<std::string, std::string>> parent;  // from the run's parent facet
  nlohmann::json raw = nlohmann::json::object();              // facets as sent
  std::vector<std::string> deleted;
};

struct Run {
  std::string run_id;  // a UUID, lower case
  std::optional<std::string> parent_run_id;
  std::optional<absl::Time> nominal_start;
  std::optional<absl::Time> nominal_end;
  nlohmann::json raw = nlohmann::json::object();  // run facets as sent
};

struct Event {
  EventKind kind = EventKind::kRun;
  RunEventType type = RunEventType::kNone;
  absl::Time event_time;
  std::string producer;
  std::string schema_url;
  std::optional<Run> run;        // RunEvent only
  std::optional<Job> job;        // RunEvent and JobEvent
  std::vector<Dataset> inputs;   // RunEvent and JobEvent
  std::vector<Dataset> outputs;  // RunEvent and JobEvent; targets named only by a
                                 // job-level `lineage` facet are added here
  std::optional<Dataset> dataset;  // DatasetEvent only
  // The event re-serialised with sorted keys: what is stored, and what the
  // idempotency hash is taken over.
  std::string canonical_json;
};

// Parses one event. INVALID_ARGUMENT with the JSON path of the first
// problem as the status field (e.g. "run.runId", "outputs[1].namespace",
// "eventTime") when it is not acceptable.
absl::StatusOr<Event> ParseEvent(std::string_view json);

// Accepts a single event object or a JSON array of events (as some clients
// batch); every element must parse or the whole batch is refused, the field
// then prefixed with the element index ("[3].eventTime").
absl::StatusOr<std::vector<Event>> ParseEvents(std::string_view json);

std::string_view RunEventTypeName(RunEventType type);  // "START", …; "" for kNone

}  // namespace cadastre::openlineage
