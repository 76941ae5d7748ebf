#include "platforms/platform_config.h"

#include "models/core/model_registry.h"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <regex>

namespace nvsoc {

const std::vector<SectionInfo>& config_sections() {
    static const std::vector<SectionInfo> sections = {
        {"platform",
         "Names of the platform",
         {
             {"name", ParamType::String, "nvsoc", "Short name, used in logs and stats"},
             {"model", ParamType::String, "nvsoc virtual platform", "Device-tree model string"},
             {"compatible", ParamType::String, "nvsoc,virt", "Device-tree root compatible"},
         }},
        {"harts",
         "The RISC-V harts",
         {
             {"count", ParamType::Integer, "1", "Number of harts", false, {}, 1, 64},
             {"isa", ParamType::String, "rv64imafdc_zicsr_zifencei_zicntr_zihpm",
              "ISA string (riscv,isa); every extension must be one nvsoc's hart implements"},
             {"frequency", ParamType::Frequency, "1GHz", "Clock of each hart"},
             {"mmu",
              ParamType::Enum,
              "sv48",
              "Virtual-memory mode (DT mmu-type)",
              false,
              {"sv39", "sv48", "bare"}},
         }},
        {"timing",
         "Simulation timing",
         {
             {"quantum", ParamType::Time, "1us",
              "How far a hart may run ahead of SystemC time before it syncs"},
         }},
        {"boot",
         "Images and the boot protocol",
         {
             {"firmware", ParamType::Path, "",
              "M-mode firmware (ELF or raw binary at the first RAM region's base)"},
             {"kernel", ParamType::Path, "", "Payload the firmware jumps to (ELF or raw Image)"},
             {"kernel-addr", ParamType::Integer, "0x80200000",
              "Load address of a raw kernel and the firmware's next address"},
             {"initrd", ParamType::Path, "", "Initial ramdisk; its range goes into /chosen"},
             {"bootargs", ParamType::String, "", "Kernel command line (/chosen bootargs)"},
             {"dtb", ParamType::Path, "", "Device tree blob to use instead of the generated one"},
         }},
    };
    return sections;
}

const std::vector<ParamSpec>& common_device_keys() {
    static const std::vector<ParamSpec> keys = {
        {"type", ParamType::String, "", "Model type (see `nvsoc models`)", true},
        {"base", ParamType::Integer, "", "Base address on the SoC bus", true},
        {"size", ParamType::Size, "", "Size of the address range (default: the model's)"},
        {"irq", ParamType::String, "",
         "Interrupt wiring: a source number of the default controller, 'controller:number', or "
         "a list of them"},
    };
    return keys;
}

const std::vector<ParamSpec>& pci_device_keys() {
    static const std::vector<ParamSpec> keys = {
        {"type", ParamType::String, "", "Model type (see `nvsoc models`)", true},
        {"bus", ParamType::String, "",
         "The node above: a pcie-host (its root bus) or a port (its secondary bus)", true},
        {"device",
         ParamType::Integer,
         "0",
         "Device number on that bus (0-31; below a port only 0). A model provides all the "
         "functions of its device",
         false,
         {},
         0,
         31},
    };
    return keys;
}

namespace {

std::string base_dir_of(const Location& where) {
    if (where.file.empty() || where.file[0] == '<') return ""; // command line: cwd
    return std::filesystem::path(where.file).parent_path().string();
}

const ConfigNode& require_map(const ConfigNode& node, const std::string& what) {
    if (!node.is_map())
        throw InputError(node.where, fmt::format("'{}' must be a map of keys, not {}", what,
                                                 kind_name(node.kind)));
    return node;
}

std::string scalar_of(const ConfigNode& node, const std::string& key) {
    if (!node.is_scalar())
        throw InputError(node.where, fmt::format("'{}' takes a single value, not {}", key,
                                                 kind_name(node.kind)));
    return node.scalar;
}

// Checks a section map against its table; returns typed values.
Params read_section(const ConfigNode* node, const SectionInfo& section, const Location& fallback) {
    Params params;
    Location owner = node ? node->where : fallback;
    if (node) {
        require_map(*node, section.name);
        std::vector<std::string> known;
        for (const auto& s : section.params)
            known.push_back(s.name);
        for (size_t i = 0; i < node->entries.size(); ++i) {
            const auto& [key, value] = node->entries[i];
            auto spec = std::find_if(section.params.begin(), section.params.end(),
                                     [&](const ParamSpec& s) { return s.name == key; });
            if (spec == section.params.end()) {
                std::string hint = did_you_mean(key, known);
                throw InputError(
                    node->key_where[i],
                    fmt::format("unknown key '{}' in '{}'{}", key, section.name,
                                hint.empty()
                                    ? "; known keys: " + fmt::format("{}", fmt::join(known, ", "))
                                    : " (did you mean '" + hint + "'?)"));
            }
            params.put(key, convert_param(*spec, scalar_of(value, key), value.where,
                                          base_dir_of(value.where)));
        }
    }
    apply_defaults(section.params, params, owner, section.name);
    return params;
}

const SectionInfo& section(const std::string& name) {
    for (const auto& s : config_sections())
        if (s.name == name) return s;
    throw std::logic_error("no section " + name);
}

std::vector<IrqRef> read_irqs(const ConfigNode& node) {
    std::vector<const ConfigNode*> list;
    if (node.kind == ConfigNode::Kind::Sequence)
        for (const auto& item : node.items)
            list.push_back(&item);
    else
        list.push_back(&node);
    std::vector<IrqRef> out;
    for (const ConfigNode* item : list) {
        std::string text = scalar_of(*item, "irq");
        IrqRef ref;
        ref.where = item->where;
        std::string number = text;
        if (auto colon = text.find(':'); colon != std::string::npos) {
            ref.controller = text.substr(0, colon);
            number = text.substr(colon + 1);
        }
        uint64_t n;
        if (!parse_integer(number, n) || n > 0xffff)
            throw InputError(item->where, fmt::format("'{}' is not an interrupt: write a source "
                                                      "number (10) or controller:number "
                                                      "(plic:10)",
                                                      text));
        ref.number = static_cast<unsigned>(n);
        out.push_back(ref);
    }
    return out;
}

const std::regex& name_pattern() {
    static const std::regex re("[a-z][a-z0-9_-]*");
    return re;
}

DeviceConfig read_device(const std::string& name, const Location& name_at, const ConfigNode& node,
                         const std::string& default_type, unsigned harts) {
    if (!std::regex_match(name, name_pattern()))
        throw InputError(name_at, fmt::format("'{}' is not a valid device name: use lower-case "
                                              "letters, digits, '-' and '_', starting with a "
                                              "letter",
                                              name));
    require_map(node, name);
    DeviceConfig dev;
    dev.name = name;
    dev.where = name_at;
    dev.harts = harts;
    const ConfigNode* type_node = node.get("type");
    if (type_node)
        dev.type = scalar_of(*type_node, "type");
    else if (!default_type.empty())
        dev.type = default_type;
    else
        throw InputError(name_at, fmt::format("'{}' has no 'type': add e.g. type: ns16550a (`nvsoc "
                                              "models` lists the types)",
                                              name));
    const ModelInfo* info = ModelRegistry::instance().find(dev.type);
    if (!info) {
        std::string hint = did_you_mean(dev.type, ModelRegistry::instance().types());
        throw InputError(type_node ? type_node->where : name_at,
                         fmt::format("unknown model type '{}'{}", dev.type,
                                     hint.empty() ? " (`nvsoc models` lists the types)"
                                                  : " (did you mean '" + hint + "'?)"));
    }
    std::vector<std::string> known;
    for (const auto& k : info->pci ? pci_device_keys() : common_device_keys())
        known.push_back(k.name);
    for (const auto& p : info->params)
        known.push_back(p.name);
    bool have_base = false, have_size = false;
    DeviceConfig::PciPlacement pci;
    bool have_bus = false;
    for (size_t i = 0; i < node.entries.size(); ++i) {
        const auto& [key, value] = node.entries[i];
        const Location& key_at = node.key_where[i];
        if (key == "type") continue;
        bool soc_key = key == "base" || key == "size" || key == "irq";
        bool pci_key = key == "bus" || key == "device";
        if (info->pci && soc_key)
            throw InputError(key_at,
                             fmt::format("'{}' (type {}) is a PCI device: it takes no '{}' "
                                         "(software assigns its BARs and interrupts); place it "
                                         "with 'bus' and 'device'",
                                         name, dev.type, key));
        if (!info->pci && pci_key)
            throw InputError(key_at, fmt::format("'{}' (type {}) sits on the SoC bus: '{}' is only "
                                                 "for PCI devices (give 'base' instead)",
                                                 name, dev.type, key));
        if (key == "base" || key == "size") {
            const ParamSpec& spec = common_device_keys()[key == "base" ? 1 : 2];
            ParamValue v = convert_param(spec, scalar_of(value, key), value.where, "");
            (key == "base" ? dev.base : dev.size) = v.number;
            (key == "base" ? have_base : have_size) = true;
            continue;
        }
        if (key == "irq") {
            dev.irqs = read_irqs(value);
            continue;
        }
        if (pci_key) {
            const ParamSpec& spec = pci_device_keys()[key == "bus" ? 1 : 2];
            ParamValue v = convert_param(spec, scalar_of(value, key), value.where, "");
            if (key == "bus") {
                pci.bus = v.text;
                pci.where = value.where;
                have_bus = true;
            } else {
                pci.device = static_cast<unsigned>(v.number);
            }
            continue;
        }
        auto spec = std::find_if(info->params.begin(), info->params.end(),
                                 [&](const ParamSpec& s) { return s.name == key; });
        if (spec == info->params.end()) {
            std::string hint = did_you_mean(key, known);
            throw InputError(key_at, fmt::format("unknown key '{}' for '{}' (type {}){}", key, name,
                                                 dev.type,
                                                 hint.empty() ? "; `nvsoc models` lists its keys"
                                                              : " (did you mean '" + hint + "'?)"));
        }
        dev.params.put(key, convert_param(*spec, scalar_of(value, key), value.where,
                                          base_dir_of(value.where)));
    }
    if (info->pci) {
        if (!have_bus)
            throw InputError(name_at, fmt::format("'{}' (type {}) is a PCI device and has no "
                                                  "'bus': name the host bridge or port it sits "
                                                  "below, e.g. bus: pcie",
                                                  name, dev.type));
        dev.pci = pci;
        apply_defaults(info->params, dev.params, name_at, name);
        return dev;
    }
    if (!have_base)
        throw InputError(name_at, fmt::format("'{}' has no 'base': give its address, e.g. base: "
                                              "0x10000000",
                                              name));
    if (!have_size) {
        if (info->default_size == 0)
            throw InputError(name_at,
                             fmt::format("'{}' has no 'size': give one, e.g. size: 1GiB", name));
        dev.size = info->default_size;
    }
    if (dev.irqs.size() > info->irq_outputs)
        throw InputError(node.key_location("irq"),
                         fmt::format("'{}' (type {}) has {} interrupt output{}, but {} are wired: "
                                     "remove the extra 'irq' entries",
                                     name, dev.type, info->irq_outputs,
                                     info->irq_outputs == 1 ? "" : "s", dev.irqs.size()));
    apply_defaults(info->params, dev.params, name_at, name);
    return dev;
}

std::vector<DeviceConfig> read_devices(const ConfigNode* node, const std::string& section_name,
                                       const std::string& default_type, unsigned harts) {
    std::vector<DeviceConfig> out;
    if (!node) return out;
    require_map(*node, section_name);
    for (size_t i = 0; i < node->entries.size(); ++i)
        out.push_back(read_device(node->entries[i].first, node->key_where[i],
                                  node->entries[i].second, default_type, harts));
    return out;
}

BootImage image(const Params& p, const std::string& key) {
    if (!p.has(key)) return {};
    return BootImage{p.str(key), p.where(key)};
}

} // namespace

PlatformConfig build_platform_config(const ConfigNode& root, const std::string& file) {
    PlatformConfig cfg;
    cfg.file = file;
    static const std::vector<std::string> top = {"platform", "seed",   "harts",  "timing",
                                                 "boot",     "memory", "devices"};
    for (size_t i = 0; i < root.entries.size(); ++i) {
        const std::string& key = root.entries[i].first;
        if (std::find(top.begin(), top.end(), key) != top.end()) continue;
        std::string hint = did_you_mean(key, top);
        throw InputError(root.key_where[i],
                         fmt::format("unknown top-level key '{}'{}", key,
                                     hint.empty() ? fmt::format("; known keys: {}, extends",
                                                                fmt::join(top, ", "))
                                                  : " (did you mean '" + hint + "'?)"));
    }
    Location top_at{file, 1, 1};

    Params platform = read_section(root.get("platform"), section("platform"), top_at);
    cfg.name = platform.str("name");
    cfg.model = platform.str("model");
    cfg.compatible = platform.str("compatible");

    if (const ConfigNode* seed = root.get("seed")) {
        ParamSpec spec{"seed", ParamType::Integer, "", "Seed of every random choice"};
        cfg.seed = convert_param(spec, scalar_of(*seed, "seed"), seed->where, "").number;
    }

    Params harts = read_section(root.get("harts"), section("harts"), top_at);
    cfg.harts.count = static_cast<unsigned>(harts.u64("count"));
    cfg.harts.isa = harts.str("isa");
    cfg.harts.frequency = harts.u64("frequency");
    cfg.harts.mmu = harts.str("mmu");
    cfg.harts.where = harts.where("isa");
    cfg.harts.parsed_isa = rv::parse_rv_isa(cfg.harts.isa, cfg.harts.where);

    Params timing = read_section(root.get("timing"), section("timing"), top_at);
    cfg.quantum_ps = timing.u64("quantum");
    if (cfg.quantum_ps == 0)
        throw InputError(timing.where("quantum"), "the quantum must be greater than zero");

    Params boot = read_section(root.get("boot"), section("boot"), top_at);
    cfg.boot.firmware = image(boot, "firmware");
    cfg.boot.kernel = image(boot, "kernel");
    cfg.boot.initrd = image(boot, "initrd");
    cfg.boot.dtb = image(boot, "dtb");
    cfg.boot.bootargs = boot.str("bootargs");
    cfg.boot.kernel_addr = boot.u64("kernel-addr");

    cfg.memory = read_devices(root.get("memory"), "memory", "ram", cfg.harts.count);
    cfg.devices = read_devices(root.get("devices"), "devices", "", cfg.harts.count);
    for (const auto& m : cfg.memory)
        if (m.type != "ram" && m.type != "rom")
            throw InputError(m.where, fmt::format("'{}' in 'memory' has type '{}': memory entries "
                                                  "are ram or rom; put devices under 'devices'",
                                                  m.name, m.type));
    // Names are unique across both sections (they name SystemC modules).
    for (const auto& d : cfg.devices)
        for (const auto& m : cfg.memory)
            if (d.name == m.name)
                throw InputError(d.where, fmt::format("'{}' is already the name of a memory region "
                                                      "(at {}): rename one",
                                                      d.name, m.where.str()));
    return cfg;
}

} // namespace nvsoc
