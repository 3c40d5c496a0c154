#include "server/policy/secrets.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "server/policy/crypto.h"

namespace cadastre::policy {
namespace {

namespace fs = std::filesystem;

class SecretFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "cadastre-secrets-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = (dir_ / "master.key").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  void WriteFile(const std::string& content, mode_t mode) {
    std::ofstream(path_, std::ios::binary) << content;
    ASSERT_EQ(::chmod(path_.c_str(), mode), 0);
  }

  mode_t ModeOf(const std::string& path) {
    struct stat st;
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st.st_mode & 07777;
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(SecretFileTest, CreatesAPrivateRandomSecretOnceAndReadsItBack) {
  absl::StatusOr<std::string> created = LoadOrCreateSecret(path_);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->size(), kSecretBytes);
  EXPECT_EQ(ModeOf(path_), 0600u);

  absl::StatusOr<std::string> loaded = LoadOrCreateSecret(path_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(*loaded, *created);

  // Nothing but the secret is left behind (no temporary file).
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(SecretFileTest, TwoNewSecretsDiffer) {
  absl::StatusOr<std::string> first = LoadOrCreateSecret(path_);
  absl::StatusOr<std::string> second = LoadOrCreateSecret((dir_ / "other.key").string());
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(*first, *second);
}

TEST_F(SecretFileTest, KeepsAnExistingSecret) {
  const std::string existing(kSecretBytes, '\x42');
  WriteFile(existing, 0600);
  absl::StatusOr<std::string> loaded = LoadOrCreateSecret(path_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(*loaded, existing);
}

TEST_F(SecretFileTest, RefusesASecretOthersCanRead) {
  for (mode_t mode : {0640, 0604, 0660, 0602}) {
    WriteFile(std::string(kSecretBytes, 'k'), mode);
    absl::StatusOr<std::string> loaded = LoadOrCreateSecret(path_);
    EXPECT_EQ(loaded.status().code(), absl::StatusCode::kFailedPrecondition) << mode;
    {
      const std::string message(loaded.status().message());
      EXPECT_NE(message.find("chmod 600"), std::string::npos) << message;
      EXPECT_NE(message.find(path_), std::string::npos) << message;
    }
  }
}

TEST_F(SecretFileTest, RefusesAFileOfTheWrongSize) {
  for (size_t size : {size_t{0}, kSecretBytes - 1, kSecretBytes + 1}) {
    WriteFile(std::string(size, 'k'), 0600);
    absl::StatusOr<std::string> loaded = LoadOrCreateSecret(path_);
    EXPECT_EQ(loaded.status().code(), absl::StatusCode::kFailedPrecondition) << size;
    EXPECT_NE(loaded.status().message().find(std::to_string(size) + " bytes"), std::string::npos)
        << loaded.status();
  }
  // The refused file is left as it was.
  EXPECT_EQ(fs::file_size(path_), kSecretBytes + 1);
}

TEST_F(SecretFileTest, RefusesADirectory) {
  fs::create_directory(path_);
  EXPECT_EQ(LoadOrCreateSecret(path_).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(SecretFileTest, MissingDirectoryNamesThePath) {
  const std::string path = (dir_ / "missing" / "master.key").string();
  absl::StatusOr<std::string> loaded = LoadOrCreateSecret(path);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(loaded.status().message().find(path), std::string::npos) << loaded.status();
}

TEST(DeriveKey, SeparatesUsesAndMasters) {
  const std::string master(kSecretBytes, '\x01');
  const std::string mask_key = DeriveKey(master, kMaskHashKeyLabel);
  EXPECT_EQ(mask_key.size(), 32u);
  EXPECT_EQ(mask_key, DeriveKey(master, kMaskHashKeyLabel));
  EXPECT_EQ(mask_key, HmacSha256(master, "cadastre/mask-hash/v1"));
  EXPECT_NE(mask_key, DeriveKey(master, "cadastre/audit-checkpoint/v1"));
  EXPECT_NE(mask_key, DeriveKey(std::string(kSecretBytes, '\x02'), kMaskHashKeyLabel));
  EXPECT_NE(mask_key, master);
}

}  // namespace
}  // namespace cadastre::policy
