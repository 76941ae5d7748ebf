// Compares what Linux and OpenSBI read from two device trees: for each listed
// node, the listed properties must be equal, with phandles resolved to the
// paths they point at (phandle numbers themselves may differ). Used to hold
// the default platform's tree against QEMU virt's (same memory map).
//
//   dt_compare OURS.dtb REFERENCE.dtb HARTS
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <libfdt.h>
#include <set>
#include <string>
#include <vector>

namespace {

std::vector<char> load(const char* path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string path_of(const void* fdt, uint32_t phandle) {
    int node = fdt_node_offset_by_phandle(fdt, phandle);
    if (node < 0) return "<dangling phandle>";
    char buf[256];
    if (fdt_get_path(fdt, node, buf, sizeof buf) < 0) return "<no path>";
    return buf;
}

uint32_t cells_of(const void* fdt, int node, const char* name, uint32_t fallback) {
    int len;
    auto* p = static_cast<const fdt32_t*>(fdt_getprop(fdt, node, name, &len));
    return p && len == 4 ? fdt32_to_cpu(*p) : fallback;
}

// A property as comparable text: strings as text, cells as numbers with
// phandles replaced by paths.
std::string render(const void* fdt, const char* node_path, const std::string& prop) {
    int node = fdt_path_offset(fdt, node_path);
    if (node < 0) return "<node missing>";
    int len;
    const void* raw = fdt_getprop(fdt, node, prop.c_str(), &len);
    if (!raw) return "<property missing>";
    static const std::set<std::string> strings = {"compatible", "device_type", "status",
                                                  "mmu-type",   "stdout-path", "model"};
    if (strings.count(prop)) return std::string(static_cast<const char*>(raw), len);
    if (len % 4 != 0 || prop == "clock-frequency-bytes") {
        std::string out;
        for (int i = 0; i < len; ++i)
            out += std::to_string(static_cast<const uint8_t*>(raw)[i]) + " ";
        return out;
    }
    auto* cells = static_cast<const fdt32_t*>(raw);
    int n = len / 4;
    std::vector<bool> is_phandle(n, false);
    static const std::set<std::string> single = {"interrupt-parent", "regmap", "cpu"};
    if (single.count(prop) && n > 0) is_phandle[0] = true;
    if (prop == "interrupts-extended")
        for (int i = 0; i < n;) {
            is_phandle[i] = true;
            int target = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(cells[i]));
            i += 1 + static_cast<int>(cells_of(fdt, target, "#interrupt-cells", 1));
        }
    if (prop == "interrupt-map") {
        // Entries: child unit address, child interrupt specifier, parent
        // phandle, parent unit address, parent interrupt specifier.
        int child = static_cast<int>(cells_of(fdt, node, "#address-cells", 2) +
                                     cells_of(fdt, node, "#interrupt-cells", 1));
        for (int i = child; i < n;) {
            is_phandle[i] = true;
            int parent = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(cells[i]));
            i += 1 + static_cast<int>(cells_of(fdt, parent, "#address-cells", 0) +
                                      cells_of(fdt, parent, "#interrupt-cells", 1)) +
                 child;
        }
    }
    std::string out;
    for (int i = 0; i < n; ++i) {
        uint32_t v = fdt32_to_cpu(cells[i]);
        out += is_phandle[i] ? path_of(fdt, v) : std::to_string(v);
        out += " ";
    }
    return out;
}

struct Check {
    std::string node;
    std::vector<std::string> props;
};

} // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: dt_compare OURS.dtb REFERENCE.dtb HARTS\n");
        return 2;
    }
    auto ours = load(argv[1]), ref = load(argv[2]);
    if (fdt_check_header(ours.data()) || fdt_check_header(ref.data())) {
        std::fprintf(stderr, "not a device tree blob\n");
        return 2;
    }
    int harts = std::atoi(argv[3]);
    std::vector<Check> checks = {
        {"/", {"#address-cells", "#size-cells"}},
        {"/chosen", {"stdout-path"}},
        {"/cpus", {"#address-cells", "#size-cells", "timebase-frequency"}},
        {"/memory@80000000", {"device_type", "reg"}},
        {"/soc", {"#address-cells", "#size-cells", "compatible", "ranges"}},
        {"/soc/serial@10000000",
         {"compatible", "reg", "interrupts", "interrupt-parent", "clock-frequency"}},
        {"/soc/plic@c000000",
         {"compatible", "reg", "riscv,ndev", "#interrupt-cells", "#address-cells",
          "interrupt-controller", "interrupts-extended"}},
        {"/soc/clint@2000000", {"compatible", "reg", "interrupts-extended"}},
        {"/soc/test@100000", {"compatible", "reg"}},
        {"/poweroff", {"compatible", "regmap", "offset", "value"}},
        {"/reboot", {"compatible", "regmap", "offset", "value"}},
        {"/soc/pci@30000000",
         {"compatible", "device_type", "reg", "ranges", "bus-range", "linux,pci-domain",
          "#address-cells", "#size-cells", "#interrupt-cells", "interrupt-map",
          "interrupt-map-mask", "dma-coherent"}},
    };
    for (int h = 0; h < harts; ++h) {
        std::string cpu = "/cpus/cpu@" + std::to_string(h);
        checks.push_back({cpu, {"device_type", "reg", "status", "compatible", "mmu-type"}});
        checks.push_back({cpu + "/interrupt-controller",
                          {"compatible", "#interrupt-cells", "interrupt-controller"}});
        checks.push_back({"/cpus/cpu-map/cluster0/core" + std::to_string(h), {"cpu"}});
    }
    int compared = 0, differences = 0;
    for (const auto& c : checks)
        for (const auto& p : c.props) {
            ++compared;
            std::string a = render(ours.data(), c.node.c_str(), p);
            std::string b = render(ref.data(), c.node.c_str(), p);
            if (a != b) {
                ++differences;
                std::printf("DIFF %s %s\n  nvsoc: %s\n  qemu:  %s\n", c.node.c_str(), p.c_str(),
                            a.c_str(), b.c_str());
            }
        }
    std::printf("%d properties compared, %d differ\n", compared, differences);
    return differences ? 1 : 0;
}
