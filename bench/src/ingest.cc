#include "ingest.h"

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace cadastre::bench {
namespace {

using nlohmann::json;

// Runs `work(client, index)` for index in [0, count) on `clients` threads,
// each with its own keep-alive connection; collects what they report.
template <typename Work>
IngestResult RunConcurrently(const Server& server, int64_t count, int clients, const Work& work) {
  IngestResult total;
  std::mutex mu;
  std::atomic<int64_t> next{0};
  const auto started = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&] {
      auto http = server.Http();
      IngestResult mine;
      for (int64_t i = next++; i < count; i = next++) {
        const auto sent = Clock::now();
        work(*http, i, &mine);
        mine.post_ms.Add(MillisSince(sent));
        mine.requests++;
      }
      std::lock_guard<std::mutex> lock(mu);
      total.events += mine.events;
      total.edges_added += mine.edges_added;
      total.requests += mine.requests;
      total.errors += mine.errors;
      if (total.first_error.empty()) total.first_error = mine.first_error;
      total.post_ms.Append(mine.post_ms);
    });
  }
  for (auto& thread : threads) thread.join();
  total.seconds = MillisSince(started) / 1000.0;
  return total;
}

void Fail(IngestResult* r, const httplib::Result& res, const std::string& what) {
  r->errors++;
  if (r->first_error.empty()) {
    r->first_error = what + ": " + Explain(res);
  }
}

}  // namespace

json IngestResult::ToJson() const {
  return {{"events", events},           {"column_edges_added", edges_added},
          {"requests", requests},       {"errors", errors},
          {"first_error", first_error}, {"seconds", seconds},
          {"events_per_s", events_per_s()}, {"edges_per_s", edges_per_s()},
          {"post_latency", post_ms.ToJson()}};
}

bool SetUpVocabulary(const Server& server, const Catalog& catalog, std::string* error) {
  auto http = server.Http();
  auto put = [&](const std::string& path, const json& body) {
    auto res = http->Put(path, body.dump(), "application/json");
    if (res && res->status == 200) return true;
    *error = "PUT " + path + ": " + Explain(res);
    return false;
  };
  for (const std::string& tag : catalog.classifications) {
    if (!put("/api/v1/tags/" + Encode(tag),
             {{"description", "Personal data: " + tag}, {"propagate", true}})) {
      return false;
    }
  }
  for (const std::string& term : catalog.terms) {
    if (!put("/api/v1/glossary/terms/" + Encode(term),
             {{"definition", "Synthetic business term " + term}, {"status", "APPROVED"}})) {
      return false;
    }
  }
  return true;
}

IngestResult PostEvents(const Server& server, const Workload& workload, size_t begin, size_t end,
                        int clients, int batch) {
  const int64_t batches = (static_cast<int64_t>(end - begin) + batch - 1) / batch;
  return RunConcurrently(server, batches, clients, [&](httplib::Client& http, int64_t b, IngestResult* r) {
    const size_t first = begin + b * batch;
    const size_t last = std::min(end, first + batch);
    auto res = http.Post("/api/v1/lineage", BatchJson(workload, first, last), "application/json");
    if (!res || res->status != 201) return Fail(r, res, "POST /api/v1/lineage");
    const json body = json::parse(res->body, nullptr, false);
    r->events += body.value("events", 0);
    r->edges_added += body.value("columnEdgesAdded", 0);
  });
}

IngestResult PutDomainsAndTerms(const Server& server, const Catalog& catalog, int clients) {
  static const char* kTypes[] = {"DB_TABLE", "DB_TABLE", "DB_TABLE", "DB_TABLE", "DB_TABLE", "DB_TABLE", "DASHBOARD"};
  return RunConcurrently(server, catalog.datasets.size(), clients,
                         [&](httplib::Client& http, int64_t d, IngestResult* r) {
    const Dataset& dataset = catalog.datasets[d];
    json fields = json::array();
    for (int32_t c = dataset.first_column; c < dataset.first_column + dataset.column_count; ++c) {
      const Column& column = catalog.columns[c];
      json field = {{"name", column.name}, {"type", column.type}};
      if (!column.pii.empty()) field["tags"] = {column.pii};
      if (!column.term.empty()) field["glossaryTerms"] = {column.term};
      fields.push_back(std::move(field));
    }
    json owners = json::array();
    for (size_t i = 0; i < dataset.owners.size(); ++i) {
      owners.push_back({{"name", dataset.owners[i]}, {"type", i == 0 ? "TEAM" : "USER"}, {"role", "OWNER"}});
    }
    const json body = {{"type", dataset.view ? "VIEW" : kTypes[static_cast<int>(dataset.layer)]},
                       {"physicalName", dataset.name},
                       {"description", "Synthetic " + dataset.domain + " dataset " + dataset.name},
                       {"domain", dataset.domain},
                       {"owners", std::move(owners)},
                       {"fields", std::move(fields)}};
    const std::string path = "/api/v1/namespaces/" + Encode(dataset.ns) + "/datasets/" + Encode(dataset.name);
    auto res = http.Put(path, body.dump(), "application/json");
    if (!res || res->status != 200) return Fail(r, res, "PUT " + path);
    r->events++;
  });
}

}  // namespace cadastre::bench
