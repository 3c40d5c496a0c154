#include "server/api/metrics.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace cadastre::api {

void Metrics::Record(std::string_view transport, std::string_view method, absl::StatusCode code,
                     absl::Duration elapsed) {
  const double seconds = absl::ToDoubleSeconds(elapsed);
  std::lock_guard<std::mutex> lock(mu_);
  requests_[{std::string(transport), std::string(method), absl::StatusCodeToString(code)}]++;
  Histogram& h = latency_[{std::string(transport), std::string(method)}];
  for (size_t i = 0; i < kBuckets.size(); i++) {
    if (seconds <= kBuckets[i]) h.counts[i]++;
  }
  h.count++;
  h.sum += seconds;
}

std::string Metrics::Render() const {
  std::string out;
  absl::StrAppend(&out,
                  "# HELP cadastre_start_time_seconds Unix time the server started.\n"
                  "# TYPE cadastre_start_time_seconds gauge\n",
                  absl::StrFormat("cadastre_start_time_seconds %.3f\n", absl::ToUnixMicros(started_) / 1e6),
                  "# HELP cadastre_requests_total Requests answered, by transport, method and code.\n"
                  "# TYPE cadastre_requests_total counter\n");
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, count] : requests_) {
    const auto& [transport, method, code] = key;
    absl::StrAppend(&out, "cadastre_requests_total{transport=\"", transport, "\",method=\"",
                    method, "\",code=\"", code, "\"} ", count, "\n");
  }
  absl::StrAppend(&out,
                  "# HELP cadastre_request_duration_seconds Time to answer a request.\n"
                  "# TYPE cadastre_request_duration_seconds histogram\n");
  for (const auto& [key, h] : latency_) {
    const std::string labels =
        absl::StrCat("transport=\"", key.first, "\",method=\"", key.second, "\"");
    for (size_t i = 0; i < kBuckets.size(); i++) {
      absl::StrAppend(&out, "cadastre_request_duration_seconds_bucket{", labels, ",le=\"",
                      kBuckets[i], "\"} ", h.counts[i], "\n");
    }
    absl::StrAppend(&out, "cadastre_request_duration_seconds_bucket{", labels, ",le=\"+Inf\"} ",
                    h.count, "\n", "cadastre_request_duration_seconds_sum{", labels, "} ",
                    absl::StrFormat("%.6f", h.sum), "\n", "cadastre_request_duration_seconds_count{",
                    labels, "} ", h.count, "\n");
  }
  return out;
}

}  // namespace cadastre::api
