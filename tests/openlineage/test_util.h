// Helpers for the OpenLineage parser tests: reading the event files, finding
// things in a parsed event, and showing transformations compactly.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "nlohmann/json.hpp"
#include "server/openlineage/event.h"

namespace cadastre::openlineage::testing {

using nlohmann::json;

inline std::string EventPath(std::string_view file) {
  return std::string(CADASTRE_OPENLINEAGE_TEST_DATA) + "/events/" + std::string(file);
}

inline std::string ReadEventFile(std::string_view file) {
  std::ifstream in(EventPath(file), std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << EventPath(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline json LoadEventFile(std::string_view file) { return json::parse(ReadEventFile(file)); }

// "INDIRECT/GROUP_BY", "DIRECT/" (no subtype), "+masking" when masking.
inline std::string Describe(const Transformation& t) {
  return t.type + "/" + t.subtype + (t.masking ? "+masking" : "");
}

inline std::vector<std::string> Describe(const std::vector<Transformation>& list) {
  std::vector<std::string> out;
  for (const Transformation& t : list) out.push_back(Describe(t));
  return out;
}

// "ns|dataset|field"
inline std::string Describe(const FieldRef& ref) {
  return ref.ns + "|" + ref.dataset + "|" + ref.field;
}

inline std::vector<std::string> Sources(const std::vector<InputLineage>& inputs) {
  std::vector<std::string> out;
  for (const InputLineage& input : inputs) out.push_back(Describe(input.source));
  return out;
}

inline const Dataset* FindDataset(const std::vector<Dataset>& list, std::string_view ns,
                                  std::string_view name) {
  for (const Dataset& d : list) {
    if (d.ns == ns && d.name == name) return &d;
  }
  return nullptr;
}

inline const FieldLineage* FindField(const ColumnLineage& lineage, std::string_view target) {
  for (const FieldLineage& f : lineage.fields) {
    if (f.target_field == target) return &f;
  }
  return nullptr;
}

inline const InputLineage* FindInput(const std::vector<InputLineage>& inputs, std::string_view ns,
                                     std::string_view dataset, std::string_view field) {
  for (const InputLineage& input : inputs) {
    if (input.source.ns == ns && input.source.dataset == dataset && input.source.field == field) {
      return &input;
    }
  }
  return nullptr;
}

// The transformations of `field`'s source (ns, dataset, source_field), or
// {"<absent>"} so that a missing source fails the comparison readably.
inline std::vector<std::string> TransformationsOf(const ColumnLineage& lineage,
                                                  std::string_view field, std::string_view ns,
                                                  std::string_view dataset,
                                                  std::string_view source_field) {
  const FieldLineage* target = FindField(lineage, field);
  if (target == nullptr) return {"<no target field " + std::string(field) + ">"};
  const InputLineage* input = FindInput(target->inputs, ns, dataset, source_field);
  if (input == nullptr) return {"<absent>"};
  return Describe(input->transformations);
}

inline std::vector<std::string> SchemaNames(const std::vector<SchemaField>& fields) {
  std::vector<std::string> out;
  for (const SchemaField& f : fields) out.push_back(f.name);
  return out;
}

inline std::vector<std::string> FieldNames(const ColumnLineage& lineage) {
  std::vector<std::string> out;
  for (const FieldLineage& f : lineage.fields) out.push_back(f.target_field);
  return out;
}

}  // namespace cadastre::openlineage::testing
