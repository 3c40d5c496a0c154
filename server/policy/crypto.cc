#include "server/policy/crypto.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace cadastre::policy {

std::string Sha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), len);
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  // OpenSSL reads a null key pointer as "no key"; an empty key is a key.
  static const char kEmpty = 0;
  const char* key_bytes = key.empty() ? &kEmpty : key.data();
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_bytes, static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  return std::string(reinterpret_cast<const char*>(mac), len);
}

}  // namespace cadastre::policy
