// Request counters and latency histograms, rendered in the Prometheus text
// format at GET /metrics.
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace cadastre::api {

class Metrics {
 public:
  explicit Metrics(absl::Time started) : started_(started) {}

  // Counts one finished request.
  void Record(std::string_view transport, std::string_view method, absl::StatusCode code,
              absl::Duration elapsed);

  // The Prometheus text exposition of everything recorded.
  std::string Render() const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,    2.5};
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};
    uint64_t count = 0;
    double sum = 0;
  };

  const absl::Time started_;
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, std::string>, uint64_t> requests_;
  std::map<std::pair<std::string, std::string>, Histogram> latency_;
};

}  // namespace cadastre::api
