// Latency samples and the figures the report prints from them.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace cadastre::bench {

using Clock = std::chrono::steady_clock;

inline double MillisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Latencies in milliseconds. Percentiles use the nearest-rank method, so a
// p99 over fewer than 100 samples is the maximum.
class Samples {
 public:
  void Add(double ms) { values_.push_back(ms); }
  void Append(const Samples& other);
  size_t count() const { return values_.size(); }
  bool empty() const { return values_.empty(); }
  double Percentile(double p) const;  // 0 when empty
  double p50() const { return Percentile(50); }
  double p99() const { return Percentile(99); }
  double Max() const;

  // {"count", "p50_ms", "p99_ms", "max_ms"}
  nlohmann::json ToJson() const;

 private:
  std::vector<double> values_;
};

// The median of a few repeated measurements (e.g. req/s of three runs).
double Median(std::vector<double> values);

}  // namespace cadastre::bench
