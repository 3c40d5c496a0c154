// OpenLineage events made from the synthetic catalog, and what each event
// writes, so the raw SQLite limit can insert the same rows.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "catalog.h"

namespace cadastre::bench {

// Event i declares datasets [dataset_begin, dataset_end) (with their
// columns) and the edges [edge_begin, edge_end) of the workload's tables.
struct WorkloadEvent {
  int32_t dataset_begin = 0, dataset_end = 0;
  int64_t edge_begin = 0, edge_end = 0;
};

// Ids of datasets and columns are global: a workload that extends the
// catalog numbers its own from the catalog's sizes on, and the ids below
// those are the catalog's.
struct Workload {
  const Catalog* catalog = nullptr;
  std::vector<std::string> json;  // one OpenLineage event each
  std::vector<WorkloadEvent> events;
  const std::vector<Dataset>* datasets = nullptr;  // the ones the events declare
  const std::vector<Column>* columns = nullptr;
  const std::vector<ColumnEdge>* edges = nullptr;
  int32_t dataset_base = 0;  // id of (*datasets)[0]
  int32_t column_base = 0;   // id of (*columns)[0]

  // Storage for a workload that declares datasets of its own.
  std::vector<Dataset> own_datasets;
  std::vector<Column> own_columns;
  std::vector<ColumnEdge> own_edges;

  const Dataset& dataset(int32_t id) const {
    return id < dataset_base ? catalog->datasets[id] : (*datasets)[id - dataset_base];
  }
  const Column& column(int32_t id) const {
    return id < column_base ? catalog->columns[id] : (*columns)[id - column_base];
  }
  int64_t edge_count() const { return static_cast<int64_t>(edges->size()); }
};

// The whole catalog: a DatasetEvent per source (schema, owners,
// documentation, PII tags) and a COMPLETE RunEvent per job (inputs, the
// output's schema, owners, tags and columnLineage), in dataset order.
std::unique_ptr<Workload> CatalogWorkload(const Catalog& catalog);

// `count` events of the ingestion target's shape: a new job writes a new
// dataset of 10 columns, each from 2 input columns of two catalog datasets
// (20 new column edges per event).
std::unique_ptr<Workload> StandardWorkload(const Catalog& catalog, int count);

// A JSON array of events [begin, end).
std::string BatchJson(const Workload& workload, size_t begin, size_t end);

}  // namespace cadastre::bench
