// The C2C link bundle of a fabric node's slot (models/nvlink/c2c_link.h):
// wire bytes (64-byte lines with 16-byte headers, assumed), serialization
// over all links plus latency, the directions' independence, the L2
// entry/exit transitions, wake by access, and the fault point.
#include "models/nvlink/c2c_link.h"

#include <catch2/catch.hpp>

using namespace nvsoc::c2c;

namespace {

constexpr uint64_t kNs = 1'000, kUs = 1'000'000;

LinkConfig config() {
    LinkConfig c;
    c.links = 10;
    c.bandwidth = 45'000'000'000; // 450 GB/s per direction in all: 0.45 bytes/ps
    c.latency = 120 * kNs;
    c.l2_entry = 2 * kUs;
    c.l2_exit = 20 * kUs;
    return c;
}

} // namespace

TEST_CASE("c2c link: a transfer's wire bytes are whole lines with a header each") {
    CHECK(wire_bytes(0) == 16);   // a read request: one header
    CHECK(wire_bytes(1) == 80);   // one line
    CHECK(wire_bytes(64) == 80);  // one line
    CHECK(wire_bytes(65) == 160); // two
    CHECK(wire_bytes(4096) == 64 * 80);
}

TEST_CASE("c2c link: serialization over all links, latency, and queueing per direction") {
    Link l(config());
    CHECK(l.bandwidth() == 450'000'000'000);
    // 4 KiB: 5120 wire bytes / 0.45 bytes per ps = 11377.8 ps.
    Link::Transfer a = l.send(Dir::Up, 4096, 1000);
    CHECK(a.start == 1000);
    CHECK(a.issued == 1000 + 11377);
    CHECK(a.done == a.issued + 120 * kNs);
    // The next one in the same direction waits for the first to leave.
    Link::Transfer b = l.send(Dir::Up, 4096, 1000);
    CHECK(b.start == a.issued);
    // The remainder is carried: two transfers take exactly twice as long.
    CHECK(b.issued == 1000 + 22755);
    // The other direction is free.
    Link::Transfer c = l.send(Dir::Down, 64, 1000);
    CHECK(c.start == 1000);
    CHECK(c.done == 1000 + 177 + 120 * kNs); // 80 bytes / 0.45
    CHECK(l.counters().up_bytes == 2 * 5120);
    CHECK(l.counters().down_bytes == 80);
}

TEST_CASE("c2c link: sleep enters L2 after the entry latency, waking takes the exit latency") {
    Link l(config());
    CHECK(l.state(0) == State::L0);
    l.request_sleep(10 * kUs, true);
    CHECK(l.state(10 * kUs) == State::EnteringL2);
    CHECK(l.next_change() == 12 * kUs);
    CHECK(l.state(12 * kUs - 1) == State::EnteringL2);
    CHECK(l.state(12 * kUs) == State::L2);
    CHECK(l.next_change() == UINT64_MAX);
    l.request_sleep(50 * kUs, false);
    CHECK(l.state(50 * kUs) == State::Waking);
    CHECK(l.state(70 * kUs - 1) == State::Waking);
    CHECK(l.state(70 * kUs) == State::L0);
    CHECK(l.l2_time(80 * kUs) == 38 * kUs);
    CHECK(l.counters().transitions == 2);
    CHECK(l.counters().wakes_by_access == 0);
}

TEST_CASE("c2c link: a request during a transition takes effect when it ends") {
    Link l(config());
    l.request_sleep(0, true);
    l.request_sleep(1 * kUs, false); // while entering: L2 is reached, then left
    CHECK(l.state(1 * kUs) == State::EnteringL2);
    CHECK(l.state(2 * kUs) == State::Waking);
    CHECK(l.state(22 * kUs) == State::L0);
}

TEST_CASE("c2c link: an access to a sleeping link wakes it and waits for the exit latency") {
    Link l(config());
    l.request_sleep(0, true);
    bool woke = false;
    CHECK(l.ready_for_access(1 * kUs, woke) == 22 * kUs); // entry ends, then the exit
    CHECK(woke);
    CHECK_FALSE(l.sleep_requested());
    CHECK(l.state(22 * kUs) == State::L0);

    l.request_sleep(30 * kUs, true);
    CHECK(l.state(40 * kUs) == State::L2);
    CHECK(l.ready_for_access(40 * kUs, woke) == 60 * kUs);
    CHECK(woke);
    CHECK(l.state(41 * kUs) == State::Waking);
    // A second access while waking waits for the same end, without a wake of its own.
    CHECK(l.ready_for_access(45 * kUs, woke) == 60 * kUs);
    CHECK_FALSE(woke);
    CHECK(l.ready_for_access(61 * kUs, woke) == 61 * kUs);
    CHECK(l.counters().wakes_by_access == 2);
}

TEST_CASE("c2c link: the fault point fails the links, whatever they are doing") {
    LinkConfig c = config();
    c.down_at = 5 * kUs;
    Link l(c);
    l.request_sleep(4 * kUs, true);
    CHECK(l.next_change() == 5 * kUs);
    CHECK(l.state(5 * kUs - 1) == State::EnteringL2);
    CHECK(l.state(5 * kUs) == State::Failed);
    bool woke = false;
    CHECK(l.ready_for_access(6 * kUs, woke) == UINT64_MAX);
    CHECK(l.next_change() == UINT64_MAX);
    l.request_sleep(7 * kUs, false);
    CHECK(l.state(8 * kUs) == State::Failed);
    // A reset brings the links back; the spent fault point stays spent.
    l.reset();
    CHECK(l.state(9 * kUs) == State::L0);
    CHECK(l.next_change() == UINT64_MAX);
    CHECK(validate(c).empty());
    c.links = 16;
    CHECK_FALSE(validate(c).empty());
}
