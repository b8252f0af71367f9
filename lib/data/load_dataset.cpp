// load_dataset: picks the image-folder or the CSV loader from what `path` is.
#include <cctype>
#include <filesystem>
#include <system_error>

#include "fermap/data/fer2013.hpp"
#include "fermap/error.hpp"

namespace fermap {

namespace fs = std::filesystem;

Dataset load_dataset(const std::string& path, const std::string& split, const LoadOptions& options,
                     LoadReport* report) {
  std::error_code ec;
  const fs::path p(path);
  if (fs::is_regular_file(p, ec)) {
    std::string ext = p.extension().string();
    for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (ext != ".csv")
      throw IoError(path + ": not a .csv file nor a folder of train/ and test/ images");
    return load_fer2013_csv(path, split, options, report);
  }
  if (fs::is_directory(p, ec)) {
    if (fs::is_directory(p / split, ec)) return load_image_folder(path, split, options, report);
    if (fs::is_regular_file(p / "fer2013.csv", ec))
      return load_fer2013_csv((p / "fer2013.csv").string(), split, options, report);
    throw IoError(path + ": holds neither a '" + split + "' folder nor fer2013.csv");
  }
  throw IoError(path + ": no such file or folder");
}

}  // namespace fermap
