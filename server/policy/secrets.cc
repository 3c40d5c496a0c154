#include "server/policy/secrets.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/common/strings.h"
#include "server/policy/crypto.h"

namespace cadastre::policy {
namespace {

absl::Status ErrnoError(int error, std::string_view action, const std::string& path) {
  return absl::ErrnoToStatus(error, absl::StrCat(Absl(action), " ", path));
}

// Closes a file descriptor when it goes out of scope.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() { ::close(fd_); }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

absl::StatusOr<std::string> ReadSecret(int fd, const std::string& path) {
  FdCloser closer(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoError(errno, "cannot stat", path);
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("the secret ", path, " is not a regular file"));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "the secret %s has mode %04o: group or others may use it; run chmod 600 %s and consider "
        "it leaked if others had access",
        path, st.st_mode & 07777, path));
  }
  if (st.st_size != static_cast<off_t>(kSecretBytes)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the secret ", path, " holds ", st.st_size, " bytes instead of ", kSecretBytes,
        ": it is damaged or not Cadastre's; restore it from a backup (a new secret changes "
        "every MASK_HASH pseudonym)"));
  }
  std::string secret(kSecretBytes, '\0');
  size_t done = 0;
  while (done < secret.size()) {
    ssize_t n = ::read(fd, secret.data() + done, secret.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError(errno, "cannot read", path);
    if (n == 0) return absl::DataLossError(absl::StrCat("the secret ", path, " was truncated"));
    done += static_cast<size_t>(n);
  }
  return secret;
}

absl::StatusOr<std::string> Load(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(errno, "cannot open", path);
  return ReadSecret(fd, path);
}

// Writes all of `data` and syncs it; returns 0 or the errno of the failed step.
int WriteAndSync(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return ::fsync(fd) == 0 ? 0 : errno;
}

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Writes `secret` to a private temporary file beside `path`, then links it
// to `path`: link(2), unlike rename(2), fails when `path` already exists.
absl::Status Publish(const std::string& path, std::string_view secret) {
  std::string temp = absl::StrCat(path, ".tmp.XXXXXX");
  int fd = ::mkstemp(temp.data());  // mode 0600
  if (fd < 0) return ErrnoError(errno, "cannot create the secret", path);
  int error = WriteAndSync(fd, secret);
  ::close(fd);
  if (error == 0 && ::link(temp.c_str(), path.c_str()) != 0) error = errno;
  ::unlink(temp.c_str());
  if (error == EEXIST) return absl::AlreadyExistsError(path);
  if (error != 0) return ErrnoError(error, "cannot create the secret", path);
  // The new name must survive a crash as well as the bytes behind it.
  int dir = ::open(DirectoryOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> LoadOrCreateSecret(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) return ReadSecret(fd, path);
  if (errno != ENOENT) return ErrnoError(errno, "cannot open", path);

  std::string secret(kSecretBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()), kSecretBytes) != 1) {
    return absl::InternalError("the random number generator failed");
  }
  absl::Status published = Publish(path, secret);
  // Another process published first: use its secret, as it does.
  if (absl::IsAlreadyExists(published)) return Load(path);
  if (!published.ok()) return published;
  return secret;
}

std::string DeriveKey(std::string_view master, std::string_view label) {
  return HmacSha256(master, label);
}

}  // namespace cadastre::policy
