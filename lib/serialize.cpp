#include "fermap/serialize.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include <fcntl.h>
#include <unistd.h>

#include "fermap/error.hpp"
#include "file_io.hpp"
#include "layers/common.hpp"
#include "tensor_limit.hpp"

namespace fermap {

namespace {

constexpr char kMagic[8] = {'F', 'E', 'R', 'M', 'A', 'P', 'M', 'F'};
constexpr size_t kPreamble = 8 + 4 + 8;

template <class T>
void put(std::string& out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out.append(b, sizeof(T));
}

template <class T>
T get(const std::string& in, size_t at) {
  T v;
  std::memcpy(&v, in.data() + at, sizeof(T));
  return v;
}

std::vector<int> dims_of(const Shape& s) {
  std::vector<int> d;
  for (int i = 0; i < s.rank(); ++i) d.push_back(s[i]);
  return d;
}

// A tensor's shape from the header: rank 0..4, every dimension 0..2^31-1, else FormatError.
Shape shape_of(const std::string& path, const std::string& name, const nlohmann::json& j) {
  if (!j.is_array()) throw FormatError(path + ": tensor \"" + name + "\" has a malformed shape");
  if (j.size() > 4) throw FormatError(path + ": tensor \"" + name + "\" has rank " + std::to_string(j.size()));
  std::vector<int64_t> d;
  for (const auto& v : j) {
    const auto dim = detail::json_integer(v, -(int64_t{1} << 40), int64_t{1} << 40);
    if (!dim) throw FormatError(path + ": tensor \"" + name + "\" has a malformed shape");
    if (*dim < 0 || *dim > INT32_MAX)
      throw FormatError(path + ": tensor \"" + name + "\" has a dimension of " + std::to_string(*dim));
    d.push_back(*dim);
  }
  const auto i = [&](size_t k) { return static_cast<int>(d[k]); };
  switch (d.size()) {
    case 0: return {};
    case 1: return {i(0)};
    case 2: return {i(0), i(1)};
    case 3: return {i(0), i(1), i(2)};
    default: return {i(0), i(1), i(2), i(3)};
  }
}

// The tensor list of the header, each checked against the bytes the file has left for it, so a
// claim larger than the file is refused before anything is allocated.
struct TensorEntry {
  std::string name;
  Shape shape;
  size_t at, bytes;  // where its data is in the file
};

std::vector<TensorEntry> tensor_entries(const std::string& path, const nlohmann::json& header, size_t data_at,
                                        size_t end) {
  std::vector<TensorEntry> out;
  const auto list = header.find("tensors");
  if (list == header.end() || !list->is_array()) throw FormatError(path + ": header has no tensor list");
  size_t at = data_at;
  std::set<std::string> names;
  for (const auto& t : *list) {
    if (!t.is_object() || !t.contains("name") || !t["name"].is_string() || !t.contains("shape"))
      throw FormatError(path + ": malformed tensor list");
    TensorEntry e;
    e.name = t["name"].get<std::string>();
    // A name listed twice could stand in for a parameter the file lacks.
    if (!names.insert(e.name).second) throw FormatError(path + ": tensor \"" + e.name + "\" is listed twice");
    const Shape shape = shape_of(path, e.name, t["shape"]);
    // Checked factor by factor against what the file has left, so no product can overflow (and
    // once more at the end, for a rank-0 tensor, which has no factor but one float).
    const uint64_t left = (end - at) / sizeof(float);
    uint64_t floats = 1;
    for (int k = 0; k < shape.rank() && floats <= left; ++k) {
      const auto dim = static_cast<uint64_t>(shape[k]);
      if (dim && floats > left / dim) floats = left + 1;
      else floats *= dim;
    }
    if (floats > left)
      throw FormatError(path + ": truncated or corrupt: tensor \"" + e.name + "\" of shape " + shape.str() +
                        " needs more bytes than the file has left (" + std::to_string(end - at) + ")");
    e.shape = shape;
    e.at = at;
    e.bytes = static_cast<size_t>(shape.numel()) * sizeof(float);
    at += e.bytes;
    out.push_back(std::move(e));
  }
  if (at != end) throw FormatError(path + ": unexpected bytes after the tensor data");
  return out;
}

// Parses and validates everything up to the tensor data; returns the header.
nlohmann::json read_header(const std::string& path, const std::string& bytes, size_t& data_at) {
  if (bytes.size() < kPreamble || std::memcmp(bytes.data(), kMagic, 8) != 0)
    throw FormatError(path + ": not a fermap model file");
  const uint32_t version = get<uint32_t>(bytes, 8);
  if (version > kModelFormatVersion)
    throw FormatError(path + ": format version " + std::to_string(version) +
                      " is newer than this fermap reads (" + std::to_string(kModelFormatVersion) + ")");
  const uint64_t header_len = get<uint64_t>(bytes, 12);
  if (header_len > bytes.size() || kPreamble + header_len + 8 > bytes.size())
    throw FormatError(path + ": truncated (the header claims more bytes than the file has)");
  const size_t body = bytes.size() - 8;
  if (model_file_checksum(std::string_view(bytes).substr(0, body)) != get<uint64_t>(bytes, body))
    throw FormatError(path + ": checksum mismatch, the file is truncated or corrupted");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + kPreamble, bytes.begin() + static_cast<long>(kPreamble + header_len));
  } catch (const nlohmann::json::exception&) {
    throw FormatError(path + ": malformed header");
  }
  data_at = kPreamble + header_len;
  return header;
}

ModelMeta meta_of(const std::string& path, const nlohmann::json& header) {
  ModelMeta meta;
  try {
    meta.classes = header.at("classes").get<std::vector<std::string>>();
    const auto& pre = header.at("preprocessing");
    const auto scale = detail::json_float(pre.at("scale"));
    const auto channels = detail::json_integer(pre.at("channels"), 1, 4);
    if (!scale || !channels) throw FormatError(path + ": malformed preprocessing in the header");
    meta.preprocessing.scale = *scale;
    meta.preprocessing.channels = static_cast<int>(*channels);
    // Files from before equalisation existed lack the key: they were trained without it.
    const auto equalize = pre.find("equalize");
    if (equalize != pre.end()) {
      if (!equalize->is_boolean()) throw FormatError(path + ": malformed preprocessing in the header (equalize)");
      meta.preprocessing.equalize = equalize->get<bool>();
    }
    meta.extra = header.value("extra", nlohmann::json::object());
  } catch (const nlohmann::json::exception&) {
    throw FormatError(path + ": header lacks classes or preprocessing");
  }
  return meta;
}

// Copies the file's tensors into the model's parameters (every one must be present, with the
// same shape) and collects the extra tensors.
void fill(const std::string& path, const std::string& bytes, const std::vector<TensorEntry>& entries,
          const nlohmann::json& header, Model& model, LoadedModel& out) {
  std::map<std::string, Param*> params;
  for (auto& np : model.params()) params[np.name] = np.param;
  size_t found = 0;
  for (const TensorEntry& e : entries) {
    Tensor* dst = nullptr;
    if (auto it = params.find(e.name); it != params.end()) {
      if (it->second->value.shape() != e.shape)
        throw FormatError(path + ": tensor \"" + e.name + "\" has shape " + e.shape.str() + " but the model expects " +
                          it->second->value.shape().str());
      dst = &it->second->value;
      ++found;
    } else {
      dst = &out.extra_tensors[e.name];
      dst->resize(e.shape);
    }
    if (e.bytes) std::memcpy(dst->data(), bytes.data() + e.at, e.bytes);
  }
  try {
    const nlohmann::json states = header.value("layer_state", nlohmann::json::object());
    for (Layer* l : model.all_layers())
      if (states.contains(l->name())) l->set_state(states.at(l->name()));
  } catch (const nlohmann::json::exception&) {
    throw FormatError(path + ": malformed layer state");
  } catch (const FormatError& e) {
    throw FormatError(path + ": " + e.what());
  }
  if (found != params.size())
    throw FormatError(path + ": holds " + std::to_string(found) + " of the model's " + std::to_string(params.size()) +
                      " parameters: a different architecture");
}

// Everything of a file up to building the model: the header and its checked tensor list.
struct ParsedFile {
  nlohmann::json header;
  std::vector<TensorEntry> entries;
  size_t data_bytes = 0;
};

ParsedFile parse_file(const std::string& path, const std::string& bytes) {
  ParsedFile f;
  size_t data_at = 0;
  f.header = read_header(path, bytes, data_at);
  if (!f.header.is_object()) throw FormatError(path + ": malformed header");
  f.entries = tensor_entries(path, f.header, data_at, bytes.size() - 8);
  f.data_bytes = bytes.size() - 8 - data_at;
  return f;
}

// After the rename, the folder's entry must reach the disk too, or a power cut could leave the
// old file (or none) behind a rename that "happened". Best effort: some file systems refuse
// fsync on a folder, and the data itself is already safe.
void sync_parent_folder(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

std::string read_model_file(const std::string& path) { return detail::read_whole_file(path, "model file"); }

uint64_t model_file_checksum(std::string_view bytes) {
  uint64_t h = 1469598103934665603ull;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

namespace {
constexpr std::string_view kTempMark = ".tmp.";  // "<path>.tmp.<pid>"
}  // namespace

void write_file_atomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + std::string(kTempMark) + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw IoError(path + ": cannot write (" + std::strerror(errno) + ")");
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      throw IoError(path + ": write failed (" + why + ")");
    }
    done += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  const int sync_errno = errno;
  ::close(fd);
  if (!synced || std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(synced ? errno : sync_errno);
    ::unlink(tmp.c_str());
    throw IoError(path + ": cannot finish writing (" + why + ")");
  }
  sync_parent_folder(path);
}

bool is_leftover_temp_file(const std::string& name) {
  const size_t mark = name.rfind(kTempMark);
  const size_t digits = mark + kTempMark.size();
  if (mark == std::string::npos || mark == 0 || digits == name.size()) return false;
  return name.find_first_not_of("0123456789", digits) == std::string::npos;
}

void save_model(const std::string& path, Model& model, const ModelMeta& meta, const NamedTensors& extra_tensors) {
  nlohmann::json tensors = nlohmann::json::array();
  std::vector<const Tensor*> data;
  for (auto& np : model.params()) {
    tensors.push_back({{"name", np.name}, {"shape", dims_of(np.param->value.shape())}});
    data.push_back(&np.param->value);
  }
  for (const auto& [name, t] : extra_tensors) {
    tensors.push_back({{"name", name}, {"shape", dims_of(t->shape())}});
    data.push_back(t);
  }
  nlohmann::json state = nlohmann::json::object();
  for (Layer* l : model.all_layers())
    if (auto s = l->state(); !s.is_null()) state[l->name()] = s;
  const nlohmann::json header = {
      {"architecture", model.architecture()},
      {"classes", meta.classes},
      {"preprocessing",
       {{"scale", meta.preprocessing.scale},
        {"channels", meta.preprocessing.channels},
        {"equalize", meta.preprocessing.equalize}}},
      {"layer_state", state},
      {"tensors", tensors},
      {"extra", meta.extra}};
  const std::string text = header.dump();
  std::string bytes(kMagic, 8);
  put<uint32_t>(bytes, kModelFormatVersion);
  put<uint64_t>(bytes, text.size());
  bytes += text;
  for (const Tensor* t : data) bytes.append(reinterpret_cast<const char*>(t->data()), static_cast<size_t>(t->size()) * sizeof(float));
  put<uint64_t>(bytes, model_file_checksum(bytes));
  write_file_atomically(path, bytes);
}

LoadedModel load_model_from_bytes(const std::string& bytes, const std::string& name) {
  const ParsedFile f = parse_file(name, bytes);
  LoadedModel out;
  {
    // Weights and their gradients, plus room for rounding: a genuine file needs no more.
    detail::TensorAllocationLimit limit(2 * static_cast<int64_t>(f.data_bytes) + (1 << 20), name);
    try {
      out.model = Model::from_architecture(f.header.at("architecture"));
    } catch (const nlohmann::json::exception&) {
      throw FormatError(name + ": header has no architecture");
    } catch (const FormatError& e) {
      if (std::string(e.what()).rfind(name + ":", 0) == 0) throw;  // the allocation limit's: names the file already
      throw FormatError(name + ": bad architecture: " + e.what());
    } catch (const Error& e) {
      throw FormatError(name + ": bad architecture: " + e.what());
    }
  }
  out.meta = meta_of(name, f.header);
  fill(name, bytes, f.entries, f.header, out.model, out);
  return out;
}

LoadedModel load_model(const std::string& path) { return load_model_from_bytes(read_model_file(path), path); }

LoadedModel load_into(const std::string& path, Model& model) {
  const std::string bytes = read_model_file(path);
  const ParsedFile f = parse_file(path, bytes);
  if (f.header.value("architecture", nlohmann::json()) != model.architecture())
    throw FormatError(path + ": holds a different architecture than the model it is loaded into");
  LoadedModel out;
  out.meta = meta_of(path, f.header);
  fill(path, bytes, f.entries, f.header, model, out);
  return out;
}

}  // namespace fermap
