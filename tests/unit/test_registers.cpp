#include "models/core/registers.h"

#include <catch2/catch.hpp>

using namespace nvsoc;

namespace {
uint64_t rd(RegisterBank& b, uint64_t off, unsigned len, AccessResult* r = nullptr) {
    uint64_t v = 0;
    AccessResult res = b.read(off, reinterpret_cast<uint8_t*>(&v), len);
    if (r) *r = res;
    return v;
}
AccessResult wr(RegisterBank& b, uint64_t off, uint64_t v, unsigned len) {
    return b.write(off, reinterpret_cast<const uint8_t*>(&v), len);
}
} // namespace

TEST_CASE("registers: reset values, write masks and reset") {
    RegisterBank b;
    size_t ctrl =
        b.add({.name = "ctrl", .offset = 0x0, .width = 4, .reset = 0x80, .write_mask = 0x0f});
    CHECK(rd(b, 0, 4) == 0x80);
    wr(b, 0, 0xffffffff, 4);
    CHECK(rd(b, 0, 4) == 0x8f); // only the writable bits changed
    CHECK(b.value(ctrl) == 0x8f);
    b.reset();
    CHECK(rd(b, 0, 4) == 0x80);
}

TEST_CASE("registers: write-1-to-clear bits") {
    RegisterBank b;
    size_t st =
        b.add({.name = "status", .offset = 0x4, .width = 4, .write_mask = 0, .w1c_mask = 0x6});
    b.set(st, 0x7);
    wr(b, 4, 0x2, 4);
    CHECK(rd(b, 4, 4) == 0x5); // bit 1 cleared, bit 0 (not W1C) kept
    wr(b, 4, 0x0, 4);
    CHECK(rd(b, 4, 4) == 0x5); // writing 0 clears nothing
}

TEST_CASE("registers: sub-word accesses read and merge the right bytes") {
    RegisterBank b;
    b.add({.name = "wide", .offset = 0x8, .width = 8, .reset = 0x1122334455667788});
    CHECK(rd(b, 0x8, 4) == 0x55667788);
    CHECK(rd(b, 0xc, 4) == 0x11223344);
    CHECK(rd(b, 0xb, 1) == 0x55);
    wr(b, 0xc, 0xaabbccdd, 4);
    CHECK(rd(b, 0x8, 8) == 0xaabbccdd55667788);
    AccessResult r;
    rd(b, 0xc, 8, &r); // runs past the register's end
    CHECK(r == AccessResult::Unmapped);
}

TEST_CASE("registers: arrays decode index and stride") {
    RegisterBank b;
    std::vector<std::pair<unsigned, uint64_t>> writes;
    b.add({.name = "prio",
           .offset = 0x100,
           .width = 4,
           .count = 4,
           .stride = 0x10,
           .on_write = [&](unsigned i, uint64_t v, uint64_t) {
               writes.push_back({i, v});
           }});
    wr(b, 0x120, 9, 4);
    REQUIRE(writes.size() == 1);
    CHECK(writes[0] == std::make_pair(2u, uint64_t{9}));
    CHECK(rd(b, 0x120, 4) == 9);
    AccessResult r;
    rd(b, 0x104, 4, &r); // a hole between elements
    CHECK(r == AccessResult::Unmapped);
    rd(b, 0x140, 4, &r); // past the last element
    CHECK(r == AccessResult::Unmapped);
}

TEST_CASE("registers: callbacks supply reads and see old values") {
    RegisterBank b;
    uint64_t seen_old = 0, seen_new = 0;
    b.add({.name = "live",
           .offset = 0,
           .width = 4,
           .reset = 3,
           .on_read = [](unsigned) -> uint64_t { return 0xabcd; },
           .on_write = [&](unsigned, uint64_t v, uint64_t old) { seen_new = v, seen_old = old; }});
    CHECK(rd(b, 0, 4) == 0xabcd);
    wr(b, 0, 0x10, 4);
    CHECK(seen_old == 3);
    CHECK(seen_new == 0x10);
}

TEST_CASE("registers: read-only and write-only registers are denied the other way") {
    RegisterBank b;
    b.add({.name = "ro", .offset = 0, .width = 4, .writable = false});
    b.add({.name = "wo", .offset = 4, .width = 4, .readable = false});
    CHECK(wr(b, 0, 1, 4) == AccessResult::Denied);
    AccessResult r;
    rd(b, 4, 4, &r);
    CHECK(r == AccessResult::Denied);
    CHECK(wr(b, 0x40, 1, 4) == AccessResult::Unmapped);
}

TEST_CASE("registers: declaring overlapping registers is a programming error") {
    RegisterBank b;
    b.add({.name = "a", .offset = 0, .width = 8});
    CHECK_THROWS_AS(b.add({.name = "b", .offset = 4, .width = 4}), std::logic_error);
    CHECK_THROWS_AS(b.add({.name = "c", .offset = 0x10, .width = 3}), std::logic_error);
}
