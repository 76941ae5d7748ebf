// A platform config after validation: every key known, every value typed,
// every model type and reference resolved. Built from a ConfigNode tree; any
// problem is an InputError at the place to fix.
#pragma once

#include "models/core/device.h"
#include "models/cpu/rv_isa.h"
#include "platforms/config_tree.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace nvsoc {

// The top-level sections other than `memory` and `devices`, each with its
// parameter table (documented in docs/configuration.md like the models).
struct SectionInfo {
    std::string name;
    std::string doc;
    std::vector<ParamSpec> params;
};
const std::vector<SectionInfo>& config_sections();

// Keys every device entry takes besides its model's own parameters.
const std::vector<ParamSpec>& common_device_keys();
// Keys of devices on another model's bus (ModelInfo::on_bus, such as PCI
// devices) instead of base/size/irq.
const std::vector<ParamSpec>& bus_device_keys();

// Keys of an entry of the top-level `links` map (one NVLink link).
const std::vector<ParamSpec>& link_keys();

// One end of an NVLink link: port `port` (nvl<port>) of device `device`.
struct NvlinkEnd {
    std::string device;
    unsigned port = 0;
    Location where;
};

// An entry of `links`: the link `name` joining two ports.
struct NvlinkSpec {
    std::string name;
    std::array<NvlinkEnd, 2> ends;
    // The generation it trains to when nothing fails: the newest both ends
    // speak, at most `gen`.
    unsigned generation = 0;
    Params params; // link_keys() but `ends`, typed, defaults applied
    Location where;
};

// An entry of `numa.distances`: the SLIT-style distance between NUMA nodes
// `a` and `b` (10 = local). Checked against the nodes the devices create
// when the device tree is built (Platform::describe_numa).
struct NumaDistance {
    unsigned a = 0, b = 0;
    unsigned distance = 0;
    Location where;
};

struct HartsConfig {
    unsigned count = 1;
    std::string isa;
    rv::RvIsa parsed_isa; // `isa`, parsed and checked by the hart's parser (models/cpu)
    uint64_t frequency = 0;
    std::string mmu;
    Location where;
    // The device the harts read time from (role kTimeSource): `harts.timer`,
    // or the platform's one timer; empty when it has none.
    std::string timer;
};

struct BootImage {
    std::string path;
    Location where; // where the path was given (config line or command line)
    bool given() const { return !path.empty(); }
};

struct BootConfig {
    BootImage firmware, kernel, initrd, dtb;
    std::string bootargs;
    uint64_t kernel_addr = 0x80200000;
    // The boot ROM the harts start in (role kBootRom): `boot.rom`, or the
    // platform's one boot ROM; empty when it has none.
    std::string rom;
};

struct PlatformConfig {
    std::string file; // the top config file
    std::string name, model, compatible;
    uint64_t seed = 0;
    uint64_t quantum_ps = 0;
    HartsConfig harts;
    BootConfig boot;
    std::vector<DeviceConfig> memory;         // RAM/ROM regions
    std::vector<DeviceConfig> devices;        // everything else, in written order
    std::vector<NvlinkSpec> links;            // NVLink links, in written order
    std::vector<NumaDistance> numa_distances; // `numa.distances`, in written order
};

// Validates the merged tree. Device params are checked against the model
// registry; files named by Path params must exist. Roles are settled here:
// every `irq` names its controller, the harts' timer and the boot ROM are
// chosen, and every hart-driving model knows its harts (no two driving one
// hart's pin).
PlatformConfig build_platform_config(const ConfigNode& root, const std::string& file);

} // namespace nvsoc
