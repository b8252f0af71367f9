// `fermap serve` on the command line: its flags, and a clear error before listening when the model
// or the database cannot be opened. (The browser test, tests/e2e, runs the real server.)
#include <catch2/catch.hpp>

#include "cli_runner.hpp"
#include "test_web_support.hpp"

TEST_CASE("cli: serve lists its flags", "[web][cli]") {
  std::string out;
  REQUIRE(fermap::test::run_cli("serve --help", out) == 0);
  for (const char* flag : {"--host", "--port", "--model", "--songs", "--db"})
    CHECK(out.find(flag) != std::string::npos);
}

TEST_CASE("cli: serve refuses a missing model or an unusable database with one line", "[web][cli]") {
  std::string out;
  CHECK(fermap::test::run_cli("serve --port 0 --model /nonexistent/model.fmp --db :memory:", out) == 1);
  CHECK(out.find("fermap: error:") != std::string::npos);
  CHECK(out.find("/nonexistent/model.fmp") != std::string::npos);
  out.clear();
  CHECK(fermap::test::run_cli("serve --port 0 --db /nonexistent-dir/history.sqlite", out) == 1);
  CHECK(out.find("/nonexistent-dir/history.sqlite") != std::string::npos);
}
