// Mirrors a Collibra-style catalog export into Cadastre, and Cadastre's
// catalog back into the same shape, through SyncService (docs/sync.md,
// "Example: mirroring Collibra").
//
//   collibra-sync in  FILE [--mode diff|full|append] [--dry-run] [--print-document]
//   collibra-sync out FILE [--namespace NS]...
//
// The server is CADASTRE_SERVER (default 127.0.0.1:50051), the token
// CADASTRE_TOKEN. The Collibra shape (client/examples/data/collibra_export.json):
// communities hold domains, domains hold assets; an asset has an id, a type
// (Table, Column, Business Term, Data Flow), a name, a fullName
// ("namespace>schema>table>column"), attributes (lists of {"value": …}),
// responsibilities, tags and relations to other assets by id or fullName:
// Column "is part of" Table, Business Term "represents" Column, and lineage
// "source of" (a Data Flow's relation from a source column to a target column).
//
// How it maps (in):
//   Table            -> dataset: namespace and name from fullName, externalId = the
//                       asset id (externalSystem "collibra"), domain = "Community/Domain",
//                       Description, owners from responsibilities, tags
//   Column           -> a column of the Table it "is part of": Technical Data Type,
//                       Description, Column Position, Personal Data Classification
//                       (as tags: "Email Address" -> PII.Email …)
//   Business Term    -> glossary term: externalId, Definition, Synonym, status;
//                       "represents" links it to columns
//   "source of"      -> a column lineage edge; the job is the Data Flow's name
// Out is the inverse. Collibra renames keep the id, so a renamed Table renames
// the dataset. Columns carry no id of their own in Cadastre: out names them by
// fullName, as Collibra's import API identifies an asset by name.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "cadastre/client.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"

namespace {

using Json = nlohmann::json;
constexpr char kSystem[] = "collibra";
constexpr char kLineageJobNamespace[] = "collibra";

// Collibra's personal data classifications and Cadastre's classifications.
const std::vector<std::pair<std::string, std::string>>& Classifications() {
  static const std::vector<std::pair<std::string, std::string>> pairs = {
      {"Email Address", "PII.Email"},    {"Person Name", "PII.Name"},
      {"Phone Number", "PII.Phone"},     {"Postal Address", "PII.Address"},
      {"Date of Birth", "PII.BirthDate"}, {"National Identifier", "PII.NationalId"},
      {"Payment Card Number", "PCI.CardNumber"}};
  return pairs;
}

// Collibra asset statuses and Cadastre's term statuses.
const std::vector<std::pair<std::string, std::string>>& TermStatuses() {
  static const std::vector<std::pair<std::string, std::string>> pairs = {
      {"Accepted", "APPROVED"}, {"Candidate", "DRAFT"}, {"Obsolete", "DEPRECATED"}};
  return pairs;
}

// Collibra responsibility roles and Cadastre's owner roles.
const std::vector<std::pair<std::string, std::string>>& Roles() {
  static const std::vector<std::pair<std::string, std::string>> pairs = {
      {"Business Owner", "OWNER"}, {"Data Steward", "STEWARD"}, {"Technical Steward", "TECHNICAL_OWNER"}};
  return pairs;
}

std::string Lookup(const std::vector<std::pair<std::string, std::string>>& pairs, const std::string& key,
                   bool reverse) {
  for (const auto& [collibra, cadastre] : pairs) {
    if ((reverse ? cadastre : collibra) == key) return reverse ? collibra : cadastre;
  }
  return "";
}

std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, separator);) parts.push_back(part);
  return parts;
}

std::string JoinParts(const std::vector<std::string>& parts, size_t from, size_t to, char separator) {
  std::string joined;
  for (size_t i = from; i < to; i++) {
    if (i > from) joined += separator;
    joined += parts[i];
  }
  return joined;
}

// The first value of an attribute, or null.
Json Attribute(const Json& asset, const std::string& name) {
  const Json attributes = asset.value("attributes", Json::object());
  auto it = attributes.find(name);
  if (it == attributes.end() || !it->is_array() || it->empty()) return nullptr;
  return (*it)[0].value("value", Json());
}

std::vector<std::string> AttributeStrings(const Json& asset, const std::string& name) {
  std::vector<std::string> values;
  const Json attributes = asset.value("attributes", Json::object());
  if (auto it = attributes.find(name); it != attributes.end() && it->is_array()) {
    for (const Json& value : *it) {
      if (value.contains("value") && value["value"].is_string()) values.push_back(value["value"]);
    }
  }
  return values;
}

// The array under `key` itself (value() would copy it), or an empty one.
const Json& ListOf(const Json& object, const char* key) {
  static const Json empty = Json::array();
  auto it = object.find(key);
  return it != object.end() && it->is_array() ? *it : empty;
}

class Failure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// ---- in: the Collibra shape to a sync document ----

struct TableRef {
  std::string ns, name;
};
struct ColumnRef {
  std::string ns, dataset, column;
  bool operator<(const ColumnRef& o) const {
    return std::tie(ns, dataset, column) < std::tie(o.ns, o.dataset, o.column);
  }
};

// "ns>schema>table" -> ("ns", "schema.table").
TableRef TableOfFullName(const std::string& full_name) {
  const std::vector<std::string> parts = Split(full_name, '>');
  if (parts.size() < 2) throw Failure("table fullName \"" + full_name + "\" is not namespace>…>table");
  return {parts[0], JoinParts(parts, 1, parts.size(), '.')};
}

ColumnRef ColumnOfFullName(const std::string& full_name) {
  const std::vector<std::string> parts = Split(full_name, '>');
  if (parts.size() < 3) throw Failure("column fullName \"" + full_name + "\" is not namespace>…>table>column");
  return {parts[0], JoinParts(parts, 1, parts.size() - 1, '.'), parts.back()};
}

class Importer {
 public:
  // Keeps pointers into `collibra`, which must outlive it.
  explicit Importer(const Json& collibra) {
    for (const Json& community : ListOf(collibra, "communities")) {
      for (const Json& domain : ListOf(community, "domains")) {
        const std::string where = community.value("name", "") + "/" + domain.value("name", "");
        for (const Json& asset : ListOf(domain, "assets")) {
          assets_.push_back({&asset, where});
          if (asset.contains("id")) by_id_[asset["id"]] = assets_.size() - 1;
        }
      }
    }
  }

  Json Document() {
    // Tables first: columns and relations name them.
    for (size_t i = 0; i < assets_.size(); i++) {
      if (Type(i) == "Table") AddTable(i);
    }
    for (size_t i = 0; i < assets_.size(); i++) {
      if (Type(i) == "Column") AddColumn(i);
    }
    Json terms = Json::array();
    for (size_t i = 0; i < assets_.size(); i++) {
      if (Type(i) == "Business Term") terms.push_back(Term(i));
    }
    Json lineage = Json::array();
    for (size_t i = 0; i < assets_.size(); i++) AddLineage(i, lineage);

    Json datasets = Json::array();
    for (Json& dataset : datasets_) {
      Json& columns = dataset["columns"];
      std::stable_sort(columns.begin(), columns.end(), [](const Json& a, const Json& b) {
        return a.value("ordinalPosition", 1 << 30) < b.value("ordinalPosition", 1 << 30);
      });
      for (Json& column : columns) {
        const ColumnRef ref{dataset["namespace"], dataset["name"], column["name"]};
        Json linked = Json::array();
        for (const std::string& term : term_links_[ref]) linked.push_back(term);
        column["glossaryTerms"] = linked;
      }
      datasets.push_back(std::move(dataset));
    }
    Json document = {{"formatVersion", 1}, {"externalSystem", kSystem}};
    if (!terms.empty()) document["scope"] = {{"glossary", true}};
    document["glossaryTerms"] = terms;
    document["datasets"] = datasets;
    document["lineage"] = lineage;
    return document;
  }

 private:
  struct Entry {
    const Json* asset;
    std::string domain;  // "Community/Domain"
  };

  std::string Type(size_t i) const { return assets_[i].asset->value("type", ""); }
  const Json& Asset(size_t i) const { return *assets_[i].asset; }

  // The asset a relation end names, by id or by fullName.
  const Json* Find(const Json& end) const {
    if (end.contains("id")) {
      auto it = by_id_.find(end["id"]);
      if (it == by_id_.end()) throw Failure("no asset with id " + end["id"].get<std::string>());
      return assets_[it->second].asset;
    }
    return nullptr;
  }

  TableRef TableOf(const Json& end) const {
    if (const Json* asset = Find(end)) return TableOfFullName(asset->value("fullName", ""));
    return TableOfFullName(end.value("fullName", ""));
  }

  ColumnRef ColumnOf(const Json& end) const {
    if (const Json* asset = Find(end)) return ColumnOfFullName(asset->value("fullName", ""));
    return ColumnOfFullName(end.value("fullName", ""));
  }

  void AddTable(size_t i) {
    const Json& asset = Asset(i);
    const TableRef ref = TableOfFullName(asset.value("fullName", ""));
    Json dataset = {{"namespace", ref.ns}, {"name", ref.name}};
    if (asset.contains("id")) dataset["externalId"] = asset["id"];
    dataset["type"] = "DB_TABLE";
    if (Json description = Attribute(asset, "Description"); description.is_string()) {
      dataset["description"] = description;
    }
    dataset["domain"] = assets_[i].domain;
    Json owners = Json::array();
    for (const Json& responsibility : ListOf(asset, "responsibilities")) {
      const std::string role = Lookup(Roles(), responsibility.value("role", ""), false);
      if (role.empty()) continue;
      const bool team = responsibility.contains("group");
      owners.push_back({{"name", responsibility.value(team ? "group" : "user", "")},
                        {"type", team ? "TEAM" : "USER"},
                        {"role", role}});
    }
    dataset["owners"] = owners;
    dataset["tags"] = asset.value("tags", Json::array());
    dataset["columns"] = Json::array();
    table_index_[ref.ns + "\n" + ref.name] = datasets_.size();
    datasets_.push_back(std::move(dataset));
  }

  void AddColumn(size_t i) {
    const Json& asset = Asset(i);
    const Json* part_of = nullptr;
    for (const Json& relation : ListOf(asset, "relations")) {
      if (relation.value("type", "") == "is part of") part_of = &relation["target"];
    }
    if (part_of == nullptr) throw Failure("column " + asset.value("fullName", "") + " is part of no table");
    const TableRef table = TableOf(*part_of);
    auto it = table_index_.find(table.ns + "\n" + table.name);
    if (it == table_index_.end()) throw Failure("column " + asset.value("name", "") + ": its table is not in the export");
    Json column = {{"name", asset.value("name", "")}};
    if (Json type = Attribute(asset, "Technical Data Type"); type.is_string()) column["type"] = type;
    if (Json description = Attribute(asset, "Description"); description.is_string()) {
      column["description"] = description;
    }
    if (Json position = Attribute(asset, "Column Position"); position.is_number_integer()) {
      column["ordinalPosition"] = position;
    }
    Json tags = Json::array();
    for (const std::string& value : AttributeStrings(asset, "Personal Data Classification")) {
      const std::string tag = Lookup(Classifications(), value, false);
      if (tag.empty()) throw Failure("column " + asset.value("fullName", "") +
                                     ": unknown Personal Data Classification \"" + value + "\"");
      tags.push_back(tag);
    }
    for (const Json& tag : asset.value("tags", Json::array())) tags.push_back(tag);
    column["tags"] = tags;
    datasets_[it->second]["columns"].push_back(std::move(column));
  }

  Json Term(size_t i) {
    const Json& asset = Asset(i);
    Json term = {{"name", asset.value("name", "")}};
    if (asset.contains("id")) term["externalId"] = asset["id"];
    if (Json definition = Attribute(asset, "Definition"); definition.is_string()) term["definition"] = definition;
    term["synonyms"] = AttributeStrings(asset, "Synonym");
    if (const std::string status = Lookup(TermStatuses(), asset.value("status", ""), false); !status.empty()) {
      term["status"] = status;
    }
    for (const Json& relation : ListOf(asset, "relations")) {
      if (relation.value("type", "") == "represents") term_links_[ColumnOf(relation["target"])].insert(term["name"]);
    }
    return term;
  }

  void AddLineage(size_t i, Json& lineage) {
    const Json& asset = Asset(i);
    for (const Json& relation : ListOf(asset, "relations")) {
      if (relation.value("type", "") != "source of") continue;
      // A Data Flow names both ends; a Column is itself the source.
      const ColumnRef source = relation.contains("source") ? ColumnOf(relation["source"])
                                                           : ColumnOfFullName(asset.value("fullName", ""));
      const ColumnRef target = ColumnOf(relation["target"]);
      const std::string job = Type(i) == "Data Flow" ? asset.value("name", "") : "collibra_lineage";
      Json edge = {{"job", {{"namespace", kLineageJobNamespace}, {"name", job}}},
                   {"source", {{"namespace", source.ns}, {"dataset", source.dataset}, {"field", source.column}}},
                   {"target", {{"namespace", target.ns}, {"dataset", target.dataset}, {"field", target.column}}},
                   {"type", "DIRECT"}};
      if (Json type = Attribute(relation, "Transformation Type"); type.is_string()) edge["type"] = type;
      if (Json subtype = Attribute(relation, "Transformation Subtype"); subtype.is_string()) edge["subtype"] = subtype;
      if (Json description = Attribute(relation, "Description"); description.is_string()) {
        edge["description"] = description;
      }
      edge["masking"] = Attribute(relation, "Masking") == Json(true);
      lineage.push_back(std::move(edge));
    }
  }

  std::vector<Entry> assets_;
  std::map<std::string, size_t> by_id_;
  std::vector<Json> datasets_;
  std::map<std::string, size_t> table_index_;  // "ns\nname" -> datasets_ index
  std::map<ColumnRef, std::set<std::string>> term_links_;
};

// ---- out: a sync document to the Collibra shape ----

Json Values(const Json& value) { return Json::array({{{"value", value}}}); }

std::string FullName(const std::string& ns, const std::string& dataset) {
  std::string name = ns;
  for (const std::string& part : Split(dataset, '.')) name += ">" + part;
  return name;
}

Json CollibraOf(const Json& document) {
  // Community -> domain -> assets, in the order first seen.
  Json communities = Json::array();
  auto domain_assets = [&](const std::string& community, const std::string& domain,
                           const std::string& type) -> Json& {
    auto c = std::find_if(communities.begin(), communities.end(),
                          [&](const Json& e) { return e["name"] == community; });
    if (c == communities.end()) {
      communities.push_back({{"name", community}, {"domains", Json::array()}});
      c = communities.end() - 1;
    }
    Json& domains = (*c)["domains"];
    auto d = std::find_if(domains.begin(), domains.end(), [&](const Json& e) { return e["name"] == domain; });
    if (d == domains.end()) {
      domains.push_back({{"name", domain}, {"type", type}, {"assets", Json::array()}});
      d = domains.end() - 1;
    }
    return (*d)["assets"];
  };

  std::map<std::string, std::vector<std::string>> terms_of_column;  // column fullName -> terms
  for (const Json& dataset : document.value("datasets", Json::array())) {
    const std::string ns = dataset.value("namespace", ""), name = dataset.value("name", "");
    const std::string domain = dataset.value("domain", "");
    const size_t slash = domain.find('/');
    const std::string community_name = slash == std::string::npos ? "Cadastre" : domain.substr(0, slash);
    const std::string domain_name =
        slash == std::string::npos ? (domain.empty() ? "Unassigned" : domain) : domain.substr(slash + 1);
    Json& assets = domain_assets(community_name, domain_name, "Physical Data Dictionary");
    const std::string table_name = FullName(ns, name);
    Json table = {{"type", "Table"}, {"name", Split(name, '.').back()}, {"fullName", table_name}};
    if (dataset.contains("externalId")) table["id"] = dataset["externalId"];
    table["attributes"] = Json::object();
    if (dataset.contains("description")) table["attributes"]["Description"] = Values(dataset["description"]);
    Json responsibilities = Json::array();
    for (const Json& owner : dataset.value("owners", Json::array())) {
      const std::string role = Lookup(Roles(), owner.value("role", "OWNER"), true);
      if (role.empty()) continue;
      responsibilities.push_back(
          {{"role", role}, {owner.value("type", "USER") == "TEAM" ? "group" : "user", owner.value("name", "")}});
    }
    if (!responsibilities.empty()) table["responsibilities"] = responsibilities;
    if (!dataset.value("tags", Json::array()).empty()) table["tags"] = dataset["tags"];
    Json table_end = {{"fullName", table_name}, {"type", "Table"}};
    if (table.contains("id")) table_end = {{"id", table["id"]}, {"type", "Table"}};
    assets.push_back(table);

    for (const Json& column : dataset.value("columns", Json::array())) {
      const std::string column_name = table_name + ">" + column.value("name", "");
      Json asset = {{"type", "Column"}, {"name", column.value("name", "")}, {"fullName", column_name},
                    {"attributes", Json::object()}};
      Json& attributes = asset["attributes"];
      if (column.contains("type")) attributes["Technical Data Type"] = Values(column["type"]);
      if (column.contains("description")) attributes["Description"] = Values(column["description"]);
      if (column.contains("ordinalPosition")) attributes["Column Position"] = Values(column["ordinalPosition"]);
      Json classifications = Json::array(), tags = Json::array();
      for (const Json& tag : column.value("tags", Json::array())) {
        const std::string value = Lookup(Classifications(), tag, true);
        if (value.empty()) {
          tags.push_back(tag);
        } else {
          classifications.push_back({{"value", value}});
        }
      }
      if (!classifications.empty()) attributes["Personal Data Classification"] = classifications;
      if (!tags.empty()) asset["tags"] = tags;
      asset["relations"] = Json::array({{{"type", "is part of"}, {"target", table_end}}});
      for (const Json& term : column.value("glossaryTerms", Json::array())) {
        terms_of_column[column_name].push_back(term);
      }
      assets.push_back(std::move(asset));
    }
  }

  for (const Json& term : document.value("glossaryTerms", Json::array())) {
    Json asset = {{"type", "Business Term"}, {"name", term.value("name", "")}};
    if (term.contains("externalId")) asset["id"] = term["externalId"];
    const std::string status = Lookup(TermStatuses(), term.value("status", ""), true);
    if (!status.empty()) asset["status"] = status;
    asset["attributes"] = Json::object();
    if (term.contains("definition")) asset["attributes"]["Definition"] = Values(term["definition"]);
    Json synonyms = Json::array();
    for (const Json& synonym : term.value("synonyms", Json::array())) synonyms.push_back({{"value", synonym}});
    if (!synonyms.empty()) asset["attributes"]["Synonym"] = synonyms;
    Json relations = Json::array();
    for (const auto& [column, terms] : terms_of_column) {
      if (std::find(terms.begin(), terms.end(), term.value("name", "")) != terms.end()) {
        relations.push_back({{"type", "represents"}, {"target", {{"fullName", column}, {"type", "Column"}}}});
      }
    }
    asset["relations"] = relations;
    domain_assets("Data Governance Council", "Business Glossary", "Glossary").push_back(std::move(asset));
  }

  std::map<std::string, Json> flows;  // job name -> relations
  for (const Json& edge : document.value("lineage", Json::array())) {
    auto end = [](const Json& field) {
      return Json{{"fullName", FullName(field.value("namespace", ""), field.value("dataset", "")) + ">" +
                                   field.value("field", "")},
                  {"type", "Column"}};
    };
    Json relation = {{"type", "source of"}, {"source", end(edge["source"])}, {"target", end(edge["target"])}};
    relation["attributes"] = {{"Transformation Type", Values(edge.value("type", "DIRECT"))}};
    if (edge.contains("subtype")) relation["attributes"]["Transformation Subtype"] = Values(edge["subtype"]);
    if (edge.value("masking", false)) relation["attributes"]["Masking"] = Values(true);
    if (edge.contains("description")) relation["attributes"]["Description"] = Values(edge["description"]);
    flows[edge["job"].value("name", "")].push_back(std::move(relation));
  }
  for (auto& [job, relations] : flows) {
    domain_assets("Lineage", "Data Flows", "Technology Asset Domain")
        .push_back({{"type", "Data Flow"}, {"name", job}, {"relations", std::move(relations)}});
  }
  return {{"source", "Cadastre"}, {"communities", std::move(communities)}};
}

// ---- the program ----

int Usage() {
  std::cerr << "usage: collibra-sync in FILE [--mode diff|full|append] [--dry-run] [--print-document]\n"
               "       collibra-sync out FILE [--namespace NS]...\n"
               "server: CADASTRE_SERVER (default 127.0.0.1:50051); token: CADASTRE_TOKEN\n";
  return 2;
}

std::unique_ptr<cadastre::sdk::Client> Connect() {
  cadastre::sdk::ClientOptions options;
  const char* server = std::getenv("CADASTRE_SERVER");
  const char* token = std::getenv("CADASTRE_TOKEN");
  options.target = server != nullptr && *server != '\0' ? server : "127.0.0.1:50051";
  options.token = token != nullptr ? token : "";
  options.deadline = std::chrono::minutes(10);
  auto client = cadastre::sdk::Client::Connect(options);
  if (!client.ok()) throw Failure(std::string(client.status().message()));
  return *std::move(client);
}

int In(const std::string& file, const std::string& mode, bool dry_run, bool print_document) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Failure("cannot read " + file);
  const Json collibra = Json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!collibra.is_object()) throw Failure(file + " is not a JSON object");
  const Json document = Importer(collibra).Document();
  if (print_document) {
    std::cout << document.dump(2) << "\n";
    return 0;
  }
  cadastre::v1::ImportRequest request;
  request.set_document(document.dump());
  request.set_mode(mode == "full" ? cadastre::v1::FULL : mode == "append" ? cadastre::v1::APPEND : cadastre::v1::DIFF);
  request.set_dry_run(dry_run);
  request.set_on_error(cadastre::v1::FAIL);
  absl::StatusOr<cadastre::v1::ImportResponse> response =
      Connect()->Call(&cadastre::v1::SyncService::Stub::Import, request);
  if (!response.ok()) {
    std::cerr << "collibra-sync: import refused: " << response.status().message() << "\n";
    return 1;
  }
  std::cout << (dry_run ? "dry run: " : "") << response->records() << " records: " << response->created()
            << " created, " << response->updated() << " updated, " << response->unchanged() << " unchanged, "
            << response->deprecated() << " deprecated, " << response->removed() << " removed, "
            << response->failed() << " failed\n";
  for (const cadastre::v1::SyncRecordResult& result : response->results()) {
    std::cout << "  " << cadastre::v1::SyncRecordResult::Action_Name(result.action()) << " " << result.kind()
              << " " << result.key();
    for (const cadastre::v1::FieldChange& change : result.changes()) std::cout << " [" << change.path() << "]";
    if (!result.error().empty()) std::cout << ": " << result.error();
    std::cout << "\n";
  }
  return response->failed() == 0 ? 0 : 1;
}

int Out(const std::string& file, const std::vector<std::string>& namespaces) {
  cadastre::v1::ExportRequest request;
  for (const std::string& ns : namespaces) request.add_namespace_(ns);
  request.set_external_system(kSystem);
  request.set_include_glossary(true);
  request.set_include_lineage(true);
  absl::StatusOr<google::protobuf::Struct> document =
      Connect()->Call(&cadastre::v1::SyncService::Stub::Export, request);
  if (!document.ok()) {
    std::cerr << "collibra-sync: export failed: " << document.status().message() << "\n";
    return 1;
  }
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(*document, &json);
  const Json collibra = CollibraOf(Json::parse(json));
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << collibra.dump(2) << "\n";
  if (!out.flush()) throw Failure("cannot write " + file);
  size_t assets = 0;
  for (const Json& community : collibra["communities"]) {
    for (const Json& domain : community["domains"]) assets += domain["assets"].size();
  }
  std::cout << "wrote " << file << ": " << assets << " assets in " << collibra["communities"].size()
            << " communities\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return Usage();
  const std::string direction = argv[1], file = argv[2];
  std::string mode = "diff";
  bool dry_run = false, print_document = false;
  std::vector<std::string> namespaces;
  for (int i = 3; i < argc; i++) {
    const std::string arg = argv[i];
    if (arg == "--mode" && i + 1 < argc) {
      mode = argv[++i];
      if (mode != "diff" && mode != "full" && mode != "append") return Usage();
    } else if (arg == "--dry-run") {
      dry_run = true;
    } else if (arg == "--print-document") {
      print_document = true;
    } else if (arg == "--namespace" && i + 1 < argc) {
      namespaces.push_back(argv[++i]);
    } else {
      return Usage();
    }
  }
  try {
    if (direction == "in") return In(file, mode, dry_run, print_document);
    if (direction == "out") return Out(file, namespaces);
    return Usage();
  } catch (const std::exception& error) {  // Failure, or JSON of an unexpected shape
    std::cerr << "collibra-sync: " << error.what() << "\n";
    return 1;
  }
}
