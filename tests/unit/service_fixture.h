// A service-layer fixture over a real SQLite store in a temporary directory
// and a fake clock: fast, deterministic, no mocks.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "server/catalog/catalog_service.h"
#include "server/catalog/glossary_service.h"
#include "server/common/clock.h"
#include "server/policy/authorizer.h"
#include "server/store/sqlite_store.h"

namespace cadastre::catalog {

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cadastre-unit-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store::SqliteOptions options;
    options.path = (dir_ / "cadastre.db").string();
    options.durability = store::Durability::kNormal;
    auto opened = store::OpenSqliteStore(options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
    access_model_ = std::make_unique<policy::AccessModel>(store_.get());
    ASSERT_TRUE(access_model_->Reload().ok());
    authorizer_ = std::make_unique<policy::Authorizer>(access_model_.get());
    catalog_ = std::make_unique<CatalogService>(store_.get(), authorizer_.get(), &clock_);
    glossary_ = std::make_unique<GlossaryService>(store_.get(), authorizer_.get(), &clock_);
    admin_.principal = "admin";
    admin_.roles = {"admin"};
    stranger_.principal = "bob";
  }
  void TearDown() override {
    glossary_.reset();
    catalog_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void PutNamespace(const std::string& name) {
    v1::PutNamespaceRequest request;
    request.set_name(name);
    ASSERT_TRUE(catalog_->PutNamespace(admin_, request).ok());
  }
  absl::StatusOr<v1::Dataset> PutDataset(const std::string& ns, const std::string& name,
                                         const v1::Dataset& dataset) {
    v1::PutDatasetRequest request;
    request.set_namespace_(ns);
    request.set_name(name);
    *request.mutable_dataset() = dataset;
    return catalog_->PutDataset(admin_, request);
  }
  // FULL by default: tests look at inherited classifications' paths.
  absl::StatusOr<v1::Dataset> GetDataset(
      const std::string& ns, const std::string& name,
      v1::GetDatasetRequest::View view = v1::GetDatasetRequest::FULL) {
    v1::GetDatasetRequest request;
    request.set_namespace_(ns);
    request.set_name(name);
    request.set_view(view);
    return catalog_->GetDataset(admin_, request);
  }
  absl::StatusOr<v1::Tag> PutTag(const std::string& name) {
    v1::PutTagRequest request;
    request.set_name(name);
    return catalog_->PutTag(admin_, request);
  }

  std::filesystem::path dir_;
  FakeClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<policy::AccessModel> access_model_;
  std::unique_ptr<policy::Authorizer> authorizer_;
  std::unique_ptr<CatalogService> catalog_;
  std::unique_ptr<GlossaryService> glossary_;
  policy::Caller admin_;
  policy::Caller stranger_;
};

}  // namespace cadastre::catalog
