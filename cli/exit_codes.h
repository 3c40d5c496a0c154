// The CLI's exit codes: one table, from the gRPC status codes the server answers.
#pragma once

#include "absl/status/status.h"

namespace cadastre::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 1,          // bad arguments or options (the parser's message and --help)
  kExitNotFound = 2,       // NOT_FOUND
  kExitAuth = 3,           // UNAUTHENTICATED, PERMISSION_DENIED
  kExitUnavailable = 4,    // UNAVAILABLE, DEADLINE_EXCEEDED: the server cannot be reached
  kExitInvalid = 5,        // the input was refused: INVALID_ARGUMENT, FAILED_PRECONDITION, …
  kExitVerifyFailed = 6,   // DATA_LOSS: `audit verify` found the chain broken
  kExitError = 7,          // anything else (INTERNAL, UNIMPLEMENTED, …)
};

ExitCode ExitCodeOf(absl::StatusCode code);

}  // namespace cadastre::cli
