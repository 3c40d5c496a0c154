// cadastre login: checks a server and token, and saves them in the config file.
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "cadastre/client.h"
#include "commands.h"
#include "nlohmann/json.hpp"

namespace cadastre::cli {
namespace {

// A token typed at a terminal (not echoed), or the first line of stdin.
std::string ReadToken(Context& context) {
  const bool terminal = isatty(STDIN_FILENO) == 1;
  termios saved{};
  if (terminal) {
    *context.err << "Token for " << context.settings.server << ": " << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string token;
  std::getline(std::cin, token);
  if (terminal) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    *context.err << "\n";
  }
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  return token;
}

absl::Status Login(Context& context) {
  // --token, else CADASTRE_TOKEN, else asked for: never the token of the
  // config file, which is what a login comes to replace.
  const char* env = std::getenv("CADASTRE_TOKEN");
  if (context.flags.token.empty() && (env == nullptr || *env == '\0')) {
    context.settings.token = ReadToken(context);
  }
  if (context.settings.token.empty()) return absl::InvalidArgumentError("no token given");
  auto whoami = Call(context, &v1::AccessService::Stub::WhoAmI, v1::WhoAmIRequest());
  if (!whoami.ok()) return whoami.status();

  absl::StatusOr<ConfigValues> values = ReadConfig(context.settings.config_path);
  if (!values.ok()) return values.status();
  (*values)["server"] = context.settings.server;
  (*values)["token"] = context.settings.token;
  (*values)["tls_ca"] = context.settings.tls_ca;
  (*values)["tls_cert"] = context.settings.tls_cert;
  (*values)["tls_key"] = context.settings.tls_key;
  if (absl::Status status = WriteConfig(context.settings.config_path, *values); !status.ok()) {
    return status;
  }
  const v1::Principal& principal = whoami->principal();
  if (context.format() == Format::kJson) {
    nlohmann::json out = {{"server", context.settings.server},
                          {"principal", principal.name()},
                          {"roles", std::vector<std::string>(principal.roles().begin(), principal.roles().end())},
                          {"config", context.settings.config_path}};
    *context.out << out.dump(2) << "\n";
  } else {
    *context.out << "Logged in to " << context.settings.server << " as "
                 << context.out_style.Bold(principal.name()) << " (roles: " << JoinAll(principal.roles())
                 << ").\nSaved to " << context.settings.config_path << " (mode 0600).\n";
  }
  return absl::OkStatus();
}

}  // namespace

void AddLoginCommand(CLI::App& app, Context& context) {
  CLI::App* login = app.add_subcommand(
      "login",
      "Check a server and token and save them in the config file. The token is read from "
      "--token or CADASTRE_TOKEN, else typed (not echoed) at the prompt, else the first line of stdin.");
  login->callback([&context] { context.action = [&context] { return Login(context); }; });
}

}  // namespace cadastre::cli
