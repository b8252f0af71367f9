// Inference on one loaded model from several threads gives the same answers as one at a time:
// through the Analyzer directly and through concurrent HTTP requests.
#include <catch2/catch.hpp>

#include <thread>

#include "fermap/web/analyzer.hpp"
#include "test_face_support.hpp"
#include "test_web_support.hpp"

using namespace fermap;
using nlohmann::json;

namespace {

constexpr int kThreads = 4;
constexpr int kRounds = 3;

std::vector<uint8_t> demo_bytes() {
  const std::string bytes = test::read_file_bytes(test::demo_photo());
  return {bytes.begin(), bytes.end()};
}

}  // namespace

TEST_CASE("concurrency: analyses from several threads equal the sequential one", "[web][concurrency]") {
  const Analyzer analyzer(Classifier::load(test::web_options("").model), AnalyzerOptions{.max_concurrent = 3});
  const std::vector<uint8_t> photo = demo_bytes();
  const json expected = analyzer.to_json(analyzer.analyze(photo));
  REQUIRE(expected["faces"].size() == 6);

  std::vector<json> results(kThreads * kRounds);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r)
        results[static_cast<size_t>(t * kRounds + r)] = analyzer.to_json(analyzer.analyze(photo));
    });
  for (std::thread& thread : threads) thread.join();
  for (const json& result : results) CHECK(result == expected);
}

TEST_CASE("concurrency: concurrent analyze requests get the sequential answer", "[web][concurrency]") {
  test::RunningServer server(test::web_options(test::fresh_db("concurrency.sqlite")));
  const std::string photo = test::read_file_bytes(test::demo_photo());
  const json expected = test::body_json(server.client().Post("/api/analyze", photo, "image/png"));

  std::vector<std::string> bodies(kThreads * kRounds);
  std::vector<int> statuses(kThreads * kRounds, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      httplib::Client client = server.client();
      for (int r = 0; r < kRounds; ++r) {
        const size_t i = static_cast<size_t>(t * kRounds + r);
        if (const auto result = client.Post("/api/analyze", photo, "image/png")) {
          statuses[i] = result->status;
          bodies[i] = result->body;
        }
      }
    });
  for (std::thread& thread : threads) thread.join();
  for (size_t i = 0; i < bodies.size(); ++i) {
    CHECK(statuses[i] == 200);
    CHECK(json::parse(bodies[i]) == expected);
  }
}
