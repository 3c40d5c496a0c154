#include "lineage.h"

#include <algorithm>
#include <set>

#include "cadastre/v1/lineage.grpc.pb.h"

namespace cadastre::bench {
namespace {

using nlohmann::json;

std::string GraphPath(const Catalog& catalog, const Question& q) {
  const Column& column = catalog.columns[q.column];
  const Dataset& dataset = catalog.datasets[column.dataset];
  return "/api/v1/lineage/graph?namespace=" + Encode(dataset.ns) + "&dataset=" + Encode(dataset.name) +
         "&field=" + Encode(column.name) + "&direction=" + (q.downstream ? "DOWNSTREAM" : "UPSTREAM") +
         "&depth=" + std::to_string(q.depth) + "&granularity=COLUMN&maxNodes=" + std::to_string(kMaxNodes);
}

}  // namespace

std::vector<Question> MakeQuestions(const Catalog& catalog, const Csr& csr, int random,
                                    int marquez_random, uint64_t seed) {
  std::vector<std::pair<int32_t, bool>> columns;
  for (int32_t hub : catalog.hub_columns) columns.push_back({hub, true});
  std::set<int32_t> chosen(catalog.hub_columns.begin(), catalog.hub_columns.end());
  uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
  const int32_t n = static_cast<int32_t>(catalog.columns.size());
  for (int attempts = 0; static_cast<int>(columns.size()) < random + static_cast<int>(catalog.hub_columns.size()) &&
                         attempts < 100000; ++attempts) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const int32_t c = static_cast<int32_t>((state >> 33) % n);
    if (csr.Degree(c, true) > 0 && csr.Degree(c, false) > 0 && chosen.insert(c).second) {
      columns.push_back({c, false});
    }
  }
  std::vector<Question> out;
  for (bool downstream : {true, false}) {
    for (int depth : kDepths) {
      for (size_t i = 0; i < columns.size(); ++i) {
        const bool marquez = i < catalog.hub_columns.size() + static_cast<size_t>(marquez_random);
        out.push_back({columns[i].first, downstream, depth, columns[i].second, marquez});
      }
    }
  }
  return out;
}

bool AskRest(const Server& server, const Catalog& catalog, const std::vector<Question>& questions,
             int reps, std::vector<Answers>* answers, std::string* error) {
  auto http = server.Http();
  for (size_t i = 0; i < questions.size(); ++i) {
    const std::string path = GraphPath(catalog, questions[i]);
    for (int rep = 0; rep <= reps; ++rep) {
      const auto sent = Clock::now();
      auto res = http->Get(path);
      const double ms = MillisSince(sent);
      if (!res || res->status != 200) {
        *error = "GET " + path + ": " + Explain(res);
        return false;
      }
      if (rep == 0) {  // the warm-up answer is the one inspected
        const json body = json::parse(res->body, nullptr, false);
        (*answers)[i].rest_nodes = body.contains("nodes") ? static_cast<int>(body["nodes"].size()) : 0;
        (*answers)[i].truncated = body.value("truncated", false);
        continue;
      }
      (*answers)[i].rest.Add(ms);
    }
  }
  return true;
}

bool AskGrpc(const Server& server, const Catalog& catalog, const std::vector<Question>& questions,
             int reps, std::vector<Answers>* answers, std::string* error) {
  auto stub = v1::LineageService::NewStub(server.Channel());
  for (size_t i = 0; i < questions.size(); ++i) {
    const Question& q = questions[i];
    const Column& column = catalog.columns[q.column];
    v1::GetLineageRequest request;
    request.set_namespace_(catalog.datasets[column.dataset].ns);
    request.set_dataset(catalog.datasets[column.dataset].name);
    request.set_field(column.name);
    request.set_direction(q.downstream ? v1::DOWNSTREAM : v1::UPSTREAM);
    request.set_depth(q.depth);
    request.set_granularity(v1::COLUMN);
    request.set_max_nodes(kMaxNodes);
    for (int rep = 0; rep <= reps; ++rep) {
      grpc::ClientContext context;
      server.Authorize(&context);
      v1::GetLineageResponse response;
      const auto sent = Clock::now();
      grpc::Status status = stub->GetLineage(&context, request, &response);
      const double ms = MillisSince(sent);
      if (!status.ok()) {
        *error = "gRPC GetLineage: " + status.error_message();
        return false;
      }
      if (rep == 0) {
        (*answers)[i].grpc_nodes = response.nodes_size();
      } else {
        (*answers)[i].grpc.Add(ms);
      }
    }
  }
  return true;
}

void AskCsr(Csr& csr, const std::vector<Question>& questions, int reps, std::vector<Answers>* answers) {
  for (size_t i = 0; i < questions.size(); ++i) {
    const Question& q = questions[i];
    (*answers)[i].csr_nodes = csr.Walk(q.column, q.downstream, q.depth, kMaxNodes);
    for (int rep = 0; rep < reps; ++rep) {
      const auto started = Clock::now();
      csr.Walk(q.column, q.downstream, q.depth, kMaxNodes);
      (*answers)[i].csr.Add(MillisSince(started));
    }
  }
}

bool AskMarquez(MarquezBaseline& pg, const std::vector<Question>& questions, int reps,
                std::vector<Answers>* answers, std::string* error) {
  // Questions are ordered by depth within each (direction, column).
  std::set<std::pair<int32_t, bool>> timed_out;
  for (size_t i = 0; i < questions.size(); ++i) {
    const Question& q = questions[i];
    Answers& a = (*answers)[i];
    if (!q.ask_marquez) continue;
    if (timed_out.count({q.column, q.downstream})) {
      a.marquez_skipped = true;
      a.marquez_timeouts = reps;
      for (int rep = 0; rep < reps; ++rep) a.marquez.Add(pg.timeout_ms());
      continue;
    }
    for (int rep = 0; rep < reps; ++rep) {
      int rows = 0;
      const double ms = pg.Query(q.column, q.downstream, q.depth, &rows, error);
      if (ms < 0 && !error->empty()) return false;
      if (ms < 0) {
        // A timed-out query would time out again: count the rest too.
        a.marquez_timeouts += reps - rep;
        for (; rep < reps; ++rep) a.marquez.Add(pg.timeout_ms());
        timed_out.insert({q.column, q.downstream});
        break;
      }
      a.marquez_rows = rows;
      a.marquez.Add(ms);
    }
  }
  return true;
}

json Summarize(const std::vector<Question>& questions, const std::vector<Answers>& answers,
               const Catalog& catalog) {
  json rows = json::array();
  for (bool downstream : {true, false}) {
    for (int depth : kDepths) {
      for (bool hubs_only : {false, true}) {
        Answers all;
        int questions_n = 0, mismatches = 0, truncated = 0;
        std::vector<int> nodes;
        std::vector<double> marquez_ratio, rest_csr_ratio, grpc_csr_ratio;
        for (size_t i = 0; i < questions.size(); ++i) {
          const Question& q = questions[i];
          if (q.downstream != downstream || q.depth != depth || (hubs_only && !q.hub)) continue;
          const Answers& a = answers[i];
          ++questions_n;
          all.rest.Append(a.rest);
          all.grpc.Append(a.grpc);
          all.csr.Append(a.csr);
          all.marquez.Append(a.marquez);
          all.marquez_timeouts += a.marquez_timeouts;
          nodes.push_back(a.rest_nodes);
          truncated += a.truncated;
          if (!a.marquez.empty()) marquez_ratio.push_back(a.marquez.p50() / a.rest.p50());
          rest_csr_ratio.push_back(a.rest.p50() / std::max(a.csr.p50(), 1e-6));
          grpc_csr_ratio.push_back(a.grpc.p50() / std::max(a.csr.p50(), 1e-6));
          // The server and the in-memory walk must reach the same columns.
          if (a.rest_nodes != a.csr_nodes || a.grpc_nodes != a.rest_nodes) ++mismatches;
        }
        std::sort(nodes.begin(), nodes.end());
        json row = {{"direction", downstream ? "downstream" : "upstream"},
                    {"depth", depth == kUnboundedDepth ? json("unbounded") : json(depth)},
                    {"columns", hubs_only ? "hubs" : "all"},
                    {"questions", questions_n},
                    {"nodes_median", nodes.empty() ? 0 : nodes[nodes.size() / 2]},
                    {"nodes_max", nodes.empty() ? 0 : nodes.back()},
                    {"truncated", truncated},
                    {"node_count_mismatches", mismatches},
                    {"rest", all.rest.ToJson()},
                    {"grpc", all.grpc.ToJson()},
                    {"in_memory_csr", all.csr.ToJson()},
                    {"marquez", all.marquez.ToJson()},
                    {"marquez_timeouts", all.marquez_timeouts},
                    {"marquez_over_rest_median", Median(marquez_ratio)},
                    {"rest_over_csr_median", Median(rest_csr_ratio)},
                    {"grpc_over_csr_median", Median(grpc_csr_ratio)}};
        rows.push_back(std::move(row));
      }
    }
  }
  json hubs = json::array();
  for (int32_t hub : catalog.hub_columns) {
    const Column& c = catalog.columns[hub];
    hubs.push_back(catalog.datasets[c.dataset].name + "." + c.name);
  }
  return {{"unbounded_depth", kUnboundedDepth}, {"max_nodes", kMaxNodes}, {"hub_columns", hubs}, {"rows", rows}};
}

}  // namespace cadastre::bench
