// TLS and client-certificate authentication, over both transports, against
// the real server with certificates made at test time (test_certs.h): HTTPS
// and gRPC over TLS with a bearer token, a client certificate whose Common
// Name is a principal instead of a token, the certificates and tokens that
// must be refused, and the start-up errors of incomplete flags and unusable
// files.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cadastre/client.h"
#include "cadastre/v1/catalog.grpc.pb.h"
#include "suite_server.h"
#include "test_certs.h"

namespace cadastre::testing {
namespace {

namespace v1 = cadastre::v1;
using grpc::StatusCode;

// When the server ends a handshake by closing the connection, the client's
// next TLS write goes to a closed socket; OpenSSL writes with write(2), so
// that is SIGPIPE, which would end the test process instead of failing the
// request.
[[maybe_unused]] const bool kSigpipeIgnored = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

// The files of these tests, made once per test process in a temp dir:
// ca.pem, server.{pem,key} for 127.0.0.1/localhost, and client certificates
// {admin,stranger,rogue}.{pem,key}: "admin" names the principal every server
// starts with, "stranger" names none, and "rogue" says "admin" but comes
// from another CA. tls.ini turns TLS on through the config file.
class TestFiles {
 public:
  TestFiles() : dir_(std::filesystem::temp_directory_path() /
                     ("cadastre-tls-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir_);
    const TestCa ca("Cadastre Test CA");
    const TestCa other_ca("Some Other CA");
    WriteTextFile(Path("ca.pem"), ca.cert_pem());
    Write("server", ca.IssueServer());
    Write("admin", ca.IssueClient("admin"));
    Write("stranger", ca.IssueClient("stranger"));
    Write("rogue", other_ca.IssueClient("admin"));
    WriteTextFile(Path("tls.ini"), "tls-cert = \"" + Path("server.pem") +
                                       "\"\ntls-key = \"" +
                                       Path("server.key") + "\"\n");
  }
  ~TestFiles() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

 private:
  void Write(const std::string& name, const CertAndKey& pair) {
    WriteTextFile(Path(name + ".pem"), pair.cert_pem);
    WriteTextFile(Path(name + ".key"), pair.key_pem);
  }

  std::filesystem::path dir_;
};

const TestFiles& Files() {
  static const TestFiles files;
  return files;
}

std::string ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// What a REST call answered: the HTTP status and body, or status 0 and
// httplib's error when no response came (connection or handshake failed).
struct RestReply {
  int status = 0;
  std::string body;
};

// A client of the server on `port` that speaks HTTPS, trusts the test CA
// and presents the client certificate `cert` ("": none).
std::unique_ptr<httplib::Client> HttpsClient(int port, const std::string& cert) {
  const std::string base = "https://127.0.0.1:" + std::to_string(port);
  auto client = cert.empty() ? std::make_unique<httplib::Client>(base)
                             : std::make_unique<httplib::Client>(
                                   base, Files().Path(cert + ".pem"),
                                   Files().Path(cert + ".key"));
  client->set_ca_cert_path(Files().Path("ca.pem"));
  client->set_connection_timeout(5, 0);
  client->set_read_timeout(10, 0);
  return client;
}

RestReply Send(httplib::Client& client, const std::string& method,
               const std::string& path, const std::string& authorization,
               const std::string& body = "") {
  httplib::Headers headers;
  if (!authorization.empty()) headers.emplace("Authorization", authorization);
  httplib::Result result =
      method == "GET" ? client.Get(path, headers)
                      : client.Put(path, headers, body, "application/json");
  if (!result) return {0, httplib::to_string(result.error())};
  return {result->status, result->body};
}

// A channel to the server on `port` over TLS that trusts the test CA and
// presents the client certificate `cert` ("": none).
std::shared_ptr<grpc::Channel> TlsChannel(int port, const std::string& cert) {
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = ReadTextFile(Files().Path("ca.pem"));
  if (!cert.empty()) {
    tls.pem_cert_chain = ReadTextFile(Files().Path(cert + ".pem"));
    tls.pem_private_key = ReadTextFile(Files().Path(cert + ".key"));
  }
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetSslTargetNameOverride("localhost");
  return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port),
                                   grpc::SslCredentials(tls), args);
}

grpc::Status ListNamespaces(const std::shared_ptr<grpc::Channel>& channel,
                            const std::string& authorization) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!authorization.empty()) context.AddMetadata("authorization", authorization);
  v1::ListNamespacesResponse response;
  return v1::CatalogService::NewStub(channel)->ListNamespaces(
      &context, v1::ListNamespacesRequest(), &response);
}

// What ListNamespaces answered over each transport.
struct Answers {
  RestReply rest;
  grpc::Status grpc;
};

// Calls ListNamespaces on `server` over both transports with the client
// certificate `cert` ("": none) and the Authorization `authorization` ("":
// none), and expects HTTP `http_status` (0: no HTTP response at all) and
// gRPC `grpc_code`. Returns the answers for further checks.
Answers ExpectListNamespaces(const ServerProcess& server, const std::string& cert,
                             const std::string& authorization, int http_status,
                             StatusCode grpc_code) {
  const Answers answers{
      Send(*HttpsClient(server.http_port(), cert), "GET", "/api/v1/namespaces", authorization),
      ListNamespaces(TlsChannel(server.grpc_port(), cert), authorization)};
  const std::string call = "cert '" + cert + "', authorization '" + authorization + "': ";
  EXPECT_EQ(answers.rest.status, http_status) << call << answers.rest.body;
  EXPECT_EQ(answers.grpc.error_code(), grpc_code) << call << answers.grpc.error_message();
  return answers;
}

std::string MessageOf(const RestReply& reply) {
  const auto body = nlohmann::json::parse(reply.body, nullptr, false);
  return body.is_object() ? body["error"].value("message", "") : reply.body;
}

std::string TokenOf(const ServerProcess& server) { return "Bearer " + server.token(); }

constexpr char kBadToken[] = "Bearer cad_not-a-token";

// ----------------------------------------------- TLS with client certificates

class MutualTlsTest : public SuiteServerTest<MutualTlsTest> {
 public:
  static ServerOptions Options() {
    ServerOptions options;
    options.extra_args = {"--tls-cert", Files().Path("server.pem"),
                          "--tls-key", Files().Path("server.key"),
                          "--tls-client-ca", Files().Path("ca.pem")};
    options.tls_ca_file = Files().Path("ca.pem");
    return options;
  }
};

TEST_F(MutualTlsTest, BearerTokenWorksWithoutClientCertificate) {
  ExpectListNamespaces(server(), "", TokenOf(server()), 200, StatusCode::OK);
}

TEST_F(MutualTlsTest, HealthNeedsNoCredentials) {
  const RestReply rest = Send(*HttpsClient(server().http_port(), ""), "GET", "/healthz", "");
  EXPECT_EQ(rest.status, 200) << rest.body;
}

TEST_F(MutualTlsTest, PlaintextClientsCannotTalkToTheTlsPorts) {
  httplib::Client plain("127.0.0.1", server().http_port());
  plain.set_connection_timeout(5, 0);
  plain.set_read_timeout(10, 0);
  const RestReply rest = Send(plain, "GET", "/api/v1/namespaces", TokenOf(server()));
  EXPECT_EQ(rest.status, 0) << rest.body;

  const grpc::Status grpc = ListNamespaces(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(server().grpc_port()),
                          grpc::InsecureChannelCredentials()),
      TokenOf(server()));
  EXPECT_EQ(grpc.error_code(), StatusCode::UNAVAILABLE) << grpc.error_message();
}

TEST_F(MutualTlsTest, AdminCertificateAuthenticatesWithoutToken) {
  const std::string dataset = "/api/v1/namespaces/tls-ns/datasets/public.orders";
  auto client = HttpsClient(server().http_port(), "admin");
  RestReply put = Send(*client, "PUT", "/api/v1/namespaces/tls-ns", "", "{}");
  ASSERT_EQ(put.status, 200) << put.body;
  put = Send(*client, "PUT", dataset, "", R"({"fields": [{"name": "id", "type": "bigint"}]})");
  ASSERT_EQ(put.status, 200) << put.body;
  const RestReply got = Send(*client, "GET", dataset, "");
  EXPECT_EQ(got.status, 200) << got.body;

  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::GetDatasetRequest request;
  request.set_namespace_("tls-ns");
  request.set_name("public.orders");
  v1::Dataset response;
  const grpc::Status grpc =
      v1::CatalogService::NewStub(TlsChannel(server().grpc_port(), "admin"))
          ->GetDataset(&context, request, &response);
  ASSERT_TRUE(grpc.ok()) << grpc.error_message();
  EXPECT_EQ(response.name(), "public.orders");
  EXPECT_EQ(response.fields_size(), 1);

  ExpectListNamespaces(server(), "admin", "", 200, StatusCode::OK);
}

// The SDK over TLS: with a token, and with the admin's client certificate
// instead of one.
TEST_F(MutualTlsTest, TheSdkSpeaksTlsWithATokenOrAClientCertificate) {
  for (const bool certificate : {false, true}) {
    SCOPED_TRACE(certificate ? "certificate" : "token");
    sdk::ClientOptions options;
    options.target = "localhost:" + std::to_string(server().grpc_port());
    options.tls_ca_file = Files().Path("ca.pem");
    if (certificate) {
      options.client_cert_file = Files().Path("admin.pem");
      options.client_key_file = Files().Path("admin.key");
    } else {
      options.token = server().token();
    }
    auto client = sdk::Client::Connect(options);
    ASSERT_TRUE(client.ok()) << client.status();
    auto listed = (*client)->Call(&v1::CatalogService::Stub::ListNamespaces,
                                  v1::ListNamespacesRequest());
    EXPECT_TRUE(listed.ok()) << listed.status();
  }
  sdk::ClientOptions missing;
  missing.tls_ca_file = Files().Path("no-such-ca.pem");
  EXPECT_EQ(sdk::Client::Connect(missing).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(MutualTlsTest, CertificateNamingNoPrincipalIsUnauthenticated) {
  const Answers stranger =
      ExpectListNamespaces(server(), "stranger", "", 401, StatusCode::UNAUTHENTICATED);
  // The answer does not tell a missing principal from a wrong token.
  const Answers bad_token =
      ExpectListNamespaces(server(), "", kBadToken, 401, StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(MessageOf(stranger.rest), MessageOf(bad_token.rest));
  EXPECT_EQ(stranger.grpc.error_message(), bad_token.grpc.error_message());
}

TEST_F(MutualTlsTest, CertificateFromAnotherCaFailsTheHandshake) {
  // Even with a good token: the connection never gets that far.
  ExpectListNamespaces(server(), "rogue", TokenOf(server()), 0, StatusCode::UNAVAILABLE);
}

TEST_F(MutualTlsTest, NoCertificateAndNoTokenIsUnauthenticated) {
  ExpectListNamespaces(server(), "", "", 401, StatusCode::UNAUTHENTICATED);
}

TEST_F(MutualTlsTest, TokenTakesPrecedenceOverCertificate) {
  // A bad token is refused even beside the admin's certificate…
  ExpectListNamespaces(server(), "admin", kBadToken, 401, StatusCode::UNAUTHENTICATED);
  // …and a good token works beside a certificate naming no principal.
  ExpectListNamespaces(server(), "stranger", TokenOf(server()), 200, StatusCode::OK);
}

// ------------------------------------------ TLS without client certificates

class TlsWithoutClientCaTest : public SuiteServerTest<TlsWithoutClientCaTest> {
 public:
  // The TLS files come from the config file, as an operator may set them.
  static ServerOptions Options() {
    ServerOptions options;
    options.extra_args = {"--config", Files().Path("tls.ini")};
    options.tls_ca_file = Files().Path("ca.pem");
    return options;
  }
};

TEST_F(TlsWithoutClientCaTest, BearerTokenWorksOverTls) {
  ExpectListNamespaces(server(), "", TokenOf(server()), 200, StatusCode::OK);
}

TEST_F(TlsWithoutClientCaTest, ClientCertificateDoesNotAuthenticate) {
  ExpectListNamespaces(server(), "admin", "", 401, StatusCode::UNAUTHENTICATED);
}

// ------------------------------------------------------------ start-up errors

// Starts the server with `args` and expects it to exit with an error whose
// log names `expected`.
void ExpectStartFails(const std::vector<std::string>& args, const std::string& expected) {
  ServerOptions options;
  options.extra_args = args;
  ServerProcess server(options);
  std::string error;
  ASSERT_FALSE(server.Start(&error)) << "the server started with bad TLS flags";
  EXPECT_TRUE(server.last_exit().exited && server.last_exit().exit_code != 0)
      << server.last_exit().ToString();
  EXPECT_NE(server.ReadLog().find(expected), std::string::npos)
      << "the log does not say '" << expected << "':\n" << server.ReadLog();
}

TEST(TlsStartTest, CertificateWithoutKeyIsRefused) {
  ExpectStartFails({"--tls-cert", Files().Path("server.pem")}, "--tls-cert needs --tls-key");
}

TEST(TlsStartTest, ClientCaWithoutCertificateIsRefused) {
  ExpectStartFails({"--tls-client-ca", Files().Path("ca.pem")},
                   "--tls-client-ca needs --tls-cert and --tls-key");
}

TEST(TlsStartTest, MissingFileIsRefusedByName) {
  const std::string missing = Files().Path("no-such.pem");
  ExpectStartFails({"--tls-cert", missing, "--tls-key", Files().Path("server.key")},
                   "cannot read the --tls-cert file " + missing + ": No such file");
}

TEST(TlsStartTest, KeyOfAnotherCertificateIsRefused) {
  ExpectStartFails(
      {"--tls-cert", Files().Path("server.pem"), "--tls-key", Files().Path("admin.key")},
      "does not hold the key of the --tls-cert certificate");
}

TEST(TlsStartTest, FileHoldingNoCertificateIsRefused) {
  ExpectStartFails(
      {"--tls-cert", Files().Path("server.key"), "--tls-key", Files().Path("server.key")},
      "the --tls-cert file " + Files().Path("server.key") + " holds no PEM certificate");
}

}  // namespace
}  // namespace cadastre::testing
