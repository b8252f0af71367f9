// Runs the fermap command from tests and captures what it prints (stdout and stderr).
#pragma once

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace fermap::test {

inline std::string cli() { return FERMAP_CLI_PATH; }

// A whole text file ("" when it cannot be read): logs and CSVs a command wrote.
inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs a shell command; returns its exit code (-1 when it died of a signal) and appends its
// stdout to `out`.
inline int run_cli_raw(const std::string& command, std::string& out) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return -1;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Runs `fermap <args>`; returns the exit code and appends the output (stdout and stderr) to `out`.
inline int run_cli(const std::string& args, std::string& out) { return run_cli_raw(cli() + " " + args + " 2>&1", out); }

struct CliRun {
  int exit_code = -1;  // the command's; 137 when it was killed for taking too long; 128+N: signal N
  std::string out, err;
};

// Runs `fermap <args>` with stdout and stderr captured apart, killed after `timeout_seconds`.
// Outside AddressSanitizer (which reserves terabytes of address space) the address space is
// capped at `max_megabytes`, so an attempt at a huge allocation fails instead of swapping.
inline CliRun run_cli_captured(const std::string& args, int timeout_seconds = 60, int max_megabytes = 4096) {
  static int calls = 0;
  const std::string err_path =
      std::string(FERMAP_TEST_TMP) + "/cli_stderr_" + std::to_string(::getpid()) + "_" + std::to_string(calls++);
  std::string command;
#if !defined(__SANITIZE_ADDRESS__)
  command += "ulimit -v " + std::to_string(max_megabytes * 1024) + "; ";
#else
  (void)max_megabytes;
#endif
  command += "timeout -s KILL " + std::to_string(timeout_seconds) + " " + cli() + " " + args + " 2>" + err_path;
  CliRun run;
  run.exit_code = run_cli_raw(command, run.out);
  std::ifstream in(err_path);
  std::stringstream ss;
  ss << in.rdbuf();
  run.err = ss.str();
  std::remove(err_path.c_str());
  return run;
}

}  // namespace fermap::test
