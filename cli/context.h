// What every command shares: the resolved settings, the output format and
// styles, and the connection, made when a command first needs it.
#pragma once

#include <functional>
#include <iostream>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "cadastre/client_core.h"
#include "config.h"
#include "output.h"

namespace CLI {
class App;
}

namespace cadastre::cli {

struct Context {
  Overrides flags;
  std::string output = "table";  // --output
  double timeout_seconds = 30;   // --timeout: one request
  bool timeout_set = false;      // --timeout was given (bulk commands wait longer otherwise)
  Settings settings;             // resolved after parsing
  Style out_style{false};        // for stdout
  Style err_style{false};        // for stderr
  bool stderr_is_tty = false;
  std::ostream* out = &std::cout;
  std::ostream* err = &std::cerr;
  // The command the user chose, set by its parser callback.
  std::function<absl::Status()> action;

  Format format() const { return output == "json" ? Format::kJson : Format::kTable; }
  sdk::ClientOptions ClientOptions() const;
  // The client for settings.server (connects lazily; errors only for TLS files).
  absl::StatusOr<sdk::Client*> Client();

 private:
  std::unique_ptr<sdk::Client> client_;
};

// Adds the global options (--server, --token, --output, …) to `app`.
void AddGlobalOptions(CLI::App& app, Context& context);

}  // namespace cadastre::cli
