// cadastre-bench: generates the synthetic catalog, loads it into the real
// server over the network, asks the same questions of the server and of the
// baselines, and writes results.json and results.md. bench/run.sh starts
// PostgreSQL and calls `cadastre-bench run`; bench/README.md explains the
// figures.
//
//   cadastre-bench run --server BIN --scale S --out DIR --work DIR [--pg CONNINFO] …
//   cadastre-bench check DIR/results.json   (is every section there?)
//   cadastre-bench render DIR/results.json  (the tables again, targets judged anew)
//   cadastre-bench free-port                (for run.sh)
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>

#include "CLI/CLI.hpp"
#include "catalog.h"
#include "csr.h"
#include "ingest.h"
#include "lineage.h"
#include "marquez.h"
#include "search_and_trace.h"
#include "reads.h"
#include "report.h"
#include "server.h"
#include "sqlite_limit.h"
#include "workload.h"

namespace cadastre::bench {
namespace {

using nlohmann::json;

struct Options {
  std::string server_binary;
  std::string scale = "S";
  uint64_t seed = 42;
  std::string out_dir;
  std::string work_dir;
  std::string pg;  // libpq connection string; empty: no Marquez baseline
  int clients = 4;
  int batch = 100;
  int reps = 5;
  int marquez_reps = 2;
  int pg_timeout_ms = 0;  // 0: by scale
  double read_seconds = 3;
  int read_runs = 3;
  int report_runs = 3;
  int startup_runs = 3;
  // The smoke test: every section, one repetition each, fewer events.
  bool quick = false;
};

void Note(const std::string& what) {
  const std::time_t now = std::time(nullptr);
  char stamp[16];
  std::strftime(stamp, sizeof stamp, "%H:%M:%S", std::localtime(&now));
  std::cerr << "[bench " << stamp << "] " << what << std::endl;
}

// What grows with the scale besides the catalog. Marquez-style queries take
// seconds each, so PostgreSQL is asked about the hubs and a few of the
// random columns only.
struct Sizes {
  int standard_events, single_events, pg_timeout_ms, random_columns, marquez_random_columns;
};
Sizes SizesFor(const std::string& scale, bool quick) {
  Sizes sizes = scale == "XS"  ? Sizes{1000, 100, 1000, 6, 3}
                : scale == "S" ? Sizes{5000, 300, 3000, 12, 5}
                : scale == "M" ? Sizes{20000, 1000, 10000, 12, 5}
                               : Sizes{50000, 2000, 30000, 12, 5};
  // Fewer questions and events; the scale's timeout, or at M and L every
  // Marquez-style query times out and says nothing.
  if (quick) sizes = {500, 50, sizes.pg_timeout_ms, 6, 2};
  return sizes;
}

json ThroughputJson(const std::vector<ThroughputResult>& runs, int clients) {
  std::vector<double> rates;
  Samples latency;
  int errors = 0;
  std::string first_error;
  for (const ThroughputResult& run : runs) {
    rates.push_back(run.per_s());
    latency.Append(run.latency);
    errors += run.errors;
    if (first_error.empty()) first_error = run.first_error;
  }
  return {{"req_per_s", Median(rates)}, {"runs", rates},      {"clients", clients},
          {"errors", errors},           {"first_error", first_error}, {"latency", latency.ToJson()}};
}

// How much slower reads are with the audit log: (off - on) / off, in
// percent, for each transport and the worse of the two.
json AuditOverhead(const json& reads) {
  json out;
  double worst = 0;
  for (const char* key : {"rest", "grpc"}) {
    const double off = reads[key]["req_per_s"];
    const double on = reads[std::string(key) + "_audit_on"]["req_per_s"];
    const double percent = off > 0 ? 100.0 * (off - on) / off : 0;
    out[std::string(key) + "_percent"] = percent;
    worst = std::max(worst, percent);
  }
  out["percent"] = worst;
  return out;
}

json LimitJson(const Workload& w, double seconds) {
  return {{"events", w.events.size()},
          {"column_edges", w.edge_count()},
          {"seconds", seconds},
          {"events_per_s", seconds > 0 ? w.events.size() / seconds : 0},
          {"edges_per_s", seconds > 0 ? w.edge_count() / seconds : 0}};
}

int Fail(const std::string& why) {
  Note("FAILED: " + why);
  return 1;
}

int Run(Options o) {
  const auto started = Clock::now();
  Scale scale;
  if (!ParseScale(o.scale, &scale)) return Fail("unknown scale " + o.scale + " (XS, S, M, L)");
  const Sizes sizes = SizesFor(scale.name, o.quick);
  if (o.quick) {
    o.reps = o.marquez_reps = o.read_runs = o.report_runs = o.startup_runs = 1;
    o.read_seconds = 1;
  }
  std::filesystem::create_directories(o.out_dir);
  std::filesystem::create_directories(o.work_dir);
  json r;
  r["machine"] = DescribeMachine();
  // What is measured so far, after each section: a run at L takes hours, and
  // one that fails late still leaves its figures (results.partial.json).
  const auto partial = std::filesystem::path(o.out_dir) / "results.partial.json";
  auto save_partial = [&] { std::ofstream(partial) << r.dump(2) << "\n"; };

  Note("generating scale " + scale.name + " from seed " + std::to_string(o.seed));
  const Catalog catalog = Generate(scale, o.seed);
  r["run"] = {{"scale", scale.name},
              {"seed", o.seed},
              {"datasets", catalog.datasets.size()},
              {"columns", catalog.columns.size()},
              {"column_edges", catalog.edges.size()},
              {"pii_columns", catalog.pii_columns()},
              {"clients", o.clients},
              {"batch", o.batch},
              {"reps", o.reps},
              {"quick", o.quick}};
  Note(r["run"].dump());
  const auto catalog_events = CatalogWorkload(catalog);
  const auto standard = StandardWorkload(catalog, sizes.standard_events + sizes.single_events);

  ServerConfig config;
  config.binary = o.server_binary;
  config.data_dir = std::filesystem::path(o.work_dir) / "server-data";
  config.log_path = std::filesystem::path(o.work_dir) / "server.log";
  std::random_device device;
  config.token = "bench-" + std::to_string(device()) + std::to_string(device());
  {  // for a post-mortem on a kept work directory (CADASTRE_BENCH_KEEP=1)
    const auto token_file = std::filesystem::path(o.work_dir) / "admin.token";
    std::ofstream(token_file) << config.token << "\n";
    std::filesystem::permissions(token_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  Server server(config);
  std::string error;
  if (server.Start(&error) < 0) return Fail(error);

  // 1. Ingestion of the catalog, then what OpenLineage cannot carry.
  Note("setting up classifications and glossary terms");
  if (!SetUpVocabulary(server, catalog, &error)) return Fail(error);
  Note("posting " + std::to_string(catalog_events->json.size()) + " catalog events");
  IngestResult load = PostEvents(server, *catalog_events, 0, catalog_events->json.size(), o.clients, o.batch);
  if (load.errors) return Fail("catalog load: " + load.first_error);
  r["ingest"]["catalog_load"] = load.ToJson();
  Note("catalog load: " + std::to_string(load.events_per_s()) + " events/s");
  IngestResult enrich = PutDomainsAndTerms(server, catalog, o.clients);
  if (enrich.errors) return Fail("enrichment: " + enrich.first_error);
  r["ingest"]["enrichment"] = enrich.ToJson();
  r["footprint"]["rss_after_load_mib"] = server.RssMiB();
  save_partial();

  // 2. Column lineage: server (REST, gRPC), in-memory limit, Marquez-style.
  Csr csr(catalog.columns.size(), catalog.edges);
  const std::vector<Question> questions = MakeQuestions(catalog, csr, sizes.random_columns,
                                                         sizes.marquez_random_columns, o.seed);
  std::vector<Answers> answers(questions.size());
  Note("lineage: " + std::to_string(questions.size()) + " questions x " + std::to_string(o.reps));
  if (!AskRest(server, catalog, questions, o.reps, &answers, &error)) return Fail(error);
  if (!AskGrpc(server, catalog, questions, o.reps, &answers, &error)) return Fail(error);
  AskCsr(csr, questions, o.reps, &answers);
  if (o.pg.empty()) {
    r["baselines"]["marquez"] = NotBuilt("not run: no --pg");
  } else {
    const int timeout = o.pg_timeout_ms > 0 ? o.pg_timeout_ms : sizes.pg_timeout_ms;
    auto pg = MarquezBaseline::Connect(o.pg, timeout, &error);
    if (!pg) return Fail("PostgreSQL: " + error);
    Note("Marquez-style baseline: loading PostgreSQL");
    const double load_s = pg->Load(catalog, &error);
    if (load_s < 0) return Fail("PostgreSQL load: " + error);
    Note("Marquez-style baseline: querying (timeout " + std::to_string(timeout) + " ms)");
    if (!AskMarquez(*pg, questions, o.marquez_reps, &answers, &error)) return Fail("PostgreSQL: " + error);
    r["baselines"]["marquez"] = pg->Describe();
    r["baselines"]["marquez"]["load_seconds"] = load_s;
  }
  r["lineage"] = Summarize(questions, answers, catalog);
  save_partial();

  // 3. Point reads, reports, search.
  auto point_reads = [&](const std::string& suffix) {
    for (auto [key, transport] : {std::pair{"rest", Transport::kRest}, std::pair{"grpc", Transport::kGrpc}}) {
      std::vector<ThroughputResult> runs;
      for (int i = 0; i < o.read_runs; ++i) runs.push_back(GetDatasets(server, catalog, transport, o.clients, o.read_seconds));
      r["point_reads"][key + suffix] = ThroughputJson(runs, o.clients);
    }
  };
  Note("point reads, audit on");
  point_reads("_audit_on");
  // The same reads from a server without the audit log: what it costs.
  Note("point reads, audit off (--benchmark-without-audit)");
  server.Stop();
  server.set_extra_args({"--benchmark-without-audit"});
  if (server.Start(&error) < 0) return Fail("restart without audit: " + error);
  point_reads("");
  server.Stop();
  server.set_extra_args({});
  if (server.Start(&error) < 0) return Fail("restart: " + error);
  r["point_reads"]["audit_overhead"] = AuditOverhead(r["point_reads"]);
  save_partial();
  Note("reports");
  ReportResult leaks = PersonalDataLeaks(server, o.report_runs);
  if (!leaks.error.empty()) return Fail("personal-data-leaks: " + leaks.error);
  r["reports"]["personal_data_inventory"] = {{"leaks", leaks.leaks}, {"latency", leaks.latency.ToJson()}};
  save_partial();
  Note("GDPR trace report");
  r["reports"]["gdpr_trace_report"] = MeasureGdprTraceReport(server, o.report_runs);
  save_partial();
  Note("search");
  r["search"] = MeasureSearch(server, catalog, o.quick ? 1 : 5);
  save_partial();

  // 4. Footprint: memory after the queries, start-up on the loaded database.
  r["footprint"]["rss_after_queries_mib"] = server.RssMiB();
  double peak = server.PeakRssMiB();
  r["footprint"]["database_mib"] = server.DatabaseMiB();
  std::vector<double> startups;
  for (int i = 0; i < o.startup_runs; ++i) {
    server.Stop();
    const double ms = server.Start(&error);
    if (ms < 0) return Fail("restart: " + error);
    startups.push_back(ms);
  }
  r["footprint"]["startup_ms"] = {{"runs", startups}, {"median", Median(startups)}};
  r["footprint"]["rss_after_restart_mib"] = server.RssMiB();
  save_partial();

  // 5. Ingestion of the target's shape, last: it adds datasets.
  Note("standard events: " + std::to_string(sizes.standard_events) + " batched, " +
       std::to_string(sizes.single_events) + " one per POST");
  IngestResult batched = PostEvents(server, *standard, 0, sizes.standard_events, o.clients, o.batch);
  if (batched.errors) return Fail("standard ingest: " + batched.first_error);
  r["ingest"]["standard"] = batched.ToJson();
  IngestResult single = PostEvents(server, *standard, sizes.standard_events, standard->json.size(), o.clients, 1);
  if (single.errors) return Fail("single-event ingest: " + single.first_error);
  r["ingest"]["standard_single"] = single.ToJson();
  r["footprint"]["peak_rss_mib"] = std::max(peak, server.PeakRssMiB());
  server.Stop();

  Note("raw SQLite limit");
  auto limit = SqliteLimit::Open((std::filesystem::path(o.work_dir) / "sqlite-limit.db").string(), &error);
  if (!limit) return Fail("SQLite limit: " + error);
  const double catalog_s = limit->Insert(*catalog_events, 1000, &error);
  const double standard_s = catalog_s < 0 ? -1 : limit->Insert(*standard, 1000, &error);
  if (standard_s < 0) return Fail("SQLite limit: " + error);
  r["ingest"]["sqlite_limit"] = {{"catalog", LimitJson(*catalog_events, catalog_s)},
                                 {"standard", LimitJson(*standard, standard_s)},
                                 {"events_per_transaction", 1000}};

  r["run"]["seconds"] = MillisSince(started) / 1000.0;
  r["run"]["loadavg_1m_end"] = DescribeMachine()["loadavg_1m"];
  JudgeTargets(r);
  const std::string markdown = RenderMarkdown(r);
  std::ofstream(std::filesystem::path(o.out_dir) / "results.json") << r.dump(2) << "\n";
  std::ofstream(std::filesystem::path(o.out_dir) / "results.md") << markdown;
  std::filesystem::remove(partial);
  std::cout << markdown << std::flush;
  const std::string incomplete = CheckComplete(r);
  return incomplete.empty() ? 0 : Fail(incomplete);
}

// Checks a results.json; with `render`, judges its targets again and
// prints its tables.
int CheckOrRender(const std::string& path, bool render) {
  std::ifstream in(path);
  json r = json::parse(in, nullptr, false);
  if (r.is_discarded()) return Fail(path + " is not JSON");
  const std::string incomplete = CheckComplete(r);
  if (!incomplete.empty()) return Fail(path + ": " + incomplete);
  if (render) {
    JudgeTargets(r);
    std::cout << RenderMarkdown(r);
  } else {
    std::cout << path << ": complete\n";
  }
  return 0;
}

}  // namespace
}  // namespace cadastre::bench

int main(int argc, char** argv) {
  using namespace cadastre::bench;
  Options o;
  std::string check_path;
  CLI::App cli{"cadastre-bench: the benchmark harness (bench/README.md)"};
  cli.require_subcommand(1);
  CLI::App* run = cli.add_subcommand("run", "generate, load, measure, report");
  run->add_option("--server", o.server_binary, "cadastre-server binary")->required();
  run->add_option("--scale", o.scale, "XS, S, M or L")->capture_default_str();
  run->add_option("--seed", o.seed, "generator seed")->capture_default_str();
  run->add_option("--out", o.out_dir, "where results.json and results.md go")->required();
  run->add_option("--work", o.work_dir, "scratch directory (server data, SQLite limit)")->required();
  run->add_option("--pg", o.pg, "libpq connection string of the baseline PostgreSQL");
  run->add_option("--clients", o.clients, "concurrent clients")->capture_default_str();
  run->add_option("--batch", o.batch, "events per POST")->capture_default_str();
  run->add_option("--reps", o.reps, "repetitions per lineage question")->capture_default_str();
  run->add_option("--pg-timeout-ms", o.pg_timeout_ms, "statement timeout of a Marquez query (0: by scale)");
  run->add_option("--read-seconds", o.read_seconds, "duration of one point-read run")->capture_default_str();
  run->add_flag("--quick", o.quick, "smoke test: one repetition of everything, fewer events");
  CLI::App* check = cli.add_subcommand("check", "is every section of a results.json there?");
  check->add_option("file", check_path)->required();
  CLI::App* render = cli.add_subcommand("render", "print the tables of a results.json again");
  render->add_option("file", check_path)->required();
  CLI::App* port = cli.add_subcommand("free-port", "print a free TCP port on 127.0.0.1");
  CLI11_PARSE(cli, argc, argv);
  if (*run) return Run(o);
  if (*check || *render) return CheckOrRender(check_path, render->parsed());
  if (*port) {
    std::cout << FreePort() << "\n";
    return 0;
  }
  return 2;
}
