#include "catalog.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <set>
#include <unordered_set>

namespace cadastre::bench {
namespace {

// xoshiro-style generators are not in the standard library, and the
// standard distributions differ between implementations; this one (and
// every draw below) gives the same catalog on every machine.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed ^ 0x9E3779B97F4A7C15ull) {}
  uint64_t Next() {  // splitmix64
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  int Int(int lo, int hi) { return lo + static_cast<int>(Next() % (hi - lo + 1)); }  // [lo, hi]
  bool Chance(double p) { return Uniform() < p; }
  double Normal() {
    const double u = std::max(Uniform(), 1e-12);
    return std::sqrt(-2 * std::log(u)) * std::cos(6.283185307179586 * Uniform());
  }
  // An index in [0, n) skewed towards 0: a few columns of a table are used
  // by many downstream columns (keys, dates), most by few.
  int Skewed(int n) { return static_cast<int>(static_cast<double>(n) * std::pow(Uniform(), 2.5)); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) { return v[Next() % v.size()]; }

 private:
  uint64_t state_;
};

constexpr int kDepths = 12;
// Share of datasets at each depth: source, raw, staging, curated x4,
// marts x3, reports, dashboards.
constexpr std::array<double, kDepths> kDepthShare = {0.12, 0.12, 0.12, 0.08, 0.08, 0.08,
                                                     0.08, 0.06, 0.06, 0.06, 0.07, 0.07};

Layer LayerOf(int depth) {
  if (depth == 0) return Layer::kSource;
  if (depth == 1) return Layer::kRaw;
  if (depth == 2) return Layer::kStaging;
  if (depth <= 6) return Layer::kCurated;
  if (depth <= 9) return Layer::kMart;
  return depth == 10 ? Layer::kReport : Layer::kDashboard;
}

const std::vector<std::string> kDomains = {
    "sales", "finance", "marketing", "crm",   "supply",    "hr",        "product", "support",
    "risk",  "logistics", "web",     "mobile", "billing", "inventory", "analytics", "legal"};
const std::vector<std::string> kEntities = {"customers", "orders",   "payments", "invoices",
                                            "shipments", "products", "sessions", "events",
                                            "accounts",  "contracts", "tickets", "employees"};
const std::vector<std::string> kSourceSystems = {
    "postgres://crm-db.acme.internal:5432", "mysql://orders-db.acme.internal:3306",
    "kafka://events.acme.internal:9092",    "postgres://billing-db.acme.internal:5432",
    "s3://acme-landing",                    "oracle://erp.acme.internal:1521"};
const std::vector<std::string> kPlainNames = {
    "customer_id", "order_id", "product_id", "account_id", "created_at", "updated_at",
    "amount",      "currency", "status",     "quantity",   "price",      "country",
    "region",      "channel",  "category",   "score",      "discount",   "tax",
    "total",       "note",     "is_active",  "segment",    "source",     "campaign",
    "revenue",     "cost",     "margin",     "event_type", "device",     "plan",
    "tier",        "language", "balance",    "duration_s", "rating",     "week",
    "month",       "year",     "team",       "sku"};
struct PiiName {
  const char* name;
  const char* tag;
};
constexpr PiiName kPiiNames[] = {{"email", "PII.Email"},         {"phone", "PII.Phone"},
                                 {"first_name", "PII.Name"},     {"last_name", "PII.Name"},
                                 {"birth_date", "PII.BirthDate"}, {"ssn", "PII.NationalId"},
                                 {"street_address", "PII.Address"}, {"ip_address", "PII.IpAddress"}};
const std::vector<std::string> kDerivedNames = {
    "total_amount", "order_count", "avg_basket", "revenue_eur", "active_users", "churn_rate",
    "ltv",          "margin_pct",  "net_sales",  "returns",     "conversion",   "visits",
    "first_seen",   "last_seen",   "cohort",     "rank",        "share",        "growth"};

std::string TypeFor(const std::string& name) {
  auto ends = [&](const char* suffix) {
    const std::string s(suffix);
    return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
  };
  if (name == "id" || ends("_id") || ends("_count") || name == "quantity") return "bigint";
  if (ends("_at") || ends("_date") || ends("_seen")) return "timestamp";
  if (name.find("amount") != std::string::npos || name == "price" || name == "revenue" ||
      name == "cost" || name == "balance" || name == "tax" || name == "total") {
    return "decimal(18,2)";
  }
  return "varchar";
}

// Unique column names within one dataset.
class NameSet {
 public:
  std::string Add(const std::string& base) {
    std::string name = base;
    for (int i = 2; !used_.insert(name).second; ++i) name = base + "_" + std::to_string(i);
    return name;
  }

 private:
  std::unordered_set<std::string> used_;
};

// FNV-1a: std::hash differs between standard libraries.
uint64_t Fnv(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::string Padded(int i) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%05d", i);
  return buffer;
}

class Generator {
 public:
  Generator(const Scale& scale, uint64_t seed) : rng_(seed) {
    catalog_.scale = scale;
    catalog_.seed = seed;
  }

  Catalog Run() {
    PlanDatasets();
    for (size_t d = 0; d < catalog_.datasets.size(); ++d) BuildColumns(static_cast<int32_t>(d));
    AddViewCycles();
    Finish();
    return std::move(catalog_);
  }

 private:
  void PlanDatasets() {
    const int total = catalog_.scale.datasets;
    int assigned = 0;
    for (int depth = 0; depth < kDepths; ++depth) {
      int count = depth + 1 == kDepths ? total - assigned
                                       : static_cast<int>(std::lround(kDepthShare[depth] * total));
      count = std::max(count, 1);
      for (int i = 0; i < count; ++i) PlanDataset(depth, i);
      assigned += count;
    }
    catalog_.terms.reserve(std::max(20, total / 50));
    for (int i = 0; i < std::max(20, total / 50); ++i) {
      catalog_.terms.push_back("Term" + Padded(i));
    }
  }

  void PlanDataset(int depth, int i) {
    Dataset d;
    d.depth = depth;
    d.layer = LayerOf(depth);
    const int32_t id = static_cast<int32_t>(catalog_.datasets.size());
    const std::string& entity = rng_.Pick(kEntities);
    by_depth_[depth].push_back(id);
    switch (d.layer) {
      case Layer::kSource:
        d.domain = rng_.Pick(kDomains);
        d.ns = kSourceSystems[Fnv(d.domain) % kSourceSystems.size()];
        d.name = d.domain + ".public." + entity + "_" + Padded(i);
        break;
      case Layer::kRaw: {
        const auto& sources = by_depth_[0];
        d.inputs = {sources[i % sources.size()]};
        const Dataset& source = catalog_.datasets[d.inputs[0]];
        d.domain = source.domain;
        d.ns = "s3://acme-lake-raw";
        d.name = "raw." + source.name;
        d.job_ns = "spark";
        d.job_name = "ingest." + source.name;
        break;
      }
      default: {
        PickInputs(depth, i, &d.inputs);
        d.domain = rng_.Chance(0.8) ? catalog_.datasets[d.inputs[0]].domain : rng_.Pick(kDomains);
        static const char* kPrefix[] = {"", "", "stg.", "curated.", "mart.", "report.", "dashboard."};
        d.name = kPrefix[static_cast<int>(d.layer)] + d.domain + "_" + entity + "_" + Padded(id);
        d.ns = d.layer == Layer::kDashboard ? "superset://bi.acme.internal"
                                            : "snowflake://acme.eu-west-1";
        d.job_ns = d.layer == Layer::kReport ? "airflow" : d.layer == Layer::kDashboard ? "superset" : "dbt";
        d.job_name = "build." + d.name;
        // The first curated datasets are the conformed dimensions.
        if (depth == 3 && i < 3) {
          static const char* kDims[] = {"dim_customer", "dim_date", "dim_product"};
          d.name = std::string("curated.") + kDims[i];
          d.job_name = "build." + d.name;
          d.domain = "analytics";
          hubs_.push_back(id);
        }
        if (depth >= 4 && !hubs_.empty()) {
          for (int32_t hub : hubs_) {
            if (rng_.Chance(0.25)) d.inputs.push_back(hub);
          }
        }
        std::sort(d.inputs.begin(), d.inputs.end());
        d.inputs.erase(std::unique(d.inputs.begin(), d.inputs.end()), d.inputs.end());
      }
    }
    d.owners = {"team-" + d.domain,
                "user" + Padded(static_cast<int>(rng_.Next() % std::max(50, catalog_.scale.datasets / 20)))};
    catalog_.datasets.push_back(std::move(d));
  }

  // Primary input from the layer just below; the rest from lower layers.
  void PickInputs(int depth, int i, std::vector<int32_t>* inputs) {
    int lo = 1, hi = depth - 1, fan_lo = 1, fan_hi = 2;
    switch (LayerOf(depth)) {
      case Layer::kStaging: lo = 1; break;
      case Layer::kCurated: lo = 2; fan_hi = 4; break;
      case Layer::kMart: lo = 3; fan_lo = 2; fan_hi = 5; break;
      case Layer::kReport: lo = 7; fan_hi = 3; break;
      default: lo = 7; fan_hi = 3; break;
    }
    const auto& below = by_depth_[depth - 1];
    inputs->push_back(below[i % below.size()]);
    const int fan = rng_.Int(fan_lo, fan_hi);
    for (int k = 1; k < fan; ++k) inputs->push_back(rng_.Pick(by_depth_[rng_.Int(lo, hi)]));
  }

  void BuildColumns(int32_t id) {
    Dataset& d = catalog_.datasets[id];
    d.first_column = static_cast<int32_t>(catalog_.columns.size());
    NameSet names;
    if (d.layer == Layer::kSource) {
      const int n = ColumnCount();
      for (int j = 0; j < n; ++j) {
        Column c{id, "", "", "", ""};
        if (j == 0) {
          c.name = names.Add("id");
        } else if (rng_.Chance(0.22)) {
          const PiiName& pii = kPiiNames[rng_.Next() % std::size(kPiiNames)];
          c.name = names.Add(pii.name);
          c.pii = pii.tag;
        } else {
          c.name = names.Add(rng_.Pick(kPlainNames));
        }
        AddColumn(std::move(c));
      }
    } else if (d.layer == Layer::kRaw) {
      // A raw copy: the same columns, classified like the source.
      const Dataset& source = catalog_.datasets[d.inputs[0]];
      for (int j = 0; j < source.column_count; ++j) {
        const Column src = catalog_.columns[source.first_column + j];
        const int32_t target = AddColumn({id, names.Add(src.name), src.type, src.pii, ""});
        pending_.push_back({source.first_column + j, target, EdgeKind::kIdentity});
      }
    } else {
      BuildDerivedColumns(id, names);
    }
    d.column_count = static_cast<int32_t>(catalog_.columns.size()) - d.first_column;
    edges_by_dataset_.push_back(std::move(pending_));
    pending_.clear();
  }

  void BuildDerivedColumns(int32_t id, NameSet& names) {
    const Dataset d = catalog_.datasets[id];
    std::vector<int32_t> hubs_joined;
    std::vector<int32_t> sources;  // inputs other than the hubs
    for (int32_t input : d.inputs) {
      (std::find(hubs_.begin(), hubs_.end(), input) != hubs_.end() && d.depth > 3 ? hubs_joined
                                                                                : sources)
          .push_back(input);
    }
    if (sources.empty()) sources = hubs_joined;
    auto column_of = [&](int32_t dataset) {
      const Dataset& in = catalog_.datasets[dataset];
      return in.first_column + rng_.Skewed(in.column_count);
    };
    const int n = ColumnCount();
    for (int j = 0; j < n; ++j) {
      const double roll = rng_.Uniform();
      std::vector<std::pair<int32_t, EdgeKind>> from;
      std::string name;
      std::string pii;
      if (roll < 0.55 || j == 0) {
        const int32_t src = column_of(rng_.Pick(sources));
        const Column& s = catalog_.columns[src];
        if (!s.pii.empty() && rng_.Chance(0.15)) {
          from.push_back({src, EdgeKind::kMasked});
          name = s.name + "_hash";
        } else {
          from.push_back({src, EdgeKind::kIdentity});
          name = s.name;
          // Stewards classified some copies by hand; the rest is what the
          // personal-data report must find.
          if (!s.pii.empty() && rng_.Chance(0.15)) pii = s.pii;
        }
      } else {
        const bool aggregate = roll >= 0.85;
        const int fan = aggregate ? rng_.Int(3, 12) : rng_.Int(2, 5);
        for (int k = 0; k < fan; ++k) {
          from.push_back({column_of(rng_.Pick(sources)),
                          aggregate ? EdgeKind::kAggregation : EdgeKind::kTransformation});
        }
        name = rng_.Pick(kDerivedNames);
      }
      if (rng_.Chance(0.3)) {
        const Dataset& in = catalog_.datasets[rng_.Pick(sources)];
        from.push_back({in.first_column, EdgeKind::kFilter});
      }
      for (int32_t hub : hubs_joined) {
        if (rng_.Chance(0.6)) from.push_back({catalog_.datasets[hub].first_column, EdgeKind::kJoin});
      }
      // A conformed dimension's first column is its key.
      if (j == 0 && std::find(hubs_.begin(), hubs_.end(), id) != hubs_.end()) {
        name = d.name.substr(d.name.find("dim_") + 4) + "_key";
      }
      Column c{id, names.Add(name), "", pii, ""};
      const int32_t target = AddColumn(std::move(c));
      std::set<int32_t> seen;
      for (const auto& [src, kind] : from) {
        if (seen.insert(src).second) pending_.push_back({src, target, kind});
      }
    }
  }

  int ColumnCount() {
    return std::clamp(static_cast<int>(std::lround(std::exp(2.85 + 0.6 * rng_.Normal()))), 2, 400);
  }

  int32_t AddColumn(Column c) {
    if (c.type.empty()) c.type = TypeFor(c.name);
    // About 3% of columns are linked to a glossary term, chosen by name so
    // that the same concept links the same term.
    if (rng_.Chance(0.03)) {
      c.term = catalog_.terms[Fnv(c.name) % catalog_.terms.size()];
    }
    catalog_.columns.push_back(std::move(c));
    return static_cast<int32_t>(catalog_.columns.size() - 1);
  }

  // Pairs of curated views that read each other: column lineage cycles.
  void AddViewCycles() {
    std::vector<int32_t> curated;
    for (int depth = 4; depth <= 6; ++depth) {
      curated.insert(curated.end(), by_depth_[depth].begin(), by_depth_[depth].end());
    }
    const int pairs = std::max(1, catalog_.scale.datasets / 200);
    for (int p = 0; p < pairs && curated.size() >= 2; ++p) {
      const int32_t a = rng_.Pick(curated);
      const int32_t b = rng_.Pick(curated);
      if (a == b) continue;
      for (auto [x, y] : {std::pair{a, b}, std::pair{b, a}}) {
        Dataset& target = catalog_.datasets[x];
        const Dataset& source = catalog_.datasets[y];
        target.view = true;
        if (std::find(target.inputs.begin(), target.inputs.end(), y) == target.inputs.end()) {
          target.inputs.push_back(y);
        }
        const int32_t to = target.first_column + target.column_count - 1;
        auto& edges = edges_by_dataset_[x];
        const bool known = std::any_of(edges.begin(), edges.end(), [&](const ColumnEdge& e) {
          return e.source == source.first_column && e.target == to;
        });
        if (!known) edges.push_back({source.first_column, to, EdgeKind::kTransformation});
      }
    }
  }

  void Finish() {
    catalog_.edge_begin.push_back(0);
    for (auto& edges : edges_by_dataset_) {
      catalog_.edges.insert(catalog_.edges.end(), edges.begin(), edges.end());
      catalog_.edge_begin.push_back(static_cast<int64_t>(catalog_.edges.size()));
    }
    std::set<std::string> tags;
    for (const Column& c : catalog_.columns) {
      if (!c.pii.empty()) tags.insert(c.pii);
    }
    catalog_.classifications.assign(tags.begin(), tags.end());
    for (int32_t hub : hubs_) catalog_.hub_columns.push_back(catalog_.datasets[hub].first_column);
  }

  Rng rng_;
  Catalog catalog_;
  std::array<std::vector<int32_t>, kDepths> by_depth_;
  std::vector<int32_t> hubs_;
  std::vector<ColumnEdge> pending_;
  std::vector<std::vector<ColumnEdge>> edges_by_dataset_;
};

}  // namespace

bool ParseScale(const std::string& name, Scale* out) {
  if (name == "XS") *out = {"XS", 200};
  else if (name == "S") *out = {"S", 1000};
  else if (name == "M") *out = {"M", 10000};
  else if (name == "L") *out = {"L", 100000};
  else return false;
  return true;
}

const char* TypeOf(EdgeKind kind) {
  return kind == EdgeKind::kFilter || kind == EdgeKind::kJoin ? "INDIRECT" : "DIRECT";
}

const char* SubtypeOf(EdgeKind kind) {
  switch (kind) {
    case EdgeKind::kIdentity: return "IDENTITY";
    case EdgeKind::kTransformation: return "TRANSFORMATION";
    case EdgeKind::kAggregation: return "AGGREGATION";
    case EdgeKind::kMasked: return "TRANSFORMATION";
    case EdgeKind::kFilter: return "FILTER";
    case EdgeKind::kJoin: return "JOIN";
  }
  return "";
}

bool IsMasking(EdgeKind kind) { return kind == EdgeKind::kMasked; }

size_t Catalog::pii_columns() const {
  return std::count_if(columns.begin(), columns.end(), [](const Column& c) { return !c.pii.empty(); });
}

Catalog Generate(const Scale& scale, uint64_t seed) { return Generator(scale, seed).Run(); }

}  // namespace cadastre::bench
