// Hashing with OpenSSL, kept in the security code.
#pragma once

#include <string>
#include <string_view>

namespace cadastre::policy {

// The raw 32-byte SHA-256 of `data`.
std::string Sha256(std::string_view data);

}  // namespace cadastre::policy
