// The server's master secret and the keys derived from it. One random
// master secret lives in a file beside the database; every use gets its own
// key through DeriveKey, so a key that leaks to one use (MASK_HASH keys are
// handed to query engines) reveals nothing about another's.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace cadastre::policy {

// Size in bytes of the master secret.
inline constexpr size_t kSecretBytes = 32;

// Labels for DeriveKey, one per use. A label is never reused for another
// purpose; a new version of a use takes a new label.
inline constexpr std::string_view kMaskHashKeyLabel = "cadastre/mask-hash/v1";
inline constexpr std::string_view kAuditKeyLabel = "cadastre/audit-checkpoint/v1";

// Returns the kSecretBytes raw bytes stored at `path`, creating the file
// first if there is none: fresh random bytes, mode 0600, published
// atomically (a reader never sees a partial file) and never over an existing
// file (when two processes race, both get the one that was published first).
//
// Refuses, with FAILED_PRECONDITION and a message saying what to do, a file
// that is not a regular file, does not hold exactly kSecretBytes bytes, or
// is readable or writable by group or others. Other I/O failures (missing
// directory, no permission) come back with the errno's status code and the
// path in the message.
absl::StatusOr<std::string> LoadOrCreateSecret(const std::string& path);

// The 32-byte key for the use named `label`: HMAC-SHA-256(master, label).
// Different labels give independent keys; the same inputs, the same key.
std::string DeriveKey(std::string_view master, std::string_view label);

}  // namespace cadastre::policy
