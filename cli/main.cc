// cadastre: the command-line client of a Cadastre server (docs/cli.md).
#include <unistd.h>

#include <iostream>

#include "CLI/CLI.hpp"
#include "cadastre/client_core.h"
#include "commands.h"
#include "exit_codes.h"

namespace cadastre::cli {
namespace {

// What to add to an error so that the user knows what to do next.
std::string HintFor(const absl::Status& status, const Context& context) {
  switch (status.code()) {
    case absl::StatusCode::kUnauthenticated:
      return context.settings.token.empty()
                 ? "no token: run `cadastre login`, or set CADASTRE_TOKEN"
                 : "the token was refused: run `cadastre login` again, or check CADASTRE_TOKEN";
    case absl::StatusCode::kUnavailable:
      return "cannot reach " + context.settings.server +
             " (is the server running? set --server or CADASTRE_SERVER)";
    case absl::StatusCode::kUnimplemented:
      return "the server at " + context.settings.server + " does not offer this yet (an older version?)";
    default:
      return "";
  }
}

int Main(int argc, char** argv) {
  Context context;
  context.out_style = Style::ForFd(STDOUT_FILENO);
  context.err_style = Style::ForFd(STDERR_FILENO);
  context.stderr_is_tty = isatty(STDERR_FILENO) == 1;

  CLI::App app{"cadastre: search the catalog, follow lineage, emit OpenLineage events, audit, "
               "manage principals and tokens, and import, export and follow changes of a "
               "Cadastre server.",
               "cadastre"};
  app.set_version_flag("--version", "cadastre 0.1.0");
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the subcommand
  app.footer(
      "Server and token: --server/--token, else CADASTRE_SERVER/CADASTRE_TOKEN, else the config\n"
      "file `cadastre login` writes (~/.config/cadastre/config.toml).\n"
      "Exit codes: 0 ok, 1 usage, 2 not found, 3 authentication or permission, 4 server\n"
      "unavailable, 5 input refused, 6 audit chain broken, 7 other error. See docs/cli.md.");
  AddGlobalOptions(app, context);
  AddLoginCommand(app, context);
  AddSearchCommand(app, context);
  AddShowCommands(app, context);
  AddLineageCommands(app, context);
  AddEmitCommand(app, context);
  AddAuditCommands(app, context);
  AddPrincipalCommands(app, context);
  AddSyncCommands(app, context);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);  // prints help, the version, or the error
    return code == 0 ? kExitOk : kExitUsage;
  }

  absl::StatusOr<Settings> settings = ResolveSettings(context.flags);
  if (!settings.ok()) {
    std::cerr << "cadastre: " << settings.status().message() << "\n";
    return kExitUsage;
  }
  context.settings = *std::move(settings);
  if (!context.action) return kExitUsage;  // require_subcommand makes this unreachable
  const absl::Status status = context.action();
  if (status.ok()) return kExitOk;

  std::string message(status.message());
  if (message.empty()) message = absl::StatusCodeToString(status.code());
  if (auto field = sdk::FieldOf(status); field && message.find(*field) == std::string::npos) {
    message += " (field " + *field + ")";
  }
  std::cerr << context.err_style.Red("cadastre: ") << message << "\n";
  if (const std::string hint = HintFor(status, context); !hint.empty()) {
    std::cerr << context.err_style.Dim("hint: " + hint) << "\n";
  }
  return ExitCodeOf(status.code());
}

}  // namespace
}  // namespace cadastre::cli

int main(int argc, char** argv) { return cadastre::cli::Main(argc, argv); }
