// Authentication by bearer token or client certificate. Tokens are random
// secrets shown once; only their SHA-256 is stored, so the database never
// holds a usable token.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "server/common/clock.h"
#include "server/common/stamped_cache.h"
#include "server/policy/caller.h"
#include "server/policy/crypto.h"
#include "server/store/store.h"

namespace cadastre::policy {

// The raw 32-byte SHA-256 of a token secret.
inline std::string HashToken(std::string_view secret) { return Sha256(secret); }

// A new random token secret: "cad_" followed by 43 base64url characters.
std::string NewTokenSecret();
// A new random identifier (of a token or a grant): 16 hex characters.
std::string NewRandomId();

class Authenticator {
 public:
  Authenticator(store::Store* store, const Clock* clock)
      : store_(store), clock_(clock) {}

  // Resolves an `Authorization` header value ("Bearer <token>") to the
  // calling principal. UNAUTHENTICATED when the header is missing or
  // malformed, or the token is unknown, expired or revoked; the message
  // does not say which of the last three it was.
  absl::StatusOr<Caller> Authenticate(std::string_view authorization) const;

  // Resolves the Common Name of a client certificate, which the TLS layer
  // has verified against --tls-client-ca, to the principal of that name.
  // UNAUTHENTICATED, with the message an unknown token gets, when no
  // principal has that name.
  absl::StatusOr<Caller> AuthenticateCertificate(std::string_view common_name) const;

 private:
  // What a token stands for, kept while nothing is written: revoking it,
  // or changing its principal's roles, moves the store's generation.
  struct KnownToken {
    Caller caller;  // principal and roles
    std::optional<int64_t> expires_us;
  };
  static constexpr size_t kKnownTokens = 10000;

  store::Store* store_;
  const Clock* clock_;
  mutable StampedCache<KnownToken> known_{kKnownTokens};  // by hash, each costing 1
};

struct BootstrapResult {
  bool created = false;    // false when principals already existed
  std::string token_file;  // set when a generated token was written
};

// At first start (no principals yet) creates the principal "admin" with the
// admin role and one token: `admin_token` when not empty, otherwise a
// generated one written to `token_file` with mode 0600.
absl::StatusOr<BootstrapResult> BootstrapAdmin(store::Store* store,
                                               const Clock* clock,
                                               std::string_view admin_token,
                                               const std::string& token_file);

}  // namespace cadastre::policy
