// fermap — the command line: parses flags with CLI11 and calls the library. Every error becomes
// one line on stderr and exit code 1.
#include <cstdlib>
#include <exception>
#include <iostream>

#include "commands.hpp"
#include "fermap/error.hpp"

int main(int argc, char** argv) {
  // FFmpeg (under OpenCV's video reading) prints its own complaints about a bad file on stderr;
  // fermap reports the file's problem itself, in one line. OpenCV reads this when it first loads
  // FFmpeg; -8 is FFmpeg's "quiet". A value the user set is kept.
  ::setenv("OPENCV_FFMPEG_LOGLEVEL", "-8", 0);
  CLI::App app{"fermap: facial emotion recognition mapped to songs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "fermap 0.1.0");
  fermap::cli::add_summary_command(app);
  fermap::cli::add_data_command(app);
  fermap::cli::add_train_command(app);
  fermap::cli::add_eval_command(app);
  fermap::cli::add_calibrate_command(app);
  fermap::cli::add_average_command(app);
  fermap::cli::add_predict_command(app);
  fermap::cli::add_recommend_command(app);
  fermap::cli::add_serve_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "fermap: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
