// A pipeline that dies: emits N events through a spool while the server is
// unreachable, says so on stdout, and waits to be SIGKILLed (emitter_test).
//   emitter-child HOST:PORT TOKEN SPOOL_DIR N
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cadastre/emitter.h"

namespace ol = cadastre::sdk::ol;

int main(int argc, char** argv) {
  if (argc != 5) return 2;
  cadastre::sdk::ClientOptions client;
  client.target = argv[1];
  client.token = argv[2];
  client.deadline = std::chrono::seconds(2);
  client.initial_backoff = std::chrono::milliseconds(50);
  client.max_backoff = std::chrono::milliseconds(500);
  auto transport = cadastre::sdk::MakeGrpcTransport(client);
  if (!transport.ok()) return 3;
  cadastre::sdk::EmitterOptions options;
  options.spool_dir = argv[3];
  options.initial_backoff = std::chrono::milliseconds(50);
  options.max_backoff = std::chrono::milliseconds(200);
  auto emitter = cadastre::sdk::Emitter::Create(*std::move(transport), options);
  if (!emitter.ok()) {
    std::cerr << emitter.status() << "\n";
    return 4;
  }
  const int count = std::atoi(argv[4]);
  for (int i = 0; i < count; i++) {
    auto event = ol::RunEventBuilder(ol::EventType::kComplete)
                     .Job("crash", "nightly_load")
                     .Output(ol::Dataset("crash://warehouse", "facts").Field("n", "bigint"))
                     .Build();
    if (!event.ok() || !(*emitter)->Emit(*event).ok()) return 5;
  }
  std::cout << "spooled " << count << std::endl;
  // Crash here: the test SIGKILLs this process; the destructor never runs.
  for (int i = 0; i < 600; i++) sleep(1);
  return 6;
}
