#include "interrupt.hpp"

#include <csignal>

namespace fermap::cli {

namespace {
std::atomic<bool> g_stop{false};
extern "C" void on_interrupt(int) { g_stop.store(true); }
}  // namespace

const std::atomic<bool>& stop_on_interrupt() {
  static const bool installed = [] {
    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);
    return true;
  }();
  (void)installed;
  return g_stop;
}

}  // namespace fermap::cli
