// The emitter's spool: one file per event in a directory, named so that
// names sort in the order the events were written. Not part of the SDK's API.
//
//   <dir>/.lock                       flock()ed while an emitter uses the directory
//   <dir>/00001763800000123456.json   an event waiting for acknowledgement
//   <dir>/00001763800000123456.json.tmp  a write that did not finish (removed at open)
//   <dir>/rejected/…                  events the server refused for good
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace cadastre::sdk::internal {

class Spool {
 public:
  // Creates the directory (and rejected/) when missing and locks it.
  // FAILED_PRECONDITION when another open Spool holds the lock.
  static absl::StatusOr<Spool> Open(const std::string& dir, bool fsync);

  Spool(Spool&& other) noexcept;
  Spool& operator=(Spool&& other) = delete;
  Spool(const Spool&) = delete;
  ~Spool();  // releases the lock

  // The events left by an earlier process, oldest first (paths).
  std::vector<std::string> Pending() const { return pending_; }

  // Writes an event durably (temporary file, fsync, rename, fsync of the
  // directory) and answers its path. Not thread-safe: one writer at a time.
  absl::StatusOr<std::string> Write(const std::string& json);
  absl::StatusOr<std::string> Read(const std::string& path) const;
  // After acknowledgement. A file already gone is fine.
  void Remove(const std::string& path) const;
  // Moves the file to rejected/.
  void Reject(const std::string& path) const;

  const std::string& dir() const { return dir_; }

 private:
  Spool(std::string dir, bool fsync, int lock_fd, int dir_fd)
      : dir_(std::move(dir)), fsync_(fsync), lock_fd_(lock_fd), dir_fd_(dir_fd) {}

  std::string dir_;
  bool fsync_;
  int lock_fd_ = -1;
  int dir_fd_ = -1;
  int64_t last_name_ = 0;
  std::vector<std::string> pending_;
};

}  // namespace cadastre::sdk::internal
