// Runs the postgres-dialect SQL of every mask type in a real PostgreSQL 15
// and checks that it computes exactly what MaskValue serves. The suite starts
// a throwaway server on 127.0.0.1 (free port, temporary directory, as the
// `postgres` user when run as root, since initdb refuses root) and stops it
// when the suite ends, failed or not. It fails, never skips, when PostgreSQL
// cannot start: install it with scripts/install-deps.sh, or point
// CADASTRE_PG_BIN at the directory holding initdb and pg_ctl.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/policy/masking.h"

namespace cadastre::policy {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string ReadWholeFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs `argv` with its output appended to `log`; gives up (and kills it)
// after `timeout`. Returns the exit status, or an explanation.
std::optional<std::string> Run(const std::vector<std::string>& argv, const fs::path& log,
                               std::chrono::seconds timeout) {
  const pid_t pid = ::fork();
  if (pid < 0) return "fork failed";
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
    }
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return absl::StrCat(absl::StrJoin(argv, " "), " did not finish in ", timeout.count(), " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return std::nullopt;
  return absl::StrCat(absl::StrJoin(argv, " "), " failed with status ", status);
}

int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

// A PostgreSQL server of its own in a temporary directory.
class ThrowawayPostgres {
 public:
  // Empty on success; otherwise what went wrong, with the server's log.
  std::string Start() {
    const char* bin_env = std::getenv("CADASTRE_PG_BIN");
    const fs::path bin = bin_env != nullptr ? bin_env : "/usr/lib/postgresql/15/bin";
    if (!fs::exists(bin / "initdb") || !fs::exists(bin / "pg_ctl")) {
      return absl::StrCat("no initdb/pg_ctl in ", bin.string(),
                          ": run scripts/install-deps.sh (postgresql-15) or set CADASTRE_PG_BIN");
    }
    std::string pattern = "/tmp/cadastre-pg-XXXXXX";  // the postgres user must reach it
    if (::mkdtemp(pattern.data()) == nullptr) return "mkdtemp failed";
    dir_ = pattern;
    log_ = dir_ / "server.log";
    if (::geteuid() == 0) {
      const passwd* user = ::getpwnam("postgres");
      if (user == nullptr) return "running as root, and there is no postgres user to run as";
      if (::chown(dir_.c_str(), user->pw_uid, user->pw_gid) != 0) return "chown failed";
      as_postgres_ = {"runuser", "-u", "postgres", "--"};
    }
    const fs::path data = dir_ / "data";
    if (auto error = Run(Command({(bin / "initdb").string(), "-D", data.string(), "-U", "postgres",
                                  "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"}),
                         dir_ / "initdb.log", std::chrono::seconds(60))) {
      return absl::StrCat(*error, "\n", ReadWholeFile(dir_ / "initdb.log"));
    }
    const int port = FreePort();
    if (port == 0) return "no free port on 127.0.0.1";
    const std::string options =
        absl::StrCat("-p ", port, " -k ", dir_.string(), " -c listen_addresses=127.0.0.1 -F");
    pg_ctl_ = (bin / "pg_ctl").string();
    data_ = data.string();
    if (auto error = Run(Command({pg_ctl_, "-D", data_, "-l", log_.string(), "-o", options, "-w",
                                  "-t", "20", "start"}),
                         dir_ / "pg_ctl.log", std::chrono::seconds(30))) {
      return absl::StrCat(*error, "\n", ReadWholeFile(dir_ / "pg_ctl.log"), ReadWholeFile(log_));
    }
    started_ = true;
    connection_ = PQconnectdb(absl::StrCat("host=127.0.0.1 port=", port,
                                           " user=postgres dbname=postgres "
                                           "connect_timeout=10")
                                  .c_str());
    if (PQstatus(connection_) != CONNECTION_OK) {
      return absl::StrCat("cannot connect: ", PQerrorMessage(connection_), ReadWholeFile(log_));
    }
    return "";
  }

  void Stop() {
    if (connection_ != nullptr) PQfinish(connection_);
    connection_ = nullptr;
    if (started_) {
      Run(Command({pg_ctl_, "-D", data_, "-m", "immediate", "-w", "-t", "20", "stop"}),
          dir_ / "pg_ctl.log", std::chrono::seconds(30));
      started_ = false;
    }
    if (!dir_.empty()) {
      std::error_code ignored;
      fs::remove_all(dir_, ignored);
    }
  }

  PGconn* connection() const { return connection_; }

 private:
  std::vector<std::string> Command(std::vector<std::string> argv) const {
    argv.insert(argv.begin(), as_postgres_.begin(), as_postgres_.end());
    return argv;
  }

  fs::path dir_;
  fs::path log_;
  std::vector<std::string> as_postgres_;
  std::string pg_ctl_;
  std::string data_;
  bool started_ = false;
  PGconn* connection_ = nullptr;
};

class MaskingPostgresTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ThrowawayPostgres();
    start_error_ = server_->Start();
  }
  static void TearDownTestSuite() {
    server_->Stop();
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(start_error_, "") << "PostgreSQL did not start"; }

  // Runs `sql`, binding `parameters` to $1, $2, … (nullptr binds NULL), and
  // returns the single value it selects, parsed as JSON.
  static json Query(const std::string& sql, const std::vector<const char*>& parameters = {}) {
    PGresult* result =
        PQexecParams(server_->connection(), sql.c_str(), static_cast<int>(parameters.size()),
                     nullptr, parameters.data(), nullptr, nullptr, 0);
    json answer = json::value_t::discarded;
    if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1) {
      answer = PQgetisnull(result, 0, 0) ? json(nullptr) : json::parse(PQgetvalue(result, 0, 0));
    } else {
      ADD_FAILURE() << PQresultErrorMessage(result) << sql;
    }
    PQclear(result);
    return answer;
  }

  static void Execute(const std::string& sql) {
    PGresult* result = PQexec(server_->connection(), sql.c_str());
    EXPECT_EQ(PQresultStatus(result), PGRES_COMMAND_OK) << PQresultErrorMessage(result);
    PQclear(result);
  }

  static ThrowawayPostgres* server_;
  static std::string start_error_;
};

ThrowawayPostgres* MaskingPostgresTest::server_ = nullptr;
std::string MaskingPostgresTest::start_error_;

const std::string kKey = "0123456789abcdef0123456789abcdef";
const std::string kLongKey(131, '\xaa');  // longer than the HMAC block

struct Case {
  std::string sql_type;  // how PostgreSQL holds the value
  json value;            // how Cadastre holds it
};

// The text PostgreSQL reads the value from: the parameter list for $1.
struct Parameter {
  explicit Parameter(const json& value)
      : text(value.is_string() ? value.get<std::string>() : value.dump()),
        list({value.is_null() ? nullptr : text.c_str()}) {}
  std::string text;
  std::vector<const char*> list;
};

TEST_F(MaskingPostgresTest, EveryMaskTypeComputesWhatCadastreServes) {
  const std::vector<Case> cases = {
      {"text", "Hello, World 42!"},
      {"text", "alice@example.com"},
      {"text", "1234-5678-9012-3456"},
      {"text", "Zo\u00eb \u00c5ngstr\u00f6m"},
      {"text", "\u6771\u4eac\u30bf\u30ef\u30fc"},
      {"text", "a\U0001F600b\U0001F600c"},
      {"text", "\U0001F469\u200D\U0001F4BB"},  // a ZWJ sequence: three code points
      {"text", "abc"},
      {"text", "abcd"},
      {"text", "abcde"},
      {"text", ""},
      {"text", "tab\there\nnew line ~`'\"\\ $1 {col}"},
      {"text", "Robert'); DROP TABLE students;--"},
      {"text", nullptr},
      {"bigint", 0},
      {"bigint", 1234},
      {"bigint", -7},
      {"bigint", 9007199254740993},
      {"bigint", nullptr},
      {"float8", 1.5},
      {"float8", -0.5},
      {"float8", 100.0},
      {"float8", -0.0},
      {"float8", 1e20},
      {"float8", 0.0001},
      {"float8", 1e-5},
      {"float8", 123456789012345.6},
      {"boolean", true},
      {"boolean", false},
      {"date", "2024-03-05"},
  };
  const std::vector<v1::MaskType> types = {
      v1::MASK,      v1::MASK_SHOW_FIRST_4, v1::MASK_SHOW_LAST_4,
      v1::MASK_NULL, v1::MASK_NONE,         v1::MASK_TYPE_UNSPECIFIED};
  for (const Case& c : cases) {
    const std::string column = absl::StrCat("$1::", c.sql_type);
    std::vector<std::string> expressions;
    json expected = json::array();
    for (v1::MaskType type : types) {
      expressions.push_back(MaskExpression(type, Dialect::kPostgres, column, "", kKey));
      expected.push_back(MaskValue(type, c.value, kKey));
    }
    for (const std::string& key : {kKey, kLongKey}) {
      expressions.push_back(MaskExpression(v1::MASK_HASH, Dialect::kPostgres, column, "", key));
      expected.push_back(MaskValue(v1::MASK_HASH, c.value, key));
    }
    const json actual =
        Query(absl::StrCat("SELECT json_build_array(", absl::StrJoin(expressions, ", "), ")::text"),
              Parameter(c.value).list);
    ASSERT_TRUE(actual.is_array()) << c.value;
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(actual[i], expected[i])
          << c.sql_type << " " << c.value.dump() << " expression " << i << ": " << expressions[i];
    }
  }
}

TEST_F(MaskingPostgresTest, DateShowYearOfDatesTimestampsAndIsoText) {
  const std::vector<Case> cases = {
      {"date", "2024-03-05"},
      {"date", "0999-05-01"},
      {"timestamp", "2024-12-31 23:59:59.999"},
      {"text", "2024-02-29"},
      {"text", "2024-03-05T10:11:12Z"},
      {"text", "2024-12-31T23:30:00-05:00"},
      {"text", "2024-01-01T00:30:00+02:00"},
      {"text", "2024-03-05 10:11:12.123456"},
      {"text", nullptr},
  };
  for (const Case& c : cases) {
    const std::string sql = MaskExpression(v1::MASK_DATE_SHOW_YEAR, Dialect::kPostgres,
                                           absl::StrCat("$1::", c.sql_type), "", kKey);
    EXPECT_EQ(Query(absl::StrCat("SELECT to_json(", sql, ")::text"), Parameter(c.value).list),
              MaskValue(v1::MASK_DATE_SHOW_YEAR, c.value, kKey))
        << c.sql_type << " " << c.value.dump() << ": " << sql;
  }
}

TEST_F(MaskingPostgresTest, QuotedAndNestedColumnsResolve) {
  Execute("CREATE TYPE address_t AS (city text, zip text)");
  const std::string city = QuoteIdentifier(Dialect::kPostgres, "address.city");
  const std::string odd = QuoteIdentifier(Dialect::kPostgres, "we\"ird name");
  const std::string sql = absl::StrCat(
      "WITH t AS (SELECT ROW('Z\u00fcrich', '8001')::address_t AS address, "
      "'secret-value'::text AS \"we\"\"ird name\") SELECT json_build_array(",
      MaskExpression(v1::MASK, Dialect::kPostgres, city, "", kKey), ", ",
      MaskExpression(v1::MASK_SHOW_LAST_4, Dialect::kPostgres, odd, "", kKey), ")::text FROM t");
  EXPECT_EQ(Query(sql), json::array({MaskValue(v1::MASK, "Z\u00fcrich", kKey),
                                     MaskValue(v1::MASK_SHOW_LAST_4, "secret-value", kKey)}));
}

TEST_F(MaskingPostgresTest, CustomExpressionRunsWithTheColumnSubstituted) {
  const std::string sql = MaskExpression(v1::CUSTOM, Dialect::kPostgres, "$1::text",
                                         "left({col}, 1) || repeat('*', length({col}) - 1)", kKey);
  EXPECT_EQ(Query(absl::StrCat("SELECT to_json(", sql, ")::text"), {"Alice"}), "A****");
}

}  // namespace
}  // namespace cadastre::policy
