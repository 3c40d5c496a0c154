#include "server/policy/tls_files.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "server/common/status.h"
#include "server/common/strings.h"

namespace cadastre::policy {
namespace {

struct OpenSslFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
  void operator()(X509* cert) const { X509_free(cert); }
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using X509Ptr = std::unique_ptr<X509, OpenSslFree>;
using KeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree>;

// Refuses a passphrase instead of asking for one on the terminal.
int NoPassphrase(char*, int, int, void*) { return 0; }

std::unique_ptr<BIO, OpenSslFree> MemoryBio(const std::string& pem) {
  return std::unique_ptr<BIO, OpenSslFree>(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

X509Ptr FirstCertificate(const std::string& pem) {
  return X509Ptr(PEM_read_bio_X509(MemoryBio(pem).get(), nullptr, NoPassphrase, nullptr));
}

absl::StatusOr<std::string> ReadFile(std::string_view flag, std::string_view path) {
  std::ifstream in{std::string(path), std::ios::binary};
  if (!in.is_open()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read the ", Absl(flag), " file ", Absl(path), ": ", std::strerror(errno)));
  }
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

absl::Status BadFile(std::string_view flag, std::string_view path, std::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat("the ", Absl(flag), " file ", Absl(path), " ", Absl(problem)));
}

absl::StatusOr<TlsFiles> ReadAndCheck(std::string_view cert_path, std::string_view key_path,
                                      std::string_view client_ca_path) {
  TlsFiles files;
  ASSIGN_OR_RETURN(files.cert_pem, ReadFile("--tls-cert", cert_path));
  X509Ptr cert = FirstCertificate(files.cert_pem);
  if (cert == nullptr) return BadFile("--tls-cert", cert_path, "holds no PEM certificate");

  ASSIGN_OR_RETURN(files.key_pem, ReadFile("--tls-key", key_path));
  KeyPtr key(PEM_read_bio_PrivateKey(MemoryBio(files.key_pem).get(), nullptr, NoPassphrase,
                                     nullptr));
  if (key == nullptr) return BadFile("--tls-key", key_path, "holds no unencrypted PEM private key");
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    return BadFile("--tls-key", key_path,
                   absl::StrCat("does not hold the key of the --tls-cert certificate ",
                                Absl(cert_path)));
  }

  if (client_ca_path.empty()) return files;
  ASSIGN_OR_RETURN(files.client_ca_pem, ReadFile("--tls-client-ca", client_ca_path));
  if (FirstCertificate(files.client_ca_pem) == nullptr) {
    return BadFile("--tls-client-ca", client_ca_path, "holds no PEM certificate");
  }
  return files;
}

}  // namespace

absl::StatusOr<TlsFiles> LoadTlsFiles(std::string_view cert_path, std::string_view key_path,
                                      std::string_view client_ca_path) {
  if (cert_path.empty() && key_path.empty()) {
    if (client_ca_path.empty()) return TlsFiles{};
    return absl::InvalidArgumentError("--tls-client-ca needs --tls-cert and --tls-key");
  }
  if (key_path.empty()) return absl::InvalidArgumentError("--tls-cert needs --tls-key");
  if (cert_path.empty()) return absl::InvalidArgumentError("--tls-key needs --tls-cert");
  absl::StatusOr<TlsFiles> files = ReadAndCheck(cert_path, key_path, client_ca_path);
  // A failed parse leaves errors queued on this thread; the TLS servers
  // started next must not mistake them for their own.
  ERR_clear_error();
  return files;
}

}  // namespace cadastre::policy
