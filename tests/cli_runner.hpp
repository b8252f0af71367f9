// Runs the fermap command from tests and captures what it prints (stdout and stderr).
#pragma once

#include <cstdio>
#include <string>
#include <sys/wait.h>

namespace fermap::test {

inline std::string cli() { return FERMAP_CLI_PATH; }

// Runs `fermap <args>`; returns the exit code and appends the output to `out`.
inline int run_cli(const std::string& args, std::string& out) {
  const std::string command = cli() + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return -1;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace fermap::test
