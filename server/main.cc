// cadastre-server: flags, environment and config file in; a running App out.
#include <csignal>
#include <cstdlib>
#include <string>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "CLI/CLI.hpp"
#include "server/app/app.h"
#include "server/common/log.h"

int main(int argc, char** argv) {
#if defined(__GLIBC__)
  // glibc gives each thread that allocates its own heap (up to 8 per core)
  // and keeps what is freed there. With 16 REST workers and gRPC's threads
  // each building large answers, RSS grew to several times the live data
  // (bench/README.md, "What changed what"). Two heaps serve two cores.
  // MALLOC_ARENA_MAX in the environment still wins.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
#endif
  cadastre::Config config;
  std::string log_level = "info";
  CLI::App cli{"cadastre-server: metadata catalog and column-level lineage server"};
  cli.set_config("--config", "", "read options from a TOML or INI file (key = value)")
      ->envname("CADASTRE_CONFIG");
  cli.add_option("--data-dir", config.data_dir, "directory of the SQLite database")
      ->envname("CADASTRE_DATA_DIR")
      ->capture_default_str();
  cli.add_option("--bind", config.bind, "address to listen on (0.0.0.0 for all interfaces)")
      ->envname("CADASTRE_BIND")
      ->capture_default_str();
  cli.add_option("--http-port", config.http_port, "REST and web UI port (0: any free port)")
      ->envname("CADASTRE_HTTP_PORT")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cli.add_option("--grpc-port", config.grpc_port, "gRPC port (0: any free port)")
      ->envname("CADASTRE_GRPC_PORT")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cli.add_option("--durability", config.durability,
                 "full: fsync every commit (survives power loss); normal: survives a crash of "
                 "the process only")
      ->envname("CADASTRE_DURABILITY")
      ->check(CLI::IsMember({"full", "normal"}))
      ->capture_default_str();
  cli.add_option("--max-body-bytes", config.max_body_bytes, "largest request body accepted")
      ->envname("CADASTRE_MAX_BODY_BYTES")
      ->check(CLI::Range(size_t{1024}, size_t{1} << 30))
      ->capture_default_str();
  cli.add_option("--audit-retention-days", config.audit_retention_days,
                 "days audit records are kept before pruning (0: for ever)")
      ->envname("CADASTRE_AUDIT_RETENTION_DAYS")
      ->check(CLI::Range(0, 36500))
      ->capture_default_str();
  // Hidden from --help: bench/ measures the audit's cost with it.
  cli.add_flag("--benchmark-without-audit", config.benchmark_without_audit,
               "serve without the audit log (measurements only)")
      ->group("");
  cli.add_option("--tls-cert", config.tls_cert,
                 "PEM certificate (chain): serve HTTPS and gRPC over TLS (needs --tls-key)")
      ->envname("CADASTRE_TLS_CERT");
  cli.add_option("--tls-key", config.tls_key, "PEM private key of --tls-cert")
      ->envname("CADASTRE_TLS_KEY");
  cli.add_option("--tls-client-ca", config.tls_client_ca,
                 "PEM CA bundle: clients may authenticate by a certificate it issued, whose "
                 "Common Name is a principal's name")
      ->envname("CADASTRE_TLS_CLIENT_CA");
  cli.add_option("--log-level", log_level, "debug, info, warn or error")
      ->envname("CADASTRE_LOG_LEVEL")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  CLI11_PARSE(cli, argc, argv);

  cadastre::log::Level level;
  if (cadastre::log::ParseLevel(log_level, &level)) cadastre::log::SetLevel(level);
  // Read from the environment only, never a flag: a flag shows in `ps`.
  if (const char* token = std::getenv("CADASTRE_ADMIN_TOKEN")) config.admin_token = token;

  // Block the stop signals in every thread; this one waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto app = cadastre::App::Start(config);
  if (!app.ok()) {
    cadastre::log::Error("cannot start", {{"error", app.status().ToString()}});
    return 1;
  }
  int signal = 0;
  sigwait(&signals, &signal);
  cadastre::log::Info("stopping", {{"signal", signal}});
  (*app)->Shutdown();
  return 0;
}
