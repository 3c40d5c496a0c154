#include "sync_document.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/strings/ascii.h"
#include "csv.h"

namespace cadastre::cli {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

Json JsonOfValue(const google::protobuf::Value& value) {
  switch (value.kind_case()) {
    case google::protobuf::Value::kNullValue: return nullptr;
    case google::protobuf::Value::kBoolValue: return value.bool_value();
    case google::protobuf::Value::kStringValue: return value.string_value();
    case google::protobuf::Value::kNumberValue: {
      const double number = value.number_value();
      if (std::isfinite(number) && std::trunc(number) == number && std::fabs(number) < 9.0e15) {
        return static_cast<int64_t>(number);
      }
      return number;
    }
    case google::protobuf::Value::kStructValue: return JsonOfStruct(value.struct_value());
    case google::protobuf::Value::kListValue: {
      Json list = Json::array();
      for (const google::protobuf::Value& item : value.list_value().values()) list.push_back(JsonOfValue(item));
      return list;
    }
    default: return nullptr;
  }
}

// The schema's property order of each kind of object (docs/sync/cadastre-sync.schema.json).
enum class Kind { kDocument, kScope, kNamespace, kTerm, kDataset, kOwner, kColumn, kEdge, kJob, kField, kOther };

const std::vector<std::string>& KeysOf(Kind kind) {
  static const std::map<Kind, std::vector<std::string>> keys = {
      {Kind::kDocument,
       {"$schema", "formatVersion", "externalSystem", "scope", "namespaces", "glossaryTerms", "datasets", "lineage"}},
      {Kind::kScope, {"namespaces", "glossary"}},
      {Kind::kNamespace, {"name", "description", "ownerName"}},
      {Kind::kTerm,
       {"name", "externalId", "definition", "unit", "formula", "synonyms", "relatedTerms", "parent", "status",
        "reviewers"}},
      {Kind::kDataset,
       {"namespace", "name", "externalId", "type", "physicalName", "sourceName", "displayName", "description",
        "domain", "updateFrequency", "owners", "tags", "customProperties", "columns"}},
      {Kind::kOwner, {"name", "type", "role"}},
      {Kind::kColumn,
       {"name", "type", "description", "nullable", "ordinalPosition", "tags", "glossaryTerms", "blockedTags"}},
      {Kind::kEdge, {"job", "source", "target", "type", "subtype", "description", "masking"}},
      {Kind::kJob, {"namespace", "name"}},
      {Kind::kField, {"namespace", "dataset", "field"}},
      {Kind::kOther, {}},
  };
  return keys.at(kind);
}

// What kind the value under `key` of a `parent` object is (for arrays: their items).
Kind ChildKind(Kind parent, const std::string& key) {
  switch (parent) {
    case Kind::kDocument:
      if (key == "scope") return Kind::kScope;
      if (key == "namespaces") return Kind::kNamespace;
      if (key == "glossaryTerms") return Kind::kTerm;
      if (key == "datasets") return Kind::kDataset;
      if (key == "lineage") return Kind::kEdge;
      return Kind::kOther;
    case Kind::kDataset:
      if (key == "owners") return Kind::kOwner;
      if (key == "columns") return Kind::kColumn;
      return Kind::kOther;
    case Kind::kEdge:
      if (key == "job") return Kind::kJob;
      if (key == "source" || key == "target") return Kind::kField;
      return Kind::kOther;
    default: return Kind::kOther;
  }
}

OrderedJson Canonical(const Json& value, Kind kind) {
  if (value.is_array()) {
    OrderedJson list = OrderedJson::array();
    for (const Json& item : value) list.push_back(Canonical(item, kind));
    return list;
  }
  if (!value.is_object()) return OrderedJson(value);
  OrderedJson object = OrderedJson::object();
  const std::vector<std::string>& known = KeysOf(kind);
  for (const std::string& key : known) {
    if (auto it = value.find(key); it != value.end()) object[key] = Canonical(*it, ChildKind(kind, key));
  }
  // The rest, sorted (nlohmann::json keeps object keys sorted).
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (std::find(known.begin(), known.end(), it.key()) == known.end()) {
      object[it.key()] = Canonical(it.value(), ChildKind(kind, it.key()));
    }
  }
  return object;
}

std::string JoinList(const Json& list) {
  std::string joined;
  if (!list.is_array()) return joined;
  for (const Json& item : list) {
    if (!item.is_string()) continue;
    if (!joined.empty()) joined += '|';
    joined += item.get<std::string>();
  }
  return joined;
}

std::string StringOf(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Json SplitList(const std::string& cell) {
  Json list = Json::array();
  for (absl::string_view item : absl::StrSplit(cell, '|')) {
    item = absl::StripAsciiWhitespace(item);
    if (!item.empty()) list.push_back(std::string(item));
  }
  return list;
}

}  // namespace

Json JsonOfStruct(const google::protobuf::Struct& document) {
  Json object = Json::object();
  for (const auto& [key, value] : document.fields()) object[key] = JsonOfValue(value);
  return object;
}

OrderedJson CanonicalDocument(const Json& document) { return Canonical(document, Kind::kDocument); }

std::string DocumentText(const Json& document) {
  return CanonicalDocument(document).dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

const std::vector<std::string>& CsvHeader() {
  static const std::vector<std::string> header = {"namespace", "dataset", "column", "type",
                                                  "description", "tags", "glossaryTerms"};
  return header;
}

std::string DocumentToCsv(const Json& document) {
  std::string csv = CsvRecord(CsvHeader());
  auto datasets = document.find("datasets");
  if (datasets == document.end() || !datasets->is_array()) return csv;
  for (const Json& dataset : *datasets) {
    auto columns = dataset.find("columns");
    if (columns == dataset.end() || !columns->is_array()) continue;
    for (const Json& column : *columns) {
      csv += CsvRecord({StringOf(dataset, "namespace"), StringOf(dataset, "name"), StringOf(column, "name"),
                        StringOf(column, "type"), StringOf(column, "description"),
                        JoinList(column.value("tags", Json::array())),
                        JoinList(column.value("glossaryTerms", Json::array()))});
    }
  }
  return csv;
}

absl::StatusOr<Json> CsvToDocument(std::string_view text, const std::string& file) {
  absl::StatusOr<std::vector<CsvRow>> rows = ParseCsv(text);
  if (!rows.ok()) return absl::InvalidArgumentError(absl::StrCat(file, ": ", rows.status().message()));
  auto blank = [](const CsvRow& row) { return row.fields.size() == 1 && row.fields[0].empty(); };
  std::erase_if(*rows, blank);
  if (rows->empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": empty; the first line must be the header ", absl::StrJoin(CsvHeader(), ",")));
  }

  // Which attribute each field of a row is.
  const CsvRow& header = rows->front();
  std::map<std::string, size_t> at;
  for (size_t i = 0; i < header.fields.size(); i++) {
    const std::string name(absl::StripAsciiWhitespace(header.fields[i]));
    if (std::find(CsvHeader().begin(), CsvHeader().end(), name) == CsvHeader().end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": line ", header.line, ": unknown header \"", name, "\" (expected ",
                       absl::StrJoin(CsvHeader(), ","), ", or a subset with namespace, dataset and column)"));
    }
    if (!at.emplace(name, i).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": line ", header.line, ": the header names \"", name, "\" twice"));
    }
  }
  for (const char* required : {"namespace", "dataset", "column"}) {
    if (!at.contains(required)) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": line ", header.line, ": the header lacks \"", required, "\" (expected ",
                       absl::StrJoin(CsvHeader(), ","), ")"));
    }
  }

  Json datasets = Json::array();
  std::map<std::pair<std::string, std::string>, size_t> dataset_index;
  std::map<std::tuple<std::string, std::string, std::string>, int> seen;  // column -> its line
  for (size_t r = 1; r < rows->size(); r++) {
    const CsvRow& row = (*rows)[r];
    if (row.fields.size() != header.fields.size()) {
      return absl::InvalidArgumentError(absl::StrCat(file, ": line ", row.line, ": ", row.fields.size(),
                                                     " fields, but the header has ", header.fields.size()));
    }
    auto cell = [&](const char* name) { return row.fields[at.at(name)]; };
    const std::string ns = cell("namespace"), name = cell("dataset"), column_name = cell("column");
    for (const auto& [what, value] : {std::pair{"namespace", &ns}, {"dataset", &name}, {"column", &column_name}}) {
      if (value->empty()) {
        return absl::InvalidArgumentError(absl::StrCat(file, ": line ", row.line, ": the ", what, " is empty"));
      }
    }
    if (auto [it, added] = seen.emplace(std::tuple{ns, name, column_name}, row.line); !added) {
      return absl::InvalidArgumentError(absl::StrCat(file, ": line ", row.line, ": column ", column_name, " of ",
                                                     ns, " ", name, " is already on line ", it->second));
    }
    auto [it, added] = dataset_index.emplace(std::pair{ns, name}, datasets.size());
    if (added) datasets.push_back({{"namespace", ns}, {"name", name}, {"columns", Json::array()}});
    Json column = {{"name", column_name}};
    if (at.contains("type")) column["type"] = cell("type");
    if (at.contains("description")) column["description"] = cell("description");
    if (at.contains("tags")) column["tags"] = SplitList(cell("tags"));
    if (at.contains("glossaryTerms")) column["glossaryTerms"] = SplitList(cell("glossaryTerms"));
    datasets[it->second]["columns"].push_back(std::move(column));
  }
  return Json{{"formatVersion", 1}, {"datasets", std::move(datasets)}};
}

}  // namespace cadastre::cli
