// Reading a whole file (internal): the one reader behind model files, images, CSVs and song
// tables, so that every "cannot read" error has the same form and names the file.
#pragma once

#include <string>

namespace fermap::detail {

// The bytes of the file at `path`. `what` names the kind of file in errors ("model file",
// "image", ...): IoError "PATH: is a directory, not a WHAT", "PATH: cannot open WHAT (reason)" or
// "PATH: cannot read WHAT (reason)".
std::string read_whole_file(const std::string& path, const std::string& what);

}  // namespace fermap::detail
