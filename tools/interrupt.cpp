#include "interrupt.hpp"

#include <csignal>

namespace fermap::cli {

namespace {
std::atomic<bool> g_stop{false};
extern "C" void on_interrupt(int) { g_stop.store(true); }
}  // namespace

const std::atomic<bool>& stop_on_interrupt() {
  static const bool installed = [] {
    // SA_RESETHAND: the first signal asks for a clean stop; a second one, if the stop takes too
    // long (loading data, a long checkpoint), gets the default action and ends the process.
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    return true;
  }();
  (void)installed;
  return g_stop;
}

}  // namespace fermap::cli
