// The GPU's VRAM on its own: sparse host memory, and the timing pipe the
// engines share.
#include "models/gpu/vram.h"

#include <catch2/catch.hpp>

#include <cstring>

using namespace nvsoc::gpu;

namespace {
constexpr uint64_t kGiB = 1ull << 30;
}

TEST_CASE("gpu vram: 512 GiB is reserved, not allocated: both ends can be written") {
    // The host has far less than 512 GiB: this works only because pages are
    // backed when touched.
    Vram v(512 * kGiB);
    CHECK(v.size() == 512 * kGiB);
    CHECK(v.data()[0] == 0);
    CHECK(v.data()[v.size() - 1] == 0);
    v.data()[v.size() - 1] = 0x5a;
    std::memcpy(v.data() + 300 * kGiB, "nvsoc", 5);
    CHECK(v.data()[v.size() - 1] == 0x5a);
    CHECK(std::memcmp(v.data() + 300 * kGiB, "nvsoc", 5) == 0);
    CHECK(v.contains(v.size() - 4, 4));
    CHECK_FALSE(v.contains(v.size() - 4, 5));
    CHECK_FALSE(v.contains(v.size() + 1, 0));
    CHECK_FALSE(v.contains(8, ~uint64_t{0})); // no wrap-around
    v.clear();
    CHECK(v.data()[v.size() - 1] == 0);
    CHECK(v.data()[300 * kGiB] == 0);
}

TEST_CASE("gpu vram timing: one pipe at the bandwidth, then the latency") {
    VramTiming t(900'000'000'000, 250'000); // 900 GB/s, 250 ns
    // 900 bytes take 1 ns.
    auto a = t.access(1'000'000, 900);
    CHECK(a.start == 1'000'000);
    CHECK(a.issued == 1'001'000);
    CHECK(a.done == 1'251'000);
    // A second requester arriving while the pipe is busy waits for it.
    auto b = t.access(1'000'500, 9000);
    CHECK(b.start == 1'001'000);
    CHECK(b.issued == 1'011'000);
    CHECK(b.done == 1'261'000);
    // After an idle gap the pipe starts at once.
    auto c = t.access(2'000'000, 0);
    CHECK(c.start == 2'000'000);
    CHECK(c.issued == 2'000'000);
    CHECK(t.busy_until() == 2'000'000);
    t.reset();
    CHECK(t.access(0, 900).issued == 1000);
}

TEST_CASE("gpu vram timing: a long stream of small accesses adds up exactly") {
    // 7 bytes at 900 GB/s is 7.777... ps: rounding each would drift by
    // about 0.2 ps per access.
    VramTiming t(900'000'000'000, 0);
    uint64_t end = 0;
    for (int i = 0; i < 900'000; ++i)
        end = t.access(0, 7).issued;
    CHECK(end == 7'000'000); // 6.3 MB in exactly 7 us
    // 1 GiB at 900 GB/s: 1.193 ms.
    VramTiming g(900'000'000'000, 0);
    uint64_t last = 0;
    for (int i = 0; i < 16384; ++i)
        last = g.access(0, 64 * 1024).issued;
    CHECK(last == 1'193'046'471); // 2^30 x 10^12 / (9 x 10^11), rounded down
    CHECK_THROWS_AS(VramTiming(0, 0), std::invalid_argument);
}
