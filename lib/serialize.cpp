#include "fermap/serialize.hpp"

#include <cstring>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

#include "fermap/error.hpp"

namespace fermap {

namespace {

constexpr char kMagic[8] = {'F', 'E', 'R', 'M', 'A', 'P', 'M', 'F'};
constexpr size_t kPreamble = 8 + 4 + 8;

uint64_t fnv1a(const char* data, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 1099511628211ull;
  }
  return h;
}

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

Shape shape_of(const std::vector<int>& d) {
  switch (d.size()) {
    case 0: return {};
    case 1: return {d[0]};
    case 2: return {d[0], d[1]};
    case 3: return {d[0], d[1], d[2]};
    case 4: return {d[0], d[1], d[2], d[3]};
  }
  throw FormatError("tensor of rank " + std::to_string(d.size()));
}

std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path + ": cannot open model file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
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
  if (fnv1a(bytes.data(), body) != get<uint64_t>(bytes, body))
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
    meta.preprocessing.scale = pre.at("scale").get<float>();
    meta.preprocessing.channels = pre.at("channels").get<int>();
    meta.extra = header.value("extra", nlohmann::json::object());
  } catch (const nlohmann::json::exception&) {
    throw FormatError(path + ": header lacks classes or preprocessing");
  }
  return meta;
}

// Copies the file's tensors into the model's parameters (every one must be present, with the
// same shape) and collects the extra tensors.
void fill(const std::string& path, const std::string& bytes, size_t data_at, const nlohmann::json& header,
          Model& model, LoadedModel& out) {
  std::map<std::string, Param*> params;
  for (auto& np : model.params()) params[np.name] = np.param;
  size_t at = data_at;
  size_t found = 0;
  const size_t end = bytes.size() - 8;
  try {
    for (const auto& t : header.at("tensors")) {
      const std::string name = t.at("name").get<std::string>();
      const Shape shape = shape_of(t.at("shape").get<std::vector<int>>());
      const size_t nbytes = static_cast<size_t>(shape.numel()) * sizeof(float);
      if (at + nbytes > end) throw FormatError(path + ": truncated tensor data at \"" + name + "\"");
      Tensor* dst = nullptr;
      if (auto it = params.find(name); it != params.end()) {
        if (it->second->value.shape() != shape)
          throw FormatError(path + ": tensor \"" + name + "\" has shape " + shape.str() + " but the model expects " +
                            it->second->value.shape().str());
        dst = &it->second->value;
        ++found;
      } else {
        dst = &out.extra_tensors[name];
        dst->resize(shape);
      }
      if (nbytes) std::memcpy(dst->data(), bytes.data() + at, nbytes);
      at += nbytes;
    }
    const nlohmann::json states = header.value("layer_state", nlohmann::json::object());
    for (Layer* l : model.all_layers())
      if (states.contains(l->name())) l->set_state(states.at(l->name()));
  } catch (const nlohmann::json::exception&) {
    throw FormatError(path + ": malformed tensor list");
  }
  if (found != params.size())
    throw FormatError(path + ": holds " + std::to_string(found) + " of the model's " + std::to_string(params.size()) +
                      " parameters: a different architecture");
  if (at != end) throw FormatError(path + ": unexpected bytes after the tensor data");
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw IoError(path + ": cannot write (" + std::strerror(errno) + ")");
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      throw IoError(path + ": write failed (" + why + ")");
    }
    done += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || std::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    throw IoError(path + ": cannot finish writing (" + std::strerror(errno) + ")");
  }
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
      {"preprocessing", {{"scale", meta.preprocessing.scale}, {"channels", meta.preprocessing.channels}}},
      {"layer_state", state},
      {"tensors", tensors},
      {"extra", meta.extra}};
  const std::string text = header.dump();
  std::string bytes(kMagic, 8);
  put<uint32_t>(bytes, kModelFormatVersion);
  put<uint64_t>(bytes, text.size());
  bytes += text;
  for (const Tensor* t : data) bytes.append(reinterpret_cast<const char*>(t->data()), static_cast<size_t>(t->size()) * sizeof(float));
  put<uint64_t>(bytes, fnv1a(bytes.data(), bytes.size()));
  write_file_atomically(path, bytes);
}

LoadedModel load_model(const std::string& path) {
  const std::string bytes = read_whole(path);
  size_t data_at = 0;
  const nlohmann::json header = read_header(path, bytes, data_at);
  LoadedModel out;
  try {
    out.model = Model::from_architecture(header.at("architecture"));
  } catch (const nlohmann::json::exception&) {
    throw FormatError(path + ": header has no architecture");
  } catch (const Error& e) {
    throw FormatError(path + ": bad architecture: " + e.what());
  }
  out.meta = meta_of(path, header);
  fill(path, bytes, data_at, header, out.model, out);
  return out;
}

LoadedModel load_into(const std::string& path, Model& model) {
  const std::string bytes = read_whole(path);
  size_t data_at = 0;
  const nlohmann::json header = read_header(path, bytes, data_at);
  if (header.value("architecture", nlohmann::json()) != model.architecture())
    throw FormatError(path + ": holds a different architecture than the model it is loaded into");
  LoadedModel out;
  out.meta = meta_of(path, header);
  fill(path, bytes, data_at, header, model, out);
  return out;
}

}  // namespace fermap
