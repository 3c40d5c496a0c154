// Reading and writing the CLI's local files.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace cadastre::cli {

// The whole file; "-" is standard input. INVALID_ARGUMENT naming the file
// when it cannot be read.
absl::StatusOr<std::string> ReadInput(const std::string& path);

// Replaces `path` with `text` atomically: a temporary file beside it,
// flushed to disk, then renamed over it, so a reader (or a crash) sees the
// old content or the new, never half of it.
absl::Status WriteFileAtomically(const std::string& path, const std::string& text);

}  // namespace cadastre::cli
