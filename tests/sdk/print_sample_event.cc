// Prints the sample event's JSON (for validate_openlineage.py).
#include <iostream>

#include "sample_event.h"

int main() {
  auto event = cadastre::testing::SampleEvent();
  if (!event.ok()) {
    std::cerr << event.status() << "\n";
    return 1;
  }
  std::cout << event->json() << "\n";
  return 0;
}
