// NUMA in the platform config and the device tree: the `numa.distances`
// map, checked as the device-tree distance-map rules require, and the
// nodes that devices hand to the OS (DtContext::add_numa_memory).
#include "platforms/platform.h"

#include <catch2/catch.hpp>

using namespace nvsoc;

namespace {

const char* const kSoc = R"(
harts: {count: 1}
memory:
  dram: {base: 0x80000000, size: 64MiB}
devices:
  plic: {type: plic, base: 0xc000000, size: 0x400000}
)";

PlatformConfig config_with(const std::string& numa) {
    std::string yaml = std::string(kSoc) + numa;
    return build_platform_config(parse_config_text(yaml, "test.yaml"), "test.yaml");
}

std::string refusal(const std::string& numa) {
    try {
        config_with(numa);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST_CASE("numa: distances are read in written order, one per pair") {
    PlatformConfig c = config_with("numa:\n  distances:\n    \"0-1\": 40\n    \"2-1\": 80\n"
                                   "    \"1-0\": 40\n");
    REQUIRE(c.numa_distances.size() == 3);
    CHECK(c.numa_distances[0].a == 0);
    CHECK(c.numa_distances[0].b == 1);
    CHECK(c.numa_distances[0].distance == 40);
    CHECK(c.numa_distances[1].a == 2);
    CHECK(c.numa_distances[1].distance == 80);
    CHECK(c.numa_distances[1].where.line == 10);
    CHECK(config_with("numa: {}\n").numa_distances.empty());
}

TEST_CASE("numa: distances that break the distance-map rules are refused where written") {
    CHECK_THAT(refusal("numa:\n  distances:\n    \"0-1\": 10\n"),
               Catch::Contains("test.yaml:9:12") &&
                   Catch::Contains("between nodes 0 and 1 is 10: distances between two nodes "
                                   "must be above 10"));
    CHECK_THAT(refusal("numa:\n  distances:\n    \"0-0\": 20\n"),
               Catch::Contains("node 0 to itself is 20"));
    CHECK_THAT(refusal("numa:\n  distances:\n    \"0-1\": 40\n    \"1-0\": 41\n"),
               Catch::Contains("test.yaml:10:12") && Catch::Contains("same both ways"));
    CHECK_THAT(refusal("numa:\n  distances:\n    \"0-1\": 300\n"), Catch::Contains("out of range"));
    CHECK_THAT(refusal("numa:\n  distances:\n    \"0:1\": 40\n"),
               Catch::Contains("'0:1' is not a NUMA node pair"));
    CHECK_THAT(refusal("numa:\n  distance:\n    \"0-1\": 40\n"),
               Catch::Contains("unknown key 'distance' in 'numa'"));
    CHECK_THAT(refusal("numa: [1]\n"), Catch::Contains("'numa' must be a map"));
}

TEST_CASE("numa: a distance to a node no device creates is refused when the tree is built") {
    Platform p("numa_missing", config_with("numa:\n  distances:\n    \"0-3\": 40\n"), nullptr);
    try {
        p.load();
        FAIL("no error");
    } catch (const InputError& e) {
        CHECK_THAT(std::string(e.what()),
                   Catch::Contains("test.yaml:9:12") &&
                       Catch::Contains("names node 3, which no device creates; the nodes are 0 "
                                       "(the harts and RAM)"));
    }
}

TEST_CASE("numa: without device memory nodes the tree has no NUMA properties") {
    Platform p("numa_none", config_with("numa:\n  distances:\n    \"0-0\": 10\n"), nullptr);
    p.load();
    const DtNode& root = p.device_tree().root();
    CHECK(root.find_child("distance-map") == nullptr);
    const DtNode* mem = root.find_child("memory@80000000");
    REQUIRE(mem);
    CHECK(mem->prop("numa-node-id") == nullptr);
}
