// Tests for finding the Haar cascade file.
#include <catch2/catch.hpp>

#include "fermap/error.hpp"
#include "fermap/face/cascade.hpp"
#include "test_face_support.hpp"
#include "test_songs_support.hpp"

using namespace fermap;

TEST_CASE("the default frontal-face cascade is found among the install paths", "[face][cascade]") {
  const std::string path = find_cascade();
  CHECK_THAT(path, Catch::Matchers::EndsWith("haarcascade_frontalface_default.xml"));
  const auto paths = cascade_search_paths();
  CHECK(std::find(paths.begin(), paths.end(), "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml") !=
        paths.end());
}

TEST_CASE("an explicit cascade path is used as given, and a missing one is an error naming it", "[face][cascade]") {
  const std::string found = find_cascade();
  CHECK(find_cascade(found) == found);
  CHECK_THAT(test::thrown<IoError>([] { find_cascade("/nonexistent/my_cascade.xml"); }),
             Catch::Matchers::Contains("/nonexistent/my_cascade.xml"));
}

TEST_CASE("a cascade found nowhere is an error listing every path tried", "[face][cascade]") {
  const std::string message = test::thrown<IoError>([] { find_cascade("", "no_such_cascade.xml"); });
  CHECK_THAT(message, Catch::Matchers::Contains("/usr/share/opencv4/haarcascades/no_such_cascade.xml") &&
                          Catch::Matchers::Contains("/usr/share/opencv/haarcascades/no_such_cascade.xml") &&
                          Catch::Matchers::Contains("opencv-data"));
}
