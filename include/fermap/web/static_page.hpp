// fermap/web/static_page.hpp — the EchoEmotion page (web/index.html, style.css, app.js), embedded
// into the library at build time so the server needs no files at run time.
#pragma once

#include <string_view>
#include <vector>

namespace fermap {

struct StaticAsset {
  std::string_view path;          // "/index.html", "/app.js", ...
  std::string_view content_type;  // "text/html; charset=utf-8", ...
  std::string_view body;
};

const std::vector<StaticAsset>& static_assets();
// The asset served at a URL path ("/" is "/index.html"), or null. Paths are only ever compared with
// the embedded table, never opened.
const StaticAsset* find_static_asset(std::string_view path);

}  // namespace fermap
