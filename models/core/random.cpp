#include "models/core/random.h"

namespace nvsoc {

uint64_t stream_seed(uint64_t seed, std::string_view path) {
    uint64_t h = 0xcbf29ce484222325ull; // FNV-1a, 64-bit
    for (unsigned char ch : path)
        h = (h ^ ch) * 0x100000001b3ull;
    // One splitmix64 step over the combination, so that nearby seeds and
    // hashes give unrelated streams.
    return RandomStream(seed ^ h).next();
}

} // namespace nvsoc
