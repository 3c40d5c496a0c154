// Debian's abseil is built with its own absl::string_view (not an alias of
// std::string_view), so the two do not convert implicitly. Interfaces here
// take std::string_view; Absl() converts where an absl function wants one.
#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace cadastre {

inline absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace cadastre
