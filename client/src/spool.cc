#include "spool.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace cadastre::sdk::internal {
namespace {

namespace fs = std::filesystem;

constexpr char kSuffix[] = ".json";
constexpr char kTempSuffix[] = ".json.tmp";

absl::Status ErrnoStatus(const std::string& what, const std::string& path) {
  const int error = errno;
  return absl::Status(error == ENOSPC || error == EDQUOT ? absl::StatusCode::kResourceExhausted
                                                         : absl::StatusCode::kInternal,
                      absl::StrCat(what, " ", path, ": ", std::strerror(error)));
}

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Writes all of `data` to `fd`.
bool WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

absl::StatusOr<Spool> Spool::Open(const std::string& dir, bool fsync) {
  std::error_code error;
  fs::create_directories(fs::path(dir) / "rejected", error);
  if (error) {
    return absl::InternalError(absl::StrCat("cannot create the spool directory ", dir, ": ",
                                            error.message()));
  }
  const std::string lock_path = (fs::path(dir) / ".lock").string();
  const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) return ErrnoStatus("cannot open", lock_path);
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd);
    return absl::FailedPreconditionError(
        absl::StrCat("the spool directory ", dir, " is in use by another emitter"));
  }
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) {
    ::close(lock_fd);
    return ErrnoStatus("cannot open", dir);
  }
  Spool spool(dir, fsync, lock_fd, dir_fd);

  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file()) continue;
    if (EndsWith(name, kTempSuffix)) {
      // Its Emit() never returned OK: nobody was promised this event.
      fs::remove(entry.path(), error);
    } else if (EndsWith(name, kSuffix)) {
      names.push_back(name);
      spool.last_name_ = std::max<int64_t>(spool.last_name_, std::atoll(name.c_str()));
    }
  }
  if (error) {
    return absl::InternalError(absl::StrCat("cannot list the spool directory ", dir, ": ",
                                            error.message()));
  }
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) spool.pending_.push_back((fs::path(dir) / name).string());
  return spool;
}

Spool::Spool(Spool&& other) noexcept
    : dir_(std::move(other.dir_)),
      fsync_(other.fsync_),
      lock_fd_(std::exchange(other.lock_fd_, -1)),
      dir_fd_(std::exchange(other.dir_fd_, -1)),
      last_name_(other.last_name_),
      pending_(std::move(other.pending_)) {}

Spool::~Spool() {
  if (dir_fd_ >= 0) ::close(dir_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

absl::StatusOr<std::string> Spool::Write(const std::string& json) {
  // Microseconds since the epoch, strictly increasing, and past every name
  // already in the directory (the clock may have gone back since).
  const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  last_name_ = std::max(now, last_name_ + 1);
  char name[32];
  std::snprintf(name, sizeof(name), "%020lld", static_cast<long long>(last_name_));
  const std::string path = (fs::path(dir_) / (std::string(name) + kSuffix)).string();
  const std::string temp = path + ".tmp";

  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus("cannot create", temp);
  const bool written = WriteAll(fd, json) && (!fsync_ || ::fsync(fd) == 0);
  absl::Status status = written ? absl::OkStatus() : ErrnoStatus("cannot write", temp);
  if (::close(fd) != 0 && status.ok()) status = ErrnoStatus("cannot write", temp);
  if (status.ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    status = ErrnoStatus("cannot rename", temp);
  }
  if (status.ok() && fsync_ && ::fsync(dir_fd_) != 0) status = ErrnoStatus("cannot fsync", dir_);
  if (!status.ok()) {
    ::unlink(temp.c_str());
    return status;
  }
  return path;
}

absl::StatusOr<std::string> Spool::Read(const std::string& path) const {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read the spooled event ", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void Spool::Remove(const std::string& path) const { ::unlink(path.c_str()); }

void Spool::Reject(const std::string& path) const {
  const fs::path from(path);
  std::error_code ignored;
  fs::rename(from, from.parent_path() / "rejected" / from.filename(), ignored);
}

}  // namespace cadastre::sdk::internal
