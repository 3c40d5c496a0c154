// Hashing with OpenSSL, kept in the security code.
#pragma once

#include <string>
#include <string_view>

namespace cadastre::policy {

// The raw 32-byte SHA-256 of `data`.
std::string Sha256(std::string_view data);

// The raw 32-byte HMAC-SHA-256 (RFC 2104) of `data` under `key`. Any key
// length is accepted, the empty key included; keys longer than the 64-byte
// block are hashed first, as the RFC says.
std::string HmacSha256(std::string_view key, std::string_view data);

}  // namespace cadastre::policy
