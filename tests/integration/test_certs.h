// Certificates for TLS tests, made with OpenSSL while the test runs: a
// self-signed CA and the server and client certificates it issues (P-256
// keys, valid from an hour ago for a day). Everything is PEM text.
#pragma once

#include <filesystem>
#include <string>

namespace cadastre::testing {

struct CertAndKey {
  std::string cert_pem;
  std::string key_pem;
};

class TestCa {
 public:
  // A new CA whose subject Common Name is `common_name`.
  explicit TestCa(const std::string& common_name);

  // A server certificate for IP 127.0.0.1 and DNS localhost.
  CertAndKey IssueServer() const;
  // A client certificate whose subject Common Name is `common_name`.
  CertAndKey IssueClient(const std::string& common_name) const;

  const std::string& cert_pem() const { return self_.cert_pem; }

 private:
  CertAndKey self_;
};

// Writes `content` to `path`, aborting the test process when it cannot.
void WriteTextFile(const std::filesystem::path& path, const std::string& content);

}  // namespace cadastre::testing
