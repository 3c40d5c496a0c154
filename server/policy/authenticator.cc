#include "server/policy/authenticator.h"
#include "server/common/strings.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/time_util.h"
#include "server/common/status.h"

namespace cadastre::policy {
namespace {

using google::protobuf::util::TimeUtil;

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    // OpenSSL's CSPRNG does not fail on a healthy system; refusing to go on
    // is better than issuing a guessable token.
    std::abort();
  }
  return out;
}

google::protobuf::Timestamp ToProto(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

absl::Status WriteSecretFile(const std::string& path, std::string_view content) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  std::string data = absl::StrCat(Absl(content), "\n");
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

// The one answer for a credential that names no usable principal, so that
// a client cannot probe which tokens or principal names exist.
constexpr char kInvalidCredentials[] = "invalid token";

absl::StatusOr<Caller> CallerOf(store::ReadTxn& txn, std::string_view principal_name) {
  ASSIGN_OR_RETURN(v1::Principal principal, txn.GetPrincipal(principal_name));
  Caller caller;
  caller.principal = principal.name();
  caller.roles.assign(principal.roles().begin(), principal.roles().end());
  return caller;
}

}  // namespace


std::string NewRandomId() { return absl::BytesToHexString(RandomBytes(8)); }

std::string NewTokenSecret() {
  return absl::StrCat("cad_", absl::WebSafeBase64Escape(RandomBytes(32)));
}

absl::StatusOr<Caller> Authenticator::Authenticate(std::string_view authorization) const {
  if (authorization.empty()) {
    return absl::UnauthenticatedError("missing bearer token (Authorization: Bearer <token>)");
  }
  absl::string_view token = Absl(authorization);
  if (!absl::ConsumePrefix(&token, "Bearer ") && !absl::ConsumePrefix(&token, "bearer ")) {
    return absl::UnauthenticatedError("the Authorization header must be 'Bearer <token>'");
  }
  token = absl::StripAsciiWhitespace(token);
  if (token.empty() || token.size() > 512) {
    return absl::UnauthenticatedError("invalid token");
  }
  const std::string hash = HashToken(std::string_view(token.data(), token.size()));
  const CacheStamp now_stamp{store_->Generation(), 0};
  std::shared_ptr<const KnownToken> known =
      now_stamp.store % 2 == 0 ? known_.Find(hash, now_stamp) : nullptr;
  if (known == nullptr) {
    absl::Status status = store_->Read([&](store::ReadTxn& txn) -> absl::Status {
      auto info = txn.GetTokenByHash(hash);
      if (!info.ok()) return info.status();
      if (info->has_revoked_at()) return absl::NotFoundError("revoked");
      KnownToken found;
      if (info->has_expires_at()) {
        found.expires_us = TimeUtil::TimestampToMicroseconds(info->expires_at());
      }
      ASSIGN_OR_RETURN(found.caller, CallerOf(txn, info->principal()));
      known = std::make_shared<const KnownToken>(std::move(found));
      // No write started or ended during the read: what it found stands.
      const CacheStamp read_at{txn.generation(), 0};
      if (read_at.store % 2 == 0 && store_->Generation() == read_at.store) {
        known_.Put(hash, read_at, known, 1);
      }
      return absl::OkStatus();
    });
    if (absl::IsNotFound(status)) return absl::UnauthenticatedError(kInvalidCredentials);
    if (!status.ok()) return status;
  }
  if (known->expires_us && *known->expires_us <= absl::ToUnixMicros(clock_->Now())) {
    return absl::UnauthenticatedError(kInvalidCredentials);
  }
  return known->caller;
}

absl::StatusOr<Caller> Authenticator::AuthenticateCertificate(std::string_view common_name) const {
  Caller caller;
  absl::Status status = store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(caller, CallerOf(txn, common_name));
    return absl::OkStatus();
  });
  if (absl::IsNotFound(status)) return absl::UnauthenticatedError(kInvalidCredentials);
  if (!status.ok()) return status;
  return caller;
}

absl::StatusOr<BootstrapResult> BootstrapAdmin(store::Store* store, const Clock* clock,
                                               std::string_view admin_token,
                                               const std::string& token_file) {
  BootstrapResult result;
  int count = 0;
  RETURN_IF_ERROR(store->Read([&](store::ReadTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(count, txn.CountPrincipals());
    return absl::OkStatus();
  }));
  if (count > 0) return result;
  const std::string secret = admin_token.empty() ? NewTokenSecret() : std::string(admin_token);
  // The file is written before the token is committed: a crash in between
  // leaves a stale file that the next start overwrites, never an admin
  // whose token nobody knows.
  if (admin_token.empty()) {
    RETURN_IF_ERROR(WriteSecretFile(token_file, secret));
    result.token_file = token_file;
  }
  RETURN_IF_ERROR(store->Write([&](store::WriteTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(int again, txn.CountPrincipals());
    if (again > 0) return absl::OkStatus();
    v1::Principal admin;
    admin.set_name("admin");
    admin.set_kind("user");
    admin.add_roles("admin");
    *admin.mutable_created_at() = ToProto(clock->Now());
    RETURN_IF_ERROR(txn.PutPrincipal(admin));
    v1::TokenInfo token;
    token.set_id(NewRandomId());
    token.set_principal("admin");
    *token.mutable_created_at() = admin.created_at();
    RETURN_IF_ERROR(txn.PutToken(token, HashToken(secret)));
    result.created = true;
    return absl::OkStatus();
  }));
  return result;
}

}  // namespace cadastre::policy
