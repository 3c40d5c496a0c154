// The server's TLS material (--tls-cert, --tls-key, --tls-client-ca), read
// once at start-up and checked with OpenSSL, so that a wrong file stops the
// server with a message naming it instead of failing every handshake later.
// Files changed later are not reloaded: restart the server.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace cadastre::policy {

struct TlsFiles {
  std::string cert_pem;       // the server's certificate, then any intermediates
  std::string key_pem;        // its private key
  std::string client_ca_pem;  // CAs a client certificate must chain to; empty: none asked for

  bool enabled() const { return !cert_pem.empty(); }
};

// Reads and checks the PEM files at the given paths. All paths empty: TLS is
// off and the result is empty. INVALID_ARGUMENT naming the flag when only
// one of cert and key is given, or a client CA without them; naming the file
// when it cannot be read, holds no certificate (the key file: no unencrypted
// private key), or the key does not belong to the certificate.
absl::StatusOr<TlsFiles> LoadTlsFiles(std::string_view cert_path, std::string_view key_path,
                                      std::string_view client_ca_path);

}  // namespace cadastre::policy
