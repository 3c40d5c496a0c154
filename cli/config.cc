#include "config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace cadastre::cli {
namespace {

namespace fs = std::filesystem;

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

std::string Trim(const std::string& text) {
  const size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t\r") - begin + 1);
}

// A TOML basic string ("…" with \" \\ \n \t escapes), or a bare value.
bool ParseValue(const std::string& text, std::string* value) {
  if (text.empty() || text[0] != '"') {
    *value = text;
    return !text.empty() && text.find('"') == std::string::npos;
  }
  value->clear();
  for (size_t i = 1; i < text.size(); i++) {
    const char c = text[i];
    if (c == '"') return Trim(text.substr(i + 1)).empty() || Trim(text.substr(i + 1))[0] == '#';
    if (c == '\\' && i + 1 < text.size()) {
      const char next = text[++i];
      *value += next == 'n' ? '\n' : next == 't' ? '\t' : next;
    } else {
      *value += c;
    }
  }
  return false;  // no closing quote
}

std::string Quote(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string DefaultConfigPath() {
  if (std::string path = Env("CADASTRE_CLI_CONFIG"); !path.empty()) return path;
  if (std::string xdg = Env("XDG_CONFIG_HOME"); !xdg.empty()) return xdg + "/cadastre/config.toml";
  if (std::string home = Env("HOME"); !home.empty()) return home + "/.config/cadastre/config.toml";
  return ".cadastre.toml";
}

absl::StatusOr<ConfigValues> ReadConfig(const std::string& path) {
  ConfigValues values;
  std::ifstream in(path);
  if (!in) {
    if (!fs::exists(path)) return values;
    return absl::PermissionDeniedError(absl::StrCat("cannot read the config file ", path));
  }
  std::string line;
  for (int number = 1; std::getline(in, line); number++) {
    line = Trim(line);
    if (line.empty() || line[0] == '#' || line[0] == '[') continue;
    const size_t equals = line.find('=');
    std::string value;
    if (equals == std::string::npos || !ParseValue(Trim(line.substr(equals + 1)), &value)) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", number, ": expected key = \"value\""));
    }
    values[Trim(line.substr(0, equals))] = value;
  }
  return values;
}

absl::Status WriteConfig(const std::string& path, const ConfigValues& values) {
  const fs::path target(path);
  std::error_code error;
  if (target.has_parent_path() && !fs::exists(target.parent_path())) {
    fs::create_directories(target.parent_path(), error);
    if (error) {
      return absl::PermissionDeniedError(absl::StrCat("cannot create ", target.parent_path().string(),
                                                      ": ", error.message()));
    }
    fs::permissions(target.parent_path(), fs::perms::owner_all, error);
  }
  std::string text = "# Written by `cadastre login`. It holds a token: keep it private (mode 0600).\n";
  for (const auto& [key, value] : values) {
    if (!value.empty()) text += key + " = " + Quote(value) + "\n";
  }
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::PermissionDeniedError(absl::StrCat("cannot write ", temp, ": ", std::strerror(errno)));
  ::fchmod(fd, 0600);  // an old temp file may have had another mode
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    return absl::PermissionDeniedError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<Settings> ResolveSettings(const Overrides& flags) {
  Settings settings;
  settings.config_path = !flags.config_path.empty() ? flags.config_path : DefaultConfigPath();
  absl::StatusOr<ConfigValues> file = ReadConfig(settings.config_path);
  if (!file.ok()) return file.status();
  auto pick = [&](const std::string& flag, const char* env, const char* key, std::string* out) {
    if (!flag.empty()) {
      *out = flag;
    } else if (std::string value = Env(env); !value.empty()) {
      *out = value;
    } else if (auto it = file->find(key); it != file->end() && !it->second.empty()) {
      *out = it->second;
    }
  };
  pick(flags.server, "CADASTRE_SERVER", "server", &settings.server);
  pick(flags.token, "CADASTRE_TOKEN", "token", &settings.token);
  pick(flags.tls_ca, "CADASTRE_TLS_CA", "tls_ca", &settings.tls_ca);
  pick(flags.tls_cert, "CADASTRE_CLIENT_CERT", "tls_cert", &settings.tls_cert);
  pick(flags.tls_key, "CADASTRE_CLIENT_KEY", "tls_key", &settings.tls_key);
  return settings;
}

}  // namespace cadastre::cli
