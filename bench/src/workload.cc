#include "workload.h"

#include <cstdio>

#include <nlohmann/json.hpp>

namespace cadastre::bench {
namespace {

using nlohmann::json;

constexpr char kProducer[] = "https://github.com/cadastre/cadastre/tree/main/bench";
constexpr char kSpec[] = "https://openlineage.io/spec/2-0-2/OpenLineage.json";
constexpr char kFacetSchema[] = "https://openlineage.io/spec/facets/1-0-0/";

json Facet(const char* name) {
  return {{"_producer", kProducer}, {"_schemaURL", std::string(kFacetSchema) + name + ".json"}};
}

// Deterministic event times and run ids: one second and one run per event.
std::string EventTime(int64_t i) {
  const int t = static_cast<int>(i % (28 * 86400));
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "2026-01-%02dT%02d:%02d:%02d.000Z", 1 + t / 86400,
                t / 3600 % 24, t / 60 % 60, t % 60);
  return buffer;
}

std::string RunId(uint64_t workload, int64_t i) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "01940000-%04llx-7000-8000-%012llx",
                static_cast<unsigned long long>(workload), static_cast<unsigned long long>(i));
  return buffer;
}

// schema, ownership, documentation and tags facets of dataset `d`.
json DatasetFacets(const Workload& w, const Dataset& d) {
  json fields = json::array();
  json tags = json::array();
  for (int32_t c = d.first_column; c < d.first_column + d.column_count; ++c) {
    const Column& column = w.column(c);
    fields.push_back({{"name", column.name}, {"type", column.type}});
    if (!column.pii.empty()) {
      const size_t dot = column.pii.find('.');
      tags.push_back({{"key", column.pii.substr(0, dot)},
                      {"value", column.pii.substr(dot + 1)},
                      {"field", column.name},
                      {"source", "steward"}});
    }
  }
  json facets = json::object();
  facets["schema"] = Facet("SchemaDatasetFacet");
  facets["schema"]["fields"] = std::move(fields);
  facets["ownership"] = Facet("OwnershipDatasetFacet");
  facets["ownership"]["owners"] = json::array();
  for (size_t i = 0; i < d.owners.size(); ++i) {
    facets["ownership"]["owners"].push_back(
        {{"name", d.owners[i]}, {"type", i == 0 ? "TEAM" : "USER"}});
  }
  facets["documentation"] = Facet("DocumentationDatasetFacet");
  facets["documentation"]["description"] = "Synthetic " + d.domain + " dataset " + d.name;
  if (!tags.empty()) {
    facets["tags"] = Facet("TagsDatasetFacet");
    facets["tags"]["tags"] = std::move(tags);
  }
  return facets;
}

json ColumnLineageFacet(const Workload& w, const WorkloadEvent& e) {
  json fields = json::object();
  for (int64_t i = e.edge_begin; i < e.edge_end; ++i) {
    const ColumnEdge& edge = (*w.edges)[i];
    const Column& source = w.column(edge.source);
    const Dataset& dataset = w.dataset(source.dataset);
    json transformation = {{"type", TypeOf(edge.kind)}, {"subtype", SubtypeOf(edge.kind)}};
    if (IsMasking(edge.kind)) transformation["masking"] = true;
    fields[w.column(edge.target).name]["inputFields"].push_back(
        {{"namespace", dataset.ns},
         {"name", dataset.name},
         {"field", source.name},
         {"transformations", json::array({transformation})}});
  }
  json facet = Facet("ColumnLineageDatasetFacet");
  facet["fields"] = std::move(fields);
  return facet;
}

// Event `index` of workload `workload_id`: a DatasetEvent for a source,
// else the COMPLETE RunEvent of the job that writes it.
std::string EventJson(const Workload& w, const WorkloadEvent& e, uint64_t workload_id, int64_t index) {
  const Dataset& output = w.dataset(e.dataset_begin);
  json target = {{"namespace", output.ns}, {"name", output.name}, {"facets", DatasetFacets(w, output)}};
  if (output.layer == Layer::kSource) {
    return json({{"eventTime", EventTime(index)},
                 {"producer", kProducer},
                 {"schemaURL", std::string(kSpec) + "#/definitions/DatasetEvent"},
                 {"dataset", std::move(target)}})
        .dump();
  }
  target["facets"]["columnLineage"] = ColumnLineageFacet(w, e);
  json inputs = json::array();
  for (int32_t input : output.inputs) {
    inputs.push_back({{"namespace", w.dataset(input).ns}, {"name", w.dataset(input).name}});
  }
  return json({{"eventType", "COMPLETE"},
               {"eventTime", EventTime(index)},
               {"producer", kProducer},
               {"schemaURL", std::string(kSpec) + "#/definitions/RunEvent"},
               {"run", {{"runId", RunId(workload_id, index)}}},
               {"job", {{"namespace", output.job_ns}, {"name", output.job_name}}},
               {"inputs", std::move(inputs)},
               {"outputs", json::array({std::move(target)})}})
      .dump();
}

}  // namespace

std::unique_ptr<Workload> CatalogWorkload(const Catalog& catalog) {
  auto w = std::make_unique<Workload>();
  w->catalog = &catalog;
  w->datasets = &catalog.datasets;
  w->columns = &catalog.columns;
  w->edges = &catalog.edges;
  for (size_t d = 0; d < catalog.datasets.size(); ++d) {
    w->events.push_back({static_cast<int32_t>(d), static_cast<int32_t>(d) + 1, catalog.edge_begin[d],
                         catalog.edge_begin[d + 1]});
    w->json.push_back(EventJson(*w, w->events.back(), 1, static_cast<int64_t>(d)));
  }
  return w;
}

std::unique_ptr<Workload> StandardWorkload(const Catalog& catalog, int count) {
  auto w = std::make_unique<Workload>();
  w->catalog = &catalog;
  w->dataset_base = static_cast<int32_t>(catalog.datasets.size());
  w->column_base = static_cast<int32_t>(catalog.columns.size());
  w->datasets = &w->own_datasets;
  w->columns = &w->own_columns;
  w->edges = &w->own_edges;
  // Inputs: catalog datasets of at least 10 columns, taken in turn.
  std::vector<int32_t> wide;
  for (size_t d = 0; d < catalog.datasets.size(); ++d) {
    if (catalog.datasets[d].column_count >= 10) wide.push_back(static_cast<int32_t>(d));
  }
  w->own_datasets.reserve(count);
  for (int i = 0; i < count; ++i) {
    const int32_t a = wide[(2 * i) % wide.size()];
    const int32_t b = wide[(2 * i + 1) % wide.size()];
    const int32_t id = w->dataset_base + i;
    char name[32];
    std::snprintf(name, sizeof name, "out_%07d", i);
    Dataset out;
    out.ns = "s3://bench-ingest";
    out.name = name;
    out.layer = Layer::kMart;
    out.depth = 12;
    out.domain = "analytics";
    out.owners = {"team-analytics"};
    out.job_ns = "bench-ingest";
    out.job_name = std::string("job_") + name;
    out.inputs = {a, b};
    out.first_column = w->column_base + static_cast<int32_t>(w->own_columns.size());
    out.column_count = 10;
    WorkloadEvent e{id, id + 1, static_cast<int64_t>(w->own_edges.size()), 0};
    for (int k = 0; k < 10; ++k) {
      const int32_t target = out.first_column + k;
      w->own_columns.push_back({id, "f" + std::to_string(k), "varchar", "", ""});
      w->own_edges.push_back({catalog.datasets[a].first_column + k, target, EdgeKind::kTransformation});
      w->own_edges.push_back({catalog.datasets[b].first_column + k, target, EdgeKind::kTransformation});
    }
    e.edge_end = static_cast<int64_t>(w->own_edges.size());
    w->events.push_back(e);
    w->own_datasets.push_back(std::move(out));
    w->json.push_back(EventJson(*w, e, 2, i));
  }
  return w;
}

std::string BatchJson(const Workload& workload, size_t begin, size_t end) {
  std::string out = "[";
  for (size_t i = begin; i < end; ++i) {
    if (i > begin) out += ',';
    out += workload.json[i];
  }
  out += ']';
  return out;
}

}  // namespace cadastre::bench
