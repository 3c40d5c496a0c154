#include "report.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

namespace cadastre::bench {
namespace {

using nlohmann::json;

std::string Fixed(double v, int digits = 1) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, v);
  return buffer;
}

// Few significant digits: 0.0123, 1.23, 123, 12,345.
std::string Num(double v) {
  if (v == 0) return "0";
  if (v < 0.0001) return "<0.0001";
  if (v < 1000 && v == static_cast<double>(static_cast<long long>(v))) return Fixed(v, 0);
  if (v < 0.1) return Fixed(v, 4);
  if (v < 10) return Fixed(v, 2);
  if (v < 1000) return Fixed(v, 1);
  std::string digits = std::to_string(static_cast<long long>(v + 0.5));
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
  return digits;
}

std::string FirstLine(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) {
      const size_t colon = line.find(':');
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      return value;
    }
  }
  return "";
}

bool Has(const json& j, const char* key) { return j.is_object() && j.contains(key) && !j[key].is_null(); }
bool Built(const json& j) { return j.is_object() && !j.contains("status"); }

const json* LineageRow(const json& r, const char* direction, const json& depth, const char* columns) {
  if (!Has(r, "lineage") || !Has(r["lineage"], "rows")) return nullptr;
  for (const json& row : r["lineage"]["rows"]) {
    if (row["direction"] == direction && row["depth"] == depth && row["columns"] == columns) return &row;
  }
  return nullptr;
}

std::string PctPair(const json& s) {
  if (!s.is_object() || s.value("count", 0) == 0) return "–";
  return Num(s["p50_ms"].get<double>()) + " / " + Num(s["p99_ms"].get<double>());
}

json Target(const std::string& name, const std::string& goal, const std::string& measured,
            const std::string& status, const std::string& note = "") {
  return {{"name", name}, {"goal", goal}, {"measured", measured}, {"status", status}, {"note", note}};
}

std::string MetOrMissed(bool met) { return met ? "met" : "MISSED"; }

}  // namespace

json NotBuilt(const std::string& why) { return {{"status", why}}; }

json DescribeMachine() {
  utsname u{};
  uname(&u);
  double load[3] = {0, 0, 0};
  std::ifstream("/proc/loadavg") >> load[0] >> load[1] >> load[2];
  const std::string mem = FirstLine("/proc/meminfo", "MemTotal");
  return {{"cpu", FirstLine("/proc/cpuinfo", "model name")},
          {"cores", std::thread::hardware_concurrency()},
          {"memory_mib", mem.empty() ? 0 : std::stoll(mem) / 1024},
          {"kernel", std::string(u.sysname) + " " + u.release},
          {"loadavg_1m", load[0]}};
}

void JudgeTargets(json& r) {
  const std::string scale = r["run"]["scale"];
  const std::string at_l = scale == "L" ? "" : "target is for L; measured at " + scale;
  json targets = json::array();

  // Lineage at depth 10, both directions, all sampled columns.
  const json* down = LineageRow(r, "downstream", 10, "all");
  const json* up = LineageRow(r, "upstream", 10, "all");
  if (down && up) {
    // Both directions; the worse one counts.
    auto worst = [&](const char* a, const char* b, bool max) {
      const double x = (*down)[a][b].get<double>(), y = (*up)[a][b].get<double>();
      return max ? std::max(x, y) : std::min(x, y);
    };
    auto worst_of = [&](const char* key, bool max) {
      const double x = (*down)[key].get<double>(), y = (*up)[key].get<double>();
      return max ? std::max(x, y) : std::min(x, y);
    };
    for (const auto& [key, label] : {std::pair{"rest", "REST"}, std::pair{"grpc", "gRPC"}}) {
      const double p99 = worst(key, "p99_ms", true);
      targets.push_back(Target(std::string("lineage depth 10 p99 (") + label + ")", "<= 10 ms", Num(p99) + " ms",
                               MetOrMissed(p99 <= 10), at_l));
    }
    // Same question to both, p50 against p50; the median over questions.
    const bool have_marquez = (*down)["marquez"]["count"].get<int>() > 0 && (*up)["marquez"]["count"].get<int>() > 0;
    const bool lower_bound = (*down)["marquez_timeouts"].get<int>() + (*up)["marquez_timeouts"].get<int>() > 0;
    const double marquez = worst_of("marquez_over_rest_median", false);
    if (have_marquez) {
      targets.push_back(Target("lineage depth 10 vs Marquez-style (REST)", ">= 20x faster",
                               (lower_bound ? ">= " : "") + Num(marquez) + "x", MetOrMissed(marquez >= 20),
                               std::string("median over the same questions, p50 vs p50") +
                                   (lower_bound ? "; Marquez timeouts count at the timeout, so a lower bound" : "")));
    } else {
      targets.push_back(Target("lineage depth 10 vs Marquez-style (REST)", ">= 20x faster", "–", "not measured",
                               "PostgreSQL not given (--pg)"));
    }
    for (const auto& [key, label] : {std::pair{"rest_over_csr_median", "REST"}, std::pair{"grpc_over_csr_median", "gRPC"}}) {
      const double csr = worst_of(key, true);
      targets.push_back(Target(std::string("lineage depth 10 vs in-memory CSR (") + label + ")", "<= 3x",
                               Num(csr) + "x", MetOrMissed(csr <= 3),
                               "median over the same questions; the server's time includes the network, names and encoding"));
    }
  }

  const json& ingest = r["ingest"];
  if (Has(ingest, "standard")) {
    const double eps = ingest["standard"]["events_per_s"];
    targets.push_back(Target("ingestion, 10 fields x 2 inputs, durable", ">= 5,000 events/s",
                             Num(eps) + " events/s", MetOrMissed(eps >= 5000),
                             "batches of " + std::to_string(r["run"]["batch"].get<int>()) + " events, " +
                                 std::to_string(r["run"]["clients"].get<int>()) + " clients"));
    if (Has(ingest, "sqlite_limit") && Has(ingest["sqlite_limit"], "standard")) {
      const double limit = ingest["sqlite_limit"]["standard"]["events_per_s"];
      const double share = limit > 0 ? eps / limit : 0;
      targets.push_back(Target("ingestion vs raw SQLite limit", ">= 50%", Num(100 * share) + "%",
                               MetOrMissed(share >= 0.5), "limit: " + Num(limit) + " events/s"));
    }
  }

  const json& search = r["search"];
  targets.push_back(Built(search) ? Target("search p99", "<= 15 ms", Num(search["latency"]["p99_ms"]) + " ms",
                                           MetOrMissed(search["latency"]["p99_ms"].get<double>() <= 15), at_l)
                                  : Target("search p99", "<= 15 ms", "–", search["status"]));

  const json& reads = r["point_reads"];
  for (const auto& [key, goal, label] :
       {std::tuple{"rest", 10000.0, "GetDataset REST, auth + audit on"},
        std::tuple{"grpc", 15000.0, "GetDataset gRPC, auth + audit on"}}) {
    const std::string audit_key = std::string(key) + "_audit_on";
    if (Built(reads[audit_key])) {
      const double v = reads[audit_key]["req_per_s"];
      targets.push_back(Target(label, ">= " + Num(goal) + " req/s", Num(v) + " req/s", MetOrMissed(v >= goal)));
    } else {
      const double v = reads[key]["req_per_s"];
      targets.push_back(Target(label, ">= " + Num(goal) + " req/s", Num(v) + " req/s (auth only)",
                               reads[audit_key]["status"],
                               std::string("with auth and no audit: ") + (v >= goal ? "met" : "MISSED")));
    }
  }
  const json& overhead = reads["audit_overhead"];
  targets.push_back(Built(overhead)
                        ? Target("audit overhead", "<= 10%", Num(overhead["percent"]) + "%",
                                 MetOrMissed(overhead["percent"].get<double>() <= 10))
                        : Target("audit overhead", "<= 10%", "–", overhead["status"]));

  const json& fp = r["footprint"];
  const double rss = fp["peak_rss_mib"];
  targets.push_back(Target("server RSS (peak)", "<= 256 MB", Num(rss) + " MiB", MetOrMissed(rss <= 256), at_l));
  const double startup = fp["startup_ms"]["median"];
  targets.push_back(Target("start-up on the loaded database", "<= 1 s", Num(startup) + " ms",
                           MetOrMissed(startup <= 1000), at_l));
  const json& gdpr = r["reports"]["gdpr_trace_report"];
  targets.push_back(Built(gdpr) ? Target("GDPR trace report, all PII columns", "<= 2 s",
                                         Num(gdpr["latency"]["p50_ms"]) + " ms",
                                         MetOrMissed(gdpr["latency"]["p50_ms"].get<double>() <= 2000), at_l)
                                : Target("GDPR trace report, all PII columns", "<= 2 s", "–", gdpr["status"]));
  r["targets"] = std::move(targets);
}

std::string RenderMarkdown(const json& r) {
  std::ostringstream out;
  const json& run = r["run"];
  const json& m = r["machine"];
  out << "## Cadastre benchmark, scale " << run["scale"].get<std::string>() << " (seed " << run["seed"] << ")\n\n"
      << "Machine: " << m["cpu"].get<std::string>() << ", " << m["cores"] << " cores, " << Num(m["memory_mib"])
      << " MiB RAM, " << m["kernel"].get<std::string>() << "; load average " << Fixed(m["loadavg_1m"], 2)
      << " at start, " << Fixed(run.value("loadavg_1m_end", 0.0), 2) << " at end. Run took "
      << Num(run["seconds"]) << " s.\n\n"
      << "Data: " << Num(run["datasets"]) << " datasets, " << Num(run["columns"]) << " columns, "
      << Num(run["column_edges"]) << " column edges, " << Num(run["pii_columns"]) << " PII columns, hub columns "
      << r["lineage"]["hub_columns"].dump() << ". Server: --durability full (a 201 means committed and fsynced).\n\n";

  out << "### Targets\n\n| target | goal | measured | status | note |\n|---|---|---|---|---|\n";
  for (const json& t : r["targets"]) {
    out << "| " << t["name"].get<std::string>() << " | " << t["goal"].get<std::string>() << " | "
        << t["measured"].get<std::string>() << " | " << t["status"].get<std::string>() << " | "
        << t["note"].get<std::string>() << " |\n";
  }

  out << "\n### Ingestion (OpenLineage over HTTP)\n\n| workload | events | column edges | events/s | edges/s | "
         "POST p50 / p99 ms | errors |\n|---|---|---|---|---|---|---|\n";
  const json& ingest = r["ingest"];
  for (const auto& [key, label] :
       {std::pair{"catalog_load", "catalog load (enterprise shape)"},
        std::pair{"enrichment", "domains + glossary links (PUT dataset)"},
        std::pair{"standard", "10 fields x 2 inputs, batched"},
        std::pair{"standard_single", "10 fields x 2 inputs, one event per POST"}}) {
    if (!Has(ingest, key)) continue;
    const json& i = ingest[key];
    out << "| " << label << " | " << Num(i["events"]) << " | " << Num(i["column_edges_added"]) << " | "
        << Num(i["events_per_s"]) << " | " << Num(i["edges_per_s"]) << " | " << PctPair(i["post_latency"])
        << " | " << i["errors"] << " |\n";
  }
  if (Has(ingest, "sqlite_limit")) {
    for (const auto& [key, label] : {std::pair{"catalog", "raw SQLite limit: catalog rows"},
                                     std::pair{"standard", "raw SQLite limit: 10 x 2 rows"}}) {
      const json& l = ingest["sqlite_limit"][key];
      out << "| " << label << " | " << Num(l["events"]) << " | " << Num(l["column_edges"]) << " | "
          << Num(l["events_per_s"]) << " | " << Num(l["edges_per_s"]) << " | – | – |\n";
    }
  }

  out << "\n### Column lineage (ms, p50 / p99; depth \"unbounded\" = " << r["lineage"]["unbounded_depth"]
      << ", at most " << Num(r["lineage"]["max_nodes"]) << " nodes)\n\n"
      << "| direction | depth | columns | nodes (median / max) | Cadastre REST | Cadastre gRPC | Marquez-style "
         "PostgreSQL | in-memory CSR |\n|---|---|---|---|---|---|---|---|\n";
  for (const json& row : r["lineage"]["rows"]) {
    std::string marquez = PctPair(row["marquez"]);
    if (row["marquez_timeouts"].get<int>() > 0) marquez += " (" + std::to_string(row["marquez_timeouts"].get<int>()) + " timeouts)";
    std::string depth = row["depth"].is_string() ? row["depth"].get<std::string>() : std::to_string(row["depth"].get<int>());
    out << "| " << row["direction"].get<std::string>() << " | " << depth << " | "
        << row["columns"].get<std::string>() << " | " << Num(row["nodes_median"]) << " / " << Num(row["nodes_max"])
        << (row["truncated"].get<int>() > 0 ? " (truncated)" : "") << " | " << PctPair(row["rest"]) << " | "
        << PctPair(row["grpc"]) << " | " << marquez << " | " << PctPair(row["in_memory_csr"]) << " |\n";
  }

  out << "\n### Reads, reports, search\n\n| measure | result | p50 / p99 ms | note |\n|---|---|---|---|\n";
  const json& reads = r["point_reads"];
  for (const auto& [key, label] :
       {std::pair{"rest", "GetDataset REST, auth on, audit off"},
        std::pair{"grpc", "GetDataset gRPC, auth on, audit off"},
        std::pair{"rest_audit_on", "GetDataset REST, auth + audit on"},
        std::pair{"grpc_audit_on", "GetDataset gRPC, auth + audit on"},
        std::pair{"audit_overhead", "audit overhead"}}) {
    const json& p = reads[key];
    if (!Built(p)) {
      out << "| " << label << " | " << p["status"].get<std::string>() << " | – | |\n";
    } else if (p.contains("req_per_s")) {
      out << "| " << label << " | " << Num(p["req_per_s"]) << " req/s | " << PctPair(p["latency"]) << " | "
          << p["clients"] << " clients, median of " << p["runs"].size() << " runs, " << p["errors"]
          << " errors |\n";
    } else {
      out << "| " << label << " | " << Num(p["percent"]) << "% | – | |\n";
    }
  }
  const json& reports = r["reports"];
  const json& inventory = reports["personal_data_inventory"];
  if (Built(inventory)) {
    out << "| personal-data inventory (GET /lineage/personal-data-leaks?tag=PII) | " << inventory["leaks"]
        << " columns listed | " << PctPair(inventory["latency"]) << " | |\n";
  } else {
    out << "| personal-data inventory | " << inventory["status"].get<std::string>() << " | – | |\n";
  }
  const json& gdpr = reports["gdpr_trace_report"];
  out << "| GDPR trace report, all PII columns | "
      << (Built(gdpr) ? Num(gdpr["columns"]) + " columns, " + Num(gdpr["paths"]) + " paths" +
                            (gdpr["truncated"].get<bool>() ? " (truncated)" : "")
                      : gdpr["status"].get<std::string>())
      << " | " << (Built(gdpr) ? PctPair(gdpr["latency"]) : "–") << " | |\n";
  const json& search = r["search"];
  out << "| search, fixed query mix | "
      << (Built(search) ? Num(search["queries"]) + " queries x " + Num(search["rounds"]) + " rounds"
                        : search["status"].get<std::string>())
      << " | " << (Built(search) ? PctPair(search["latency"]) : "–") << " | |\n";
  if (Built(search)) {
    for (const auto& [kind, latency] : search["by_kind"].items()) {
      out << "| search: " << kind << " | | " << PctPair(latency) << " | |\n";
    }
  }

  const json& fp = r["footprint"];
  out << "\n### Footprint\n\n| measure | value |\n|---|---|\n"
      << "| RSS after load | " << Num(fp["rss_after_load_mib"]) << " MiB |\n"
      << "| RSS after queries | " << Num(fp["rss_after_queries_mib"]) << " MiB |\n"
      << "| peak RSS (VmHWM) | " << Num(fp["peak_rss_mib"]) << " MiB |\n"
      << "| start-up on the loaded database (median of " << fp["startup_ms"]["runs"].size() << ") | "
      << Num(fp["startup_ms"]["median"]) << " ms |\n"
      << "| database on disk (db + wal + shm) | " << Num(fp["database_mib"]) << " MiB |\n";
  if (Has(r, "baselines") && Has(r["baselines"], "marquez")) {
    const json& pg = r["baselines"]["marquez"];
    if (Built(pg)) {
      out << "| Marquez-style PostgreSQL: column_lineage table + indexes | " << Num(pg.value("column_lineage_mib", 0.0))
          << " MiB, loaded by COPY in " << Num(pg.value("load_seconds", 0.0)) << " s |\n";
    }
  }
  return out.str();
}

std::string CheckComplete(const json& r) {
  const char* sections[] = {"machine", "run", "ingest", "lineage", "search", "point_reads", "reports",
                            "footprint", "baselines", "targets"};
  for (const char* s : sections) {
    if (!Has(r, s)) return std::string("missing section ") + s;
  }
  for (const char* s : {"catalog_load", "enrichment", "standard", "standard_single", "sqlite_limit"}) {
    if (!Has(r["ingest"], s)) return std::string("missing ingest.") + s;
  }
  for (const char* s : {"rest", "grpc", "rest_audit_on", "grpc_audit_on", "audit_overhead"}) {
    if (!Has(r["point_reads"], s)) return std::string("missing point_reads.") + s;
  }
  for (const char* s : {"personal_data_inventory", "gdpr_trace_report"}) {
    if (!Has(r["reports"], s)) return std::string("missing reports.") + s;
  }
  if (!Has(r["lineage"], "rows") || r["lineage"]["rows"].size() != 16) return "lineage.rows must hold 16 rows";
  for (const json& row : r["lineage"]["rows"]) {
    if (row["rest"]["count"] == 0 || row["grpc"]["count"] == 0 || row["in_memory_csr"]["count"] == 0) {
      return "a lineage row has no samples";
    }
  }
  if (r["targets"].size() < 14) return "targets incomplete";
  return "";
}

}  // namespace cadastre::bench
