// A fixture base that starts one server for all the tests of a suite, for
// suites whose tests do not interfere (each uses names of its own).
//
//   class RestTest : public SuiteServerTest<RestTest> {
//    public:
//     static ServerOptions Options() { … }  // optional
//   };
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "server_process.h"

namespace cadastre::testing {

template <typename Suite>
class SuiteServerTest : public ::testing::Test {
 public:
  static ServerOptions Options() { return {}; }

  static void SetUpTestSuite() {
    server_ = std::make_unique<ServerProcess>(Suite::Options());
    start_error_.clear();
    started_ = server_->Start(&start_error_);
  }
  static void TearDownTestSuite() { server_.reset(); }

 protected:
  void SetUp() override {
    ASSERT_TRUE(started_) << "cannot start the server: " << start_error_;
    if (!server_->IsRunning()) {
      // An earlier test killed it and has failed for that; go on with a
      // server on the same data so the remaining tests still say something.
      std::string error;
      ASSERT_TRUE(server_->Start(&error)) << "cannot restart: " << error;
    }
  }
  void TearDown() override {
    EXPECT_TRUE(server_->IsRunning())
        << "the server ended during this test: "
        << server_->last_exit().ToString();
  }

  static ServerProcess& server() { return *server_; }

 private:
  static inline std::unique_ptr<ServerProcess> server_;
  static inline bool started_ = false;
  static inline std::string start_error_;
};

}  // namespace cadastre::testing
