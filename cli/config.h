// Where the CLI finds its server and token: flags, then the environment
// (CADASTRE_SERVER, CADASTRE_TOKEN, …), then the config file written by
// `cadastre login`, then defaults.
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace cadastre::cli {

// A small TOML file of `key = "value"` lines (comments with #).
using ConfigValues = std::map<std::string, std::string>;

// $CADASTRE_CLI_CONFIG, else $XDG_CONFIG_HOME/cadastre/config.toml, else
// ~/.config/cadastre/config.toml.
std::string DefaultConfigPath();

// An empty map when the file does not exist; INVALID_ARGUMENT naming the
// line when it cannot be read as key = "value".
absl::StatusOr<ConfigValues> ReadConfig(const std::string& path);

// Writes atomically with mode 0600 (it holds a token); the directory is
// created with mode 0700 when missing.
absl::Status WriteConfig(const std::string& path, const ConfigValues& values);

struct Settings {
  std::string server = "127.0.0.1:50051";  // gRPC host:port
  std::string token;
  std::string tls_ca;    // PEM CA bundle: TLS on
  std::string tls_cert;  // client certificate (mutual TLS)
  std::string tls_key;
  std::string config_path;
};

// Flags the user gave (empty: not given).
struct Overrides {
  std::string server, token, tls_ca, tls_cert, tls_key, config_path;
};

// Flags over environment over config file over defaults.
absl::StatusOr<Settings> ResolveSettings(const Overrides& flags);

}  // namespace cadastre::cli
