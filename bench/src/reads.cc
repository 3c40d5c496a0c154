#include "reads.h"

#include <mutex>
#include <thread>
#include <vector>

#include "cadastre/v1/catalog.grpc.pb.h"

namespace cadastre::bench {

ThroughputResult GetDatasets(const Server& server, const Catalog& catalog, Transport transport,
                             int clients, double seconds) {
  ThroughputResult total;
  std::mutex mu;
  const auto started = Clock::now();
  const auto deadline = started + std::chrono::duration<double>(seconds);
  const size_t n = catalog.datasets.size();
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      ThroughputResult mine;
      auto http = server.Http();
      auto stub = v1::CatalogService::NewStub(server.Channel());
      size_t k = static_cast<size_t>(t) * 7919;
      while (Clock::now() < deadline) {
        const Dataset& d = catalog.datasets[(k = k * 2862933555777941757ull + 3037000493ull) % n];
        const auto sent = Clock::now();
        bool ok;
        std::string what;
        if (transport == Transport::kRest) {
          auto res = http->Get("/api/v1/namespaces/" + Encode(d.ns) + "/datasets/" + Encode(d.name));
          ok = res && res->status == 200;
          if (!ok) what = Explain(res);
        } else {
          grpc::ClientContext context;
          server.Authorize(&context);
          v1::GetDatasetRequest request;
          request.set_namespace_(d.ns);
          request.set_name(d.name);
          v1::Dataset response;
          grpc::Status status = stub->GetDataset(&context, request, &response);
          ok = status.ok();
          if (!ok) what = status.error_message();
        }
        mine.latency.Add(MillisSince(sent));
        if (ok) {
          mine.requests++;
        } else if (mine.errors++ == 0) {
          mine.first_error = "GetDataset " + d.ns + "/" + d.name + ": " + what;
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      total.requests += mine.requests;
      total.errors += mine.errors;
      if (total.first_error.empty()) total.first_error = mine.first_error;
      total.latency.Append(mine.latency);
    });
  }
  for (auto& thread : threads) thread.join();
  total.seconds = MillisSince(started) / 1000.0;
  return total;
}

ReportResult PersonalDataLeaks(const Server& server, int runs) {
  ReportResult out;
  auto http = server.Http();
  for (int run = 0; run < runs; ++run) {
    const auto sent = Clock::now();
    auto res = http->Get("/api/v1/lineage/personal-data-leaks?tag=PII");
    const double ms = MillisSince(sent);
    if (!res || res->status != 200) {
      out.error = Explain(res);
      return out;
    }
    out.latency.Add(ms);
    if (run == 0) {
      out.leaks = static_cast<int>(OutlineOf(res->body).sizes["leaks"]);
    }
  }
  return out;
}

}  // namespace cadastre::bench
