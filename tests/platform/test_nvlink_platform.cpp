// NVLink in the platform config: the top-level `links` map, the ports that
// models declare (ModelInfo::nvlink_ports), and the generation each link
// trains to. The refusals of bad links are tests/configs/bad/94-106.
#include "platforms/platform_config.h"

#include <catch2/catch.hpp>

using namespace nvsoc;

namespace {

const char* const kBase = R"(
harts: {count: 1}
memory:
  dram: {base: 0x80000000, size: 64MiB}
devices:
  plic: {type: plic, base: 0xc000000, size: 0x400000}
  pcie: {type: pcie-host, base: 0x30000000, size: 16MiB, irq: [32, 33, 34, 35]}
  rp0:  {type: pcie-root-port, bus: pcie, device: 1}
  rp1:  {type: pcie-root-port, bus: pcie, device: 2}
  rp2:  {type: pcie-root-port, bus: pcie, device: 3}
  gpu0: {type: gpu, bus: rp0, nvlink-ports: 4}
  gpu1: {type: gpu, bus: rp1, nvlink-ports: 4, nvlink-gen: 5}
  gpu2: {type: gpu, bus: rp2, nvlink-ports: 2, nvlink-gen: 3, nvlink-min-gen: 2}
)";

PlatformConfig config_with(const std::string& links,
                           const std::vector<std::string>& overrides = {}) {
    ConfigNode root = parse_config_text(std::string(kBase) + links, "test.yaml");
    int n = 0;
    for (const auto& o : overrides)
        apply_override(root, o, ++n);
    return build_platform_config(root, "test.yaml");
}

} // namespace

TEST_CASE("nvlink config: links join ports and train to the newest generation both ends speak") {
    PlatformConfig cfg = config_with(R"(
links:
  l01a: {ends: [gpu0.nvl0, gpu1.nvl0]}
  l01b: {ends: [gpu1.nvl1, gpu0.nvl1], gen: 3}
  l02:  {ends: [gpu0.nvl2, gpu2.nvl1]}
)");
    REQUIRE(cfg.links.size() == 3);
    const NvlinkSpec& a = cfg.links[0];
    CHECK(a.name == "l01a");
    CHECK(a.ends[0].device == "gpu0");
    CHECK(a.ends[0].port == 0);
    CHECK(a.ends[1].device == "gpu1");
    CHECK(a.generation == 4); // gpu0 speaks 1-4 (the default), gpu1 1-5
    CHECK(cfg.links[1].ends[0].device == "gpu1");
    CHECK(cfg.links[1].ends[0].port == 1);
    CHECK(cfg.links[1].generation == 3); // capped by gen
    CHECK(cfg.links[2].generation == 3); // gpu2 speaks 2-3
    CHECK(cfg.links[2].ends[1].port == 1);
    // The keys' defaults: no faults, ALI where the generation has it.
    CHECK(a.params.flag("ali"));
    CHECK(a.params.str("train-fails-in") == "none");
    CHECK(a.params.str("crc-error-rate").empty());
    CHECK_FALSE(a.params.has("link-down-at"));
    CHECK(a.where.line > 0);
}

TEST_CASE("nvlink config: --set reaches a link's fault keys by its name") {
    PlatformConfig cfg = config_with(
        R"(
links:
  l01: {ends: [gpu0.nvl0, gpu1.nvl0]}
)",
        {"links.l01.link-down-at=2ms", "links.l01.crc-errors-at=a:5-6", "links.l01.ali=false"});
    REQUIRE(cfg.links.size() == 1);
    const Params& p = cfg.links[0].params;
    CHECK(p.time_ps("link-down-at") == 2'000'000'000ull);
    CHECK_FALSE(p.flag("ali"));
    REQUIRE(p.ranges("crc-errors-at").items.size() == 1);
    CHECK(p.ranges("crc-errors-at").items[0].label == "a");
    CHECK(p.ranges("crc-errors-at").items[0].lo == 5);
    CHECK(p.ranges("crc-errors-at").items[0].hi == 6);
}

TEST_CASE("nvlink config: a platform without links has none, and GPUs report their port count") {
    PlatformConfig cfg = config_with("");
    CHECK(cfg.links.empty());
    const auto& gpu = cfg.devices[5];
    REQUIRE(gpu.name == "gpu0");
    CHECK(gpu.params.u64("nvlink-ports") == 4);
    CHECK(gpu.params.u64("nvlink-gen") == 4);
}

TEST_CASE("nvlink config: a link and a device may not share a name") {
    CHECK_THROWS_WITH(config_with(R"(
links:
  gpu2: {ends: [gpu0.nvl0, gpu1.nvl0]}
)"),
                      Catch::Contains("link 'gpu2' has the name of a device"));
}
