// Runs a program as a child process with a chosen environment, for tests of
// the CLI and of programs that must crash on purpose. Every wait is bounded.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace cadastre::testing {

struct ProcessResult {
  int exit_code = -1;     // when it exited
  int signal = 0;         // the signal that ended it, otherwise
  bool timed_out = false;  // SIGKILLed at the deadline
  std::string out;
  std::string err;
};

// Runs argv[0] (a path) with exactly `env` ("NAME=value" entries) and
// `input` on its standard input; kills it after `timeout`.
ProcessResult RunProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                         std::chrono::milliseconds timeout, const std::string& input = "");

// A child left running: read its standard output line by line, then kill it.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env);
  ~ChildProcess();  // SIGKILLs it if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  // The next line of its standard output (without "\n"); false at the
  // deadline or at the end of the output.
  bool ReadLine(std::string* line, std::chrono::milliseconds timeout);
  // SIGKILL and reap; answers the signal number it died of (0 if it had exited).
  int Kill();

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string buffer_;
};

// The current environment's PATH, as "PATH=…".
std::string PathEntry();

}  // namespace cadastre::testing
