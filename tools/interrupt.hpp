// Ctrl-C and SIGTERM as a flag that long-running commands (training, a camera) poll to stop cleanly.
#pragma once

#include <atomic>

namespace fermap::cli {

// Installs the SIGINT/SIGTERM handlers (once) and returns the flag they set.
const std::atomic<bool>& stop_on_interrupt();

}  // namespace fermap::cli
