#include "server/openlineage/lineage_facets.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/status.h"
#include "server/common/strings.h"
#include "server/openlineage/json_fields.h"

namespace cadastre::openlineage::internal {
namespace {

// What a source given without transformations means (dbt, Marquez, Airflow).
Transformation PlainDirect() { return Transformation{"DIRECT", "", "", false}; }

absl::StatusOr<Transformation> ParseTransformation(const json& value, std::string_view path) {
  RETURN_IF_ERROR(ExpectObject(value, path));
  Transformation t;
  ASSIGN_OR_RETURN(std::string type, RequireString(value, "type", path, /*non_empty=*/true));
  t.type = ToUpper(type);
  if (t.type != "DIRECT" && t.type != "INDIRECT") {
    return InvalidField(Member(path, "type"),
                        absl::StrCat("\"", type, "\" is neither DIRECT nor INDIRECT"));
  }
  RETURN_IF_ERROR(ReadString(value, "subtype", path, &t.subtype));
  t.subtype = ToUpper(t.subtype);
  RETURN_IF_ERROR(ReadString(value, "description", path, &t.description));
  RETURN_IF_ERROR(ReadBool(value, "masking", path, &t.masking));
  return t;
}

// The `transformations` of a source; `fallback` alone when there are none.
absl::StatusOr<std::vector<Transformation>> ParseTransformations(const json& source,
                                                                 std::string_view path,
                                                                 const Transformation& fallback) {
  ASSIGN_OR_RETURN(const json* list, FindArray(source, "transformations", path));
  std::vector<Transformation> out;
  if (list != nullptr) {
    const std::string list_path = Member(path, "transformations");
    for (std::size_t i = 0; i < list->size(); ++i) {
      ASSIGN_OR_RETURN(Transformation t, ParseTransformation((*list)[i], Element(list_path, i)));
      out.push_back(std::move(t));
    }
  }
  if (out.empty()) out.push_back(fallback);
  return out;
}

// The deprecated per-field transformationType/-Description (ColumnLineage
// facet 1-0-x, still sent by Airflow), as the transformation of the field's
// sources that carry none of their own.
absl::StatusOr<Transformation> LegacyTransformation(const json& entry, std::string_view path) {
  std::string type;
  Transformation t = PlainDirect();
  RETURN_IF_ERROR(ReadString(entry, "transformationType", path, &type));
  RETURN_IF_ERROR(ReadString(entry, "transformationDescription", path, &t.description));
  type = ToUpper(type);
  if (type == "MASKED") {
    t.masking = true;  // "no original data available", e.g. a hash of PII
  } else {
    t.subtype = std::move(type);  // "IDENTITY", another producer's word, or ""
  }
  return t;
}

// A columnLineage InputField: namespace, name and field are all required.
absl::StatusOr<InputLineage> ParseInputField(const json& value, std::string_view path,
                                             const Transformation& fallback) {
  RETURN_IF_ERROR(ExpectObject(value, path));
  InputLineage input;
  ASSIGN_OR_RETURN(input.source.ns, RequireString(value, "namespace", path, /*non_empty=*/true));
  ASSIGN_OR_RETURN(input.source.dataset, RequireString(value, "name", path, /*non_empty=*/true));
  ASSIGN_OR_RETURN(input.source.field, RequireString(value, "field", path, /*non_empty=*/false));
  ASSIGN_OR_RETURN(input.transformations, ParseTransformations(value, path, fallback));
  return input;
}

bool SameSource(const FieldRef& a, const FieldRef& b) {
  return a.ns == b.ns && a.dataset == b.dataset && a.field == b.field;
}

// Spark repeats every dataset-level dependency (filter, join, group by…) on
// each target field. An INDIRECT transformation of a field's source that
// `dataset[]` already has for the same source column (same type and subtype)
// is such a copy and goes; a source left with no transformation goes too.
void DropDatasetLevelCopies(ColumnLineage* lineage) {
  if (lineage->dataset.empty()) return;
  auto is_copy = [&](const FieldRef& source, const Transformation& t) {
    if (t.type != "INDIRECT") return false;
    for (const InputLineage& dependency : lineage->dataset) {
      if (!SameSource(dependency.source, source)) continue;
      for (const Transformation& d : dependency.transformations) {
        if (d.type == t.type && d.subtype == t.subtype) return true;
      }
    }
    return false;
  };
  for (FieldLineage& field : lineage->fields) {
    for (InputLineage& input : field.inputs) {
      std::erase_if(input.transformations,
                    [&](const Transformation& t) { return is_copy(input.source, t); });
    }
    std::erase_if(field.inputs,
                  [](const InputLineage& input) { return input.transformations.empty(); });
  }
}

absl::Status CheckTargetField(const std::string& name, std::string_view fields_path) {
  if (name.empty()) return InvalidField(fields_path, "a target field name must not be empty");
  return absl::OkStatus();
}

// A LineageInput of the explicit facets; nullopt for a JOB source.
absl::StatusOr<std::optional<InputLineage>> ParseLineageInput(const json& value,
                                                              std::string_view path) {
  RETURN_IF_ERROR(ExpectObject(value, path));
  std::string type = "DATASET";
  RETURN_IF_ERROR(ReadString(value, "type", path, &type));
  type = ToUpper(type);
  if (type == "JOB") return std::nullopt;
  if (type != "DATASET") {
    return InvalidField(Member(path, "type"),
                        absl::StrCat("\"", type, "\" is neither DATASET nor JOB"));
  }
  InputLineage input;
  ASSIGN_OR_RETURN(input.source.ns, RequireString(value, "namespace", path, /*non_empty=*/true));
  ASSIGN_OR_RETURN(input.source.dataset, RequireString(value, "name", path, /*non_empty=*/true));
  RETURN_IF_ERROR(ReadString(value, "field", path, &input.source.field));
  ASSIGN_OR_RETURN(input.transformations, ParseTransformations(value, path, PlainDirect()));
  return input;
}

absl::StatusOr<std::vector<InputLineage>> ParseLineageInputs(const json& owner,
                                                             std::string_view path) {
  ASSIGN_OR_RETURN(const json* list, FindArray(owner, "inputs", path));
  std::vector<InputLineage> out;
  if (list == nullptr) return out;
  const std::string list_path = Member(path, "inputs");
  for (std::size_t i = 0; i < list->size(); ++i) {
    ASSIGN_OR_RETURN(std::optional<InputLineage> input,
                     ParseLineageInput((*list)[i], Element(list_path, i)));
    if (input) out.push_back(std::move(*input));
  }
  return out;
}

// `inputs` and `fields`, shared by the dataset facet and the job facet's
// DATASET entries.
absl::StatusOr<ColumnLineage> ParseExplicitLineage(const json& body, std::string_view path) {
  ColumnLineage lineage;
  ASSIGN_OR_RETURN(lineage.dataset, ParseLineageInputs(body, path));
  ASSIGN_OR_RETURN(const json* fields, FindObject(body, "fields", path));
  if (fields != nullptr) {
    const std::string fields_path = Member(path, "fields");
    for (const auto& [name, entry] : fields->items()) {
      RETURN_IF_ERROR(CheckTargetField(name, fields_path));
      const std::string entry_path = Member(fields_path, name);
      RETURN_IF_ERROR(ExpectObject(entry, entry_path));
      FieldLineage field;
      field.target_field = name;
      ASSIGN_OR_RETURN(field.inputs, ParseLineageInputs(entry, entry_path));
      lineage.fields.push_back(std::move(field));
    }
  }
  DropDatasetLevelCopies(&lineage);
  return lineage;
}

}  // namespace

absl::StatusOr<ColumnLineage> ParseColumnLineageFacet(const json& facet, std::string_view path) {
  ColumnLineage lineage;
  ASSIGN_OR_RETURN(const json* fields, FindObject(facet, "fields", path));
  if (fields != nullptr) {
    const std::string fields_path = Member(path, "fields");
    for (const auto& [name, entry] : fields->items()) {
      RETURN_IF_ERROR(CheckTargetField(name, fields_path));
      const std::string entry_path = Member(fields_path, name);
      RETURN_IF_ERROR(ExpectObject(entry, entry_path));
      ASSIGN_OR_RETURN(Transformation fallback, LegacyTransformation(entry, entry_path));
      ASSIGN_OR_RETURN(const json* inputs, FindArray(entry, "inputFields", entry_path));
      FieldLineage field;
      field.target_field = name;
      if (inputs != nullptr) {
        const std::string inputs_path = Member(entry_path, "inputFields");
        for (std::size_t i = 0; i < inputs->size(); ++i) {
          ASSIGN_OR_RETURN(InputLineage input,
                           ParseInputField((*inputs)[i], Element(inputs_path, i), fallback));
          field.inputs.push_back(std::move(input));
        }
      }
      lineage.fields.push_back(std::move(field));
    }
  }
  ASSIGN_OR_RETURN(const json* dataset, FindArray(facet, "dataset", path));
  if (dataset != nullptr) {
    const std::string dataset_path = Member(path, "dataset");
    for (std::size_t i = 0; i < dataset->size(); ++i) {
      ASSIGN_OR_RETURN(InputLineage input,
                       ParseInputField((*dataset)[i], Element(dataset_path, i), PlainDirect()));
      lineage.dataset.push_back(std::move(input));
    }
  }
  DropDatasetLevelCopies(&lineage);
  return lineage;
}

absl::StatusOr<ColumnLineage> ParseLineageDatasetFacet(const json& facet, std::string_view path) {
  return ParseExplicitLineage(facet, path);
}

absl::StatusOr<std::vector<LineageTarget>> ParseLineageJobFacet(const json& facet,
                                                                std::string_view path) {
  ASSIGN_OR_RETURN(const json* entries, FindArray(facet, "entries", path));
  std::vector<LineageTarget> targets;
  if (entries == nullptr) return targets;
  const std::string entries_path = Member(path, "entries");
  for (std::size_t i = 0; i < entries->size(); ++i) {
    const json& entry = (*entries)[i];
    const std::string entry_path = Element(entries_path, i);
    RETURN_IF_ERROR(ExpectObject(entry, entry_path));
    std::string type = "DATASET";
    RETURN_IF_ERROR(ReadString(entry, "type", entry_path, &type));
    type = ToUpper(type);
    if (type == "JOB") continue;  // job-to-job lineage names no column
    if (type != "DATASET") {
      return InvalidField(Member(entry_path, "type"),
                          absl::StrCat("\"", type, "\" is neither DATASET nor JOB"));
    }
    LineageTarget target;
    ASSIGN_OR_RETURN(target.ns, RequireString(entry, "namespace", entry_path, /*non_empty=*/true));
    ASSIGN_OR_RETURN(target.name, RequireString(entry, "name", entry_path, /*non_empty=*/true));
    ASSIGN_OR_RETURN(target.lineage, ParseExplicitLineage(entry, entry_path));
    targets.push_back(std::move(target));
  }
  return targets;
}

}  // namespace cadastre::openlineage::internal
