// fermap/rng.hpp — seeded, portable random numbers. One seed drives init, shuffling, dropout and
// augmentation. Counter-based draws (`hash_uniform`) give the same numbers whatever the thread count.
#pragma once

#include <cstdint>

namespace fermap {

// splitmix64 finaliser: a strong 64-bit mix, the basis of every draw here.
inline uint64_t mix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Uniform in [0, 1) from 24 random bits, exactly representable as float.
inline float bits_to_unit(uint64_t bits) { return static_cast<float>(bits >> 40) * (1.0f / 16777216.0f); }

// A uniform draw that depends only on (seed, stream, index): stateless, so parallel loops are
// reproducible and a resumed run redraws exactly what it would have drawn.
inline float hash_uniform(uint64_t seed, uint64_t stream, uint64_t index) {
  return bits_to_unit(mix64(seed ^ mix64(stream ^ mix64(index))));
}

// A small sequential generator (splitmix64). Its whole state is one integer, easy to checkpoint.
class Rng {
 public:
  explicit Rng(uint64_t seed = 0) : state_(seed) {}
  uint64_t next_u64() { return mix64(state_++); }
  float uniform() { return bits_to_unit(next_u64()); }              // [0, 1)
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n); n > 0. The modulo bias is below 2^-32 for n < 2^32.
  uint64_t below(uint64_t n) { return next_u64() % n; }
  uint64_t state() const { return state_; }
  void set_state(uint64_t s) { state_ = s; }

 private:
  uint64_t state_;
};

}  // namespace fermap
