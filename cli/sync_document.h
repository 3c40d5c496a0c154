// The sync document (docs/sync.md, docs/sync/cadastre-sync.schema.json) on
// the client side: the export's Struct as JSON in a fixed key order, and the
// spreadsheet form, one row per column (docs/sync.md "CSV").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/struct.pb.h"
#include "nlohmann/json.hpp"

namespace cadastre::cli {

// A Struct as JSON; whole numbers become integers ("formatVersion": 1).
nlohmann::json JsonOfStruct(const google::protobuf::Struct& document);

// The document with its keys in the schema's order at every level
// (formatVersion, externalSystem, scope, namespaces, glossaryTerms, datasets,
// lineage; a dataset's namespace and name first, its columns last); keys the
// schema does not know follow, sorted. Arrays keep their order: the server's
// order is already fixed. Two exports of the same catalog print the same bytes.
nlohmann::ordered_json CanonicalDocument(const nlohmann::json& document);

// The document as text: two-space indents, the canonical order, a final newline.
std::string DocumentText(const nlohmann::json& document);

// namespace,dataset,column,type,description,tags,glossaryTerms
const std::vector<std::string>& CsvHeader();

// One row per column of the document's datasets, in document order, after
// the header. Lists are joined with "|".
std::string DocumentToCsv(const nlohmann::json& document);

// The DIFF document that the CSV rows describe: one dataset record per
// (namespace, dataset), in the order of first appearance, each with only
// the columns its rows name. The header must name namespace, dataset and
// column; of type, description, tags and glossaryTerms it may name any (in
// any order), and those it leaves out are not in the document, so they stay
// as they are. A cell is the value: an empty description clears it, an empty
// tags cell removes the column's tags. Blank lines are skipped. Errors
// (INVALID_ARGUMENT) name `file` and the line.
absl::StatusOr<nlohmann::json> CsvToDocument(std::string_view text, const std::string& file);

}  // namespace cadastre::cli
