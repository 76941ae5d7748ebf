// Seeded random streams. Every consumer of random choices (a link's error
// rate, an endpoint's test data, the device tree's rng-seed) draws from its
// own stream, whose seed comes from the platform seed and the consumer's
// path ("<instance>.<stream>"). Two consumers never share a stream, adding
// one never shifts another's draws, and the same seed replays every stream.
// Plain C++, so plain C++ models (links) use it too.
#pragma once

#include <cstdint>
#include <string_view>

namespace nvsoc {

// The seed of the stream named `path` under the platform seed `seed`: the
// path's FNV-1a hash mixed into the seed (so "a.b" under seed 1 and under
// seed 2 differ, and so do "a.b" and "a.c" under one seed).
uint64_t stream_seed(uint64_t seed, std::string_view path);

// splitmix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number
// generators", OOPSLA 2014): one 64-bit word of state, every seed usable.
class RandomStream {
  public:
    RandomStream() = default;
    explicit RandomStream(uint64_t seed) : state_(seed) {}
    RandomStream(uint64_t seed, std::string_view path) : state_(stream_seed(seed, path)) {}

    uint64_t next() {
        uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    // Uniform in [0, 1), 53 bits.
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  private:
    uint64_t state_ = 0;
};

} // namespace nvsoc
