#include "search_and_trace.h"

#include <map>
#include <string>
#include <vector>

#include "stats.h"

namespace cadastre::bench {
namespace {

struct Query {
  std::string kind;
  std::string params;  // the query string after "?"
};

// "customers" -> "cutsomers": two neighbours swapped in the middle.
std::string Misspelt(std::string word) {
  if (word.size() >= 5) std::swap(word[2], word[3]);
  return word;
}

std::vector<Query> QueryMix(const Catalog& catalog) {
  std::vector<Query> mix;
  const size_t n = catalog.datasets.size();
  // Spread over the catalog, deterministic.
  for (size_t i = 0; i < 8; ++i) {
    const Dataset& d = catalog.datasets[(i * 7919 + 13) % n];
    mix.push_back({"exact name", "q=" + Encode(d.name)});
    const std::string last = d.name.substr(d.name.find_last_of('.') + 1);
    mix.push_back({"last segment", "q=" + Encode(last)});
    // The entity word of the name ("sales_customers_00042" -> "customers").
    std::string entity;
    for (const char* e : {"customers", "orders", "payments", "invoices", "shipments", "products",
                          "sessions", "events", "accounts", "contracts", "tickets", "employees"}) {
      if (d.name.find(e) != std::string::npos) entity = e;
    }
    if (entity.empty()) entity = "customers";
    mix.push_back({"prefix", "q=" + entity.substr(0, 3 + i % 3)});
    mix.push_back({"misspelt", "q=" + Misspelt(entity) + "%20"});
    mix.push_back({"facet filter", "q=" + entity + "&type=FIELD&tag=PII"});
    mix.push_back({"facet filter", "q=" + entity + "&domain=" + Encode(d.domain)});
    const Column& c = catalog.columns[(i * 104729 + 7) % catalog.columns.size()];
    mix.push_back({"column name", "q=" + Encode(c.name) + "&type=FIELD"});
  }
  for (const std::string& term : catalog.terms) mix.push_back({"glossary word", "q=" + Encode(term)});
  return mix;
}

}  // namespace

nlohmann::json MeasureSearch(const Server& server, const Catalog& catalog, int repeat) {
  const std::vector<Query> mix = QueryMix(catalog);
  auto http = server.Http();
  Samples all;
  std::map<std::string, Samples> by_kind;
  int errors = 0;
  std::string first_error;
  for (int round = 0; round < repeat; ++round) {
    for (const Query& query : mix) {
      const auto sent = Clock::now();
      auto res = http->Get("/api/v1/search/assets?" + query.params);
      const double ms = MillisSince(sent);
      if (!res || res->status != 200) {
        if (errors++ == 0) first_error = query.params + ": " + Explain(res);
        continue;
      }
      all.Add(ms);
      by_kind[query.kind].Add(ms);
    }
  }
  nlohmann::json out = {{"latency", all.ToJson()},
                        {"queries", mix.size()},
                        {"rounds", repeat},
                        {"errors", errors}};
  if (!first_error.empty()) out["first_error"] = first_error;
  for (const auto& [kind, samples] : by_kind) out["by_kind"][kind] = samples.ToJson();
  return out;
}

nlohmann::json MeasureGdprTraceReport(const Server& server, int runs) {
  auto http = server.Http();
  Samples latency;
  nlohmann::json out;
  for (int run = 0; run < runs; ++run) {
    const auto sent = Clock::now();
    auto res = http->Get("/api/v1/reports/trace?tag=PII");
    const double ms = MillisSince(sent);
    if (!res || res->status != 200) return {{"status", "failed: " + Explain(res)}};
    latency.Add(ms);
    if (run == 0) {
      Outline body = OutlineOf(res->body);
      out["columns"] = body.sizes["traced"];
      out["paths"] = body.sizes["paths"];
      out["truncated"] = body.scalars.value("truncated", false);
    }
  }
  out["latency"] = latency.ToJson();
  return out;
}

}  // namespace cadastre::bench
