// lib/web/static_page.cpp — the table of embedded page files; their bytes come from
// web_assets.inc, which cmake/embed_web.cmake writes from web/ at build time.
#include "fermap/web/static_page.hpp"

#include "web_assets.inc"

namespace fermap {

const std::vector<StaticAsset>& static_assets() {
  static const std::vector<StaticAsset> assets = embedded_web_assets();
  return assets;
}

const StaticAsset* find_static_asset(std::string_view path) {
  if (path == "/") path = "/index.html";
  for (const StaticAsset& asset : static_assets())
    if (asset.path == path) return &asset;
  return nullptr;
}

}  // namespace fermap
