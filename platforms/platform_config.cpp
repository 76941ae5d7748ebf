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
             {"timer", ParamType::String, "",
              "The device whose mtime the harts read (time CSR, Sstc); needed only when the "
              "platform has more than one timer"},
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
             {"rom", ParamType::String, "",
              "The boot ROM the harts start in; needed only when the platform has more than "
              "one"},
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

const std::vector<ParamSpec>& bus_device_keys() {
    static const std::vector<ParamSpec> keys = {
        {"type", ParamType::String, "", "Model type (see `nvsoc models`)", true},
        {"bus", ParamType::String, "",
         "The model whose bus it sits on: for a PCI device a pcie-host (its root bus) or a "
         "port (its secondary bus)",
         true},
        {"device",
         ParamType::Integer,
         "0",
         "Device number on that bus (PCI: 0-31; below a port only 0). A model provides all "
         "the functions of its device",
         false,
         {},
         0,
         31},
    };
    return keys;
}

const std::vector<ParamSpec>& link_keys() {
    static const std::vector<ParamSpec> keys = {
        {"ends", ParamType::String, "",
         "The two ports it joins, as a list: [gpu0.nvl0, gpu1.nvl0] (port N of a device is "
         "nvl<N>; each port takes one link)",
         true},
        {"gen",
         ParamType::Integer,
         "0",
         "The newest NVLink generation it may train to (1-5); 0: the newest both ends speak",
         false,
         {},
         0,
         5},
        {"ali", ParamType::Bool, "true",
         "Train autonomously (ALI) where the generation has it (4 and 5); false: software "
         "drives every step through the ports' command registers, as before generation 4"},
        {"failed-lanes",
         ParamType::Ranges,
         "",
         "Fault point <link>.lanes: lanes (of either direction) that do not work, e.g. \"1\" or "
         "\"4-7\"; the link trains on fewer lanes where its generation can, else fails",
         false,
         {},
         0,
         7},
        {"train-fails-in",
         ParamType::Enum,
         "none",
         "Fault point <link>.train_fail: training stops in this state until the open driver's "
         "timeout for it expires, and the link fails (FAIL)",
         false,
         {"none", "detect", "safe", "initphase1", "initnegotiate", "initoptimize", "inittl"}},
        {"crc-error-rate", ParamType::String, "",
         "Fault point <link>.crc_rate: the probability (0 to below 1, e.g. 1e-4) that a flit "
         "in each direction fails its CRC and is replayed, from a PRNG seeded by the platform "
         "seed and the link's name"},
        {"crc-errors-at",
         ParamType::Ranges,
         "",
         "Fault point <link>.crc_at: flit ordinals (from 1, replays included; each direction "
         "counts its own) that fail their CRC in both directions, e.g. \"5-8,20\"",
         false,
         {},
         1},
        {"link-down-at", ParamType::Time, "",
         "Fault point <link>.down: the link fails at this simulated time (FAULT, an Xid 74 "
         "event at both ends)"},
        {"recovery-storm-at", ParamType::Time, "",
         "Fault point <link>.recovery_storm: from this time every flit fails its CRC, so "
         "replays roll over into recoveries until the link gives up (FAULT)"},
        {"remote-unresponsive-at", ParamType::Time, "",
         "Fault point <link>.unresponsive: the second end stops answering at this time: "
         "nothing it should acknowledge or return arrives, replays time out, recovery fails "
         "(FAULT at the first end)"},
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
            if (spec == section.params.end())
                throw InputError(
                    node->key_where[i],
                    fmt::format(
                        "unknown key '{}' in '{}'{}", key, section.name,
                        did_you_mean_note(
                            key, known, fmt::format("; known keys: {}", fmt::join(known, ", ")))));
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
    if (!info)
        throw InputError(type_node ? type_node->where : name_at,
                         fmt::format("unknown model type '{}'{}", dev.type,
                                     did_you_mean_note(dev.type, ModelRegistry::instance().types(),
                                                       " (`nvsoc models` lists the types)")));
    const bool on_bus = !info->on_bus.empty();
    const std::vector<ParamSpec>& params = info->params;
    std::vector<std::string> known;
    for (const auto& k : on_bus ? bus_device_keys() : common_device_keys())
        known.push_back(k.name);
    for (const auto& p : params)
        known.push_back(p.name);
    bool have_base = false, have_size = false;
    BusPlacement placement;
    bool have_bus = false;
    for (size_t i = 0; i < node.entries.size(); ++i) {
        const auto& [key, value] = node.entries[i];
        const Location& key_at = node.key_where[i];
        if (key == "type") continue;
        bool soc_key = key == "base" || key == "size" || key == "irq";
        bool bus_key = key == "bus" || key == "device";
        if (on_bus && soc_key)
            throw InputError(key_at,
                             fmt::format("'{}' (type {}) is a {} device: it takes no '{}' "
                                         "(its bus, not the SoC bus, gives it addresses and "
                                         "interrupts); place it with 'bus' and 'device'",
                                         name, dev.type, info->on_bus.text(), key));
        if (!on_bus && bus_key)
            throw InputError(key_at, fmt::format("'{}' (type {}) sits on the SoC bus: '{}' is only "
                                                 "for devices on another model's bus, such as PCI "
                                                 "devices (give 'base' instead)",
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
        if (bus_key) {
            const ParamSpec& spec = bus_device_keys()[key == "bus" ? 1 : 2];
            ParamValue v = convert_param(spec, scalar_of(value, key), value.where, "");
            if (key == "bus") {
                placement.bus = v.text;
                placement.where = value.where;
                have_bus = true;
            } else {
                placement.device = static_cast<unsigned>(v.number);
            }
            continue;
        }
        auto spec = std::find_if(params.begin(), params.end(),
                                 [&](const ParamSpec& s) { return s.name == key; });
        if (spec == params.end())
            throw InputError(key_at, fmt::format("unknown key '{}' for '{}' (type {}){}", key, name,
                                                 dev.type,
                                                 did_you_mean_note(key, known,
                                                                   "; `nvsoc models` lists its "
                                                                   "keys")));
        dev.params.put(key, convert_param(*spec, scalar_of(value, key), value.where,
                                          base_dir_of(value.where)));
    }
    if (on_bus) {
        if (!have_bus)
            throw InputError(name_at,
                             fmt::format("'{}' (type {}) is a {} device and has no "
                                         "'bus': name the model whose bus it sits on, "
                                         "e.g. bus: {}",
                                         name, dev.type, info->on_bus.text(),
                                         info->on_bus.contains("PCI") ? "pcie" : "<owner>"));
        dev.placement = placement;
        apply_defaults(params, dev.params, name_at, name);
        return dev;
    }
    if (!have_base)
        throw InputError(name_at, fmt::format("'{}' has no 'base': give its address, e.g. base: "
                                              "0x10000000",
                                              name));
    if (!have_size && info->default_size == 0 && !info->size_for)
        throw InputError(name_at,
                         fmt::format("'{}' has no 'size': give one, e.g. size: 1GiB", name));
    if (dev.irqs.size() > info->irq_outputs)
        throw InputError(node.key_location("irq"),
                         fmt::format("'{}' (type {}) has {} interrupt output{}, but {} are wired: "
                                     "remove the extra 'irq' entries",
                                     name, dev.type, info->irq_outputs,
                                     info->irq_outputs == 1 ? "" : "s", dev.irqs.size()));
    apply_defaults(params, dev.params, name_at, name);
    if (!have_size)
        dev.size = info->size_for ? info->size_for(dev.params, harts) : info->default_size;
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

const ModelInfo& info_of(const DeviceConfig& d) {
    return *ModelRegistry::instance().find(d.type);
}

// "gpu0.nvl3" of link `link`, checked against the devices and their ports.
NvlinkEnd read_link_end(const ConfigNode& node, const std::string& link,
                        const std::vector<DeviceConfig>& devices) {
    static const std::regex re("([a-z][a-z0-9_-]*)\\.nvl([0-9]+)");
    std::string text = scalar_of(node, "ends");
    std::smatch m;
    if (!std::regex_match(text, m, re))
        throw InputError(node.where,
                         fmt::format("'{}' in the ends of link '{}' is not a port: write "
                                     "<device>.nvl<N>, e.g. gpu0.nvl0",
                                     text, link));
    NvlinkEnd end{m[1].str(), 0, node.where};
    auto dev = std::find_if(devices.begin(), devices.end(),
                            [&](const DeviceConfig& d) { return d.name == end.device; });
    if (dev == devices.end()) {
        std::vector<std::string> names;
        for (const auto& d : devices)
            names.push_back(d.name);
        throw InputError(node.where,
                         fmt::format("link '{}' names '{}', which is not a device{}", link,
                                     end.device, did_you_mean_note(end.device, names)));
    }
    const ModelInfo& info = info_of(*dev);
    NvlinkPorts ports = info.nvlink_ports ? info.nvlink_ports(dev->params) : NvlinkPorts{};
    if (ports.count == 0)
        throw InputError(node.where,
                         info.nvlink_ports
                             ? fmt::format("link '{}': '{}' has no NVLink ports: give it "
                                           "nvlink-ports",
                                           link, end.device)
                             : fmt::format("link '{}': '{}' (type {}) has no NVLink ports", link,
                                           end.device, dev->type));
    unsigned long long port = std::stoull(m[2].str().substr(0, 6));
    if (port >= ports.count)
        throw InputError(node.where,
                         fmt::format("link '{}': '{}' has {} NVLink port{} (nvl0{}): there is no "
                                     "nvl{}; give it more ports or use a free one",
                                     link, end.device, ports.count, ports.count == 1 ? "" : "s",
                                     ports.count == 1 ? "" : fmt::format("-nvl{}", ports.count - 1),
                                     m[2].str()));
    end.port = static_cast<unsigned>(port);
    return end;
}

// The top-level `links` map: each link joins two free ports of two
// different devices that share a generation.
std::vector<NvlinkSpec> read_links(const ConfigNode* node,
                                   const std::vector<DeviceConfig>& devices) {
    std::vector<NvlinkSpec> out;
    // Every model's NVLink parameters are checked (port counts, an
    // NVSwitch's routes), linked or not: a bad one is refused at load.
    for (const auto& d : devices)
        if (info_of(d).nvlink_ports) info_of(d).nvlink_ports(d.params);
    if (!node || node->kind == ConfigNode::Kind::Null) return out; // `links:` with none
    require_map(*node, "links");
    std::vector<std::pair<std::string, const NvlinkSpec*>> taken; // "dev.nvlN" -> its link
    out.reserve(node->entries.size());
    for (size_t i = 0; i < node->entries.size(); ++i) {
        const auto& [name, entry] = node->entries[i];
        const Location& name_at = node->key_where[i];
        if (!std::regex_match(name, name_pattern()))
            throw InputError(name_at, fmt::format("'{}' is not a valid link name: use lower-case "
                                                  "letters, digits, '-' and '_', starting with a "
                                                  "letter",
                                                  name));
        for (const auto& d : devices)
            if (d.name == name)
                throw InputError(name_at,
                                 fmt::format("link '{}' has the name of a device (at {}): link "
                                             "and device names share one namespace (fault points, "
                                             "logs); rename one",
                                             name, d.where.str()));
        require_map(entry, name);
        NvlinkSpec link;
        link.name = name;
        link.where = name_at;
        const ConfigNode* ends = entry.get("ends");
        if (!ends)
            throw InputError(name_at, fmt::format("link '{}' has no 'ends': add e.g. ends: "
                                                  "[gpu0.nvl0, gpu1.nvl0]",
                                                  name));
        if (ends->kind != ConfigNode::Kind::Sequence || ends->items.size() != 2)
            throw InputError(ends->where,
                             fmt::format("the ends of link '{}' must be a list of two ports, "
                                         "e.g. [gpu0.nvl0, gpu1.nvl0]",
                                         name));
        for (unsigned e = 0; e < 2; ++e)
            link.ends[e] = read_link_end(ends->items[e], name, devices);
        if (link.ends[0].device == link.ends[1].device)
            throw InputError(ends->where,
                             fmt::format("link '{}' joins '{}' to itself: a link joins two "
                                         "devices",
                                         name, link.ends[0].device));
        for (const NvlinkEnd& end : link.ends) {
            std::string port = fmt::format("{}.nvl{}", end.device, end.port);
            auto other = std::find_if(taken.begin(), taken.end(),
                                      [&](const auto& t) { return t.first == port; });
            if (other != taken.end())
                throw InputError(
                    end.where, fmt::format("{} already belongs to link '{}' (at {}): a port "
                                           "takes one link",
                                           port, other->second->name, other->second->where.str()));
        }
        // The rest of the entry against the table (without `ends`).
        ConfigNode rest = entry;
        rest.erase("ends");
        std::vector<ParamSpec> keys(link_keys().begin() + 1, link_keys().end());
        link.params = read_section(&rest, SectionInfo{name, "", keys}, name_at);
        // The newest generation both ends speak, within `gen`.
        unsigned lo = 1, hi = kMaxNvlinkGeneration;
        std::string speaks;
        for (const NvlinkEnd& end : link.ends) {
            const DeviceConfig& d =
                *std::find_if(devices.begin(), devices.end(),
                              [&](const auto& x) { return x.name == end.device; });
            NvlinkPorts p = info_of(d).nvlink_ports(d.params);
            lo = std::max(lo, p.min_generation);
            hi = std::min(hi, p.max_generation);
            speaks += fmt::format(
                "{}{} speaks {}", speaks.empty() ? "" : ", ", end.device,
                p.min_generation == p.max_generation
                    ? fmt::format("generation {}", p.max_generation)
                    : fmt::format("generations {}-{}", p.min_generation, p.max_generation));
        }
        if (lo > hi)
            throw InputError(ends->where,
                             fmt::format("link '{}' has no NVLink generation both ends speak "
                                         "({}): change nvlink-gen or nvlink-min-gen",
                                         name, speaks));
        if (unsigned cap = static_cast<unsigned>(link.params.u64("gen"))) {
            if (cap < lo || cap > hi)
                throw InputError(link.params.where("gen"),
                                 fmt::format("link '{}': gen {} is not a generation both ends "
                                             "speak ({}); use {}{}",
                                             name, cap, speaks, lo,
                                             lo == hi ? "" : fmt::format("-{}", hi)));
            hi = cap;
        }
        link.generation = hi;
        out.push_back(std::move(link));
        for (const NvlinkEnd& end : out.back().ends)
            taken.emplace_back(fmt::format("{}.nvl{}", end.device, end.port), &out.back());
    }
    return out;
}

// The one device that plays `role`: the one `named` (given at `named_at`
// by `key`), or the only candidate. Several candidates and no name is an
// error: the YAML must say which.
//
// `user`, when given, is the device that needs the role (an MSI sender):
// an ambiguity is then its error, at its entry, since its key must say.
std::string choose_role(const std::vector<DeviceConfig>& devices, unsigned role, const char* what,
                        const std::string& named, const Location& named_at, const char* key,
                        const DeviceConfig* user = nullptr) {
    std::vector<std::string> candidates, names;
    for (const auto& d : devices) {
        names.push_back(d.name);
        if (info_of(d).roles & role) candidates.push_back(d.name);
    }
    if (!named.empty()) {
        auto it = std::find_if(devices.begin(), devices.end(),
                               [&](const DeviceConfig& d) { return d.name == named; });
        if (it == devices.end())
            throw InputError(named_at, fmt::format("{} names '{}', but there is no device of that "
                                                   "name{}",
                                                   key, named, did_you_mean_note(named, names)));
        if (!(info_of(*it).roles & role))
            throw InputError(named_at, fmt::format("{} names '{}', a {}, which is no {}", key,
                                                   named, it->type, what));
        return named;
    }
    if (candidates.size() > 1 && user)
        throw InputError(user->where,
                         fmt::format("'{}' signals interrupts by MSI and the platform has {} {}s "
                                     "({}): say which one with {}: {}",
                                     user->name, candidates.size(), what,
                                     fmt::join(candidates, ", "), key, candidates.front()));
    if (candidates.size() > 1) {
        const DeviceConfig& second =
            *std::find_if(devices.begin(), devices.end(),
                          [&](const DeviceConfig& d) { return d.name == candidates[1]; });
        throw InputError(second.where,
                         fmt::format("the platform has {} {}s ({}): say which one "
                                     "with {}",
                                     candidates.size(), what, fmt::join(candidates, ", "), key));
    }
    return candidates.empty() ? std::string() : candidates.front();
}

// Every `irq` entry gets its controller's name: the one written, or the
// platform's only interrupt controller.
void resolve_irq_controllers(std::vector<DeviceConfig>& devices) {
    std::vector<std::string> controllers, names;
    for (const auto& d : devices) {
        names.push_back(d.name);
        if (info_of(d).roles & kInterruptController) controllers.push_back(d.name);
    }
    for (auto& d : devices)
        for (IrqRef& ref : d.irqs) {
            if (ref.controller.empty()) {
                if (controllers.empty())
                    throw InputError(ref.where, fmt::format("'{}' has an 'irq' but the platform "
                                                            "has no interrupt controller: add a "
                                                            "plic device",
                                                            d.name));
                if (controllers.size() > 1)
                    throw InputError(ref.where,
                                     fmt::format("'{}' has irq {}, but the platform has {} "
                                                 "interrupt controllers ({}): name one, e.g. "
                                                 "{}:{}",
                                                 d.name, ref.number, controllers.size(),
                                                 fmt::join(controllers, ", "), controllers.front(),
                                                 ref.number));
                ref.controller = controllers.front();
                continue;
            }
            auto it = std::find_if(devices.begin(), devices.end(),
                                   [&](const DeviceConfig& c) { return c.name == ref.controller; });
            if (it == devices.end())
                throw InputError(ref.where, fmt::format("'{}' is wired to '{}', but there is no "
                                                        "device of that name{}",
                                                        d.name, ref.controller,
                                                        did_you_mean_note(ref.controller, names)));
            if (!(info_of(*it).roles & kInterruptController))
                throw InputError(ref.where, fmt::format("'{}' is wired to '{}', which is a {} and "
                                                        "not an interrupt controller",
                                                        d.name, ref.controller, it->type));
        }
}

// Every model that signals by MSI gets its MSI controller: the one its
// `msi-parent` names, or the platform's only one.
void resolve_msi_controllers(std::vector<DeviceConfig>& devices) {
    for (auto& d : devices) {
        const ModelInfo& info = info_of(d);
        MsiUse use = info.uses_msi ? info.uses_msi(d.params) : MsiUse::None;
        if (use == MsiUse::None) continue;
        const ParamValue& named = d.params.value("msi-parent");
        d.msi_controller = choose_role(devices, kMsiController, "MSI controller", named.text,
                                       named.where, "msi-parent", &d);
        if (d.msi_controller.empty() && use == MsiUse::Required)
            throw InputError(
                d.where,
                fmt::format("'{}' signals interrupts by MSI, but the "
                            "platform has no MSI controller: add an imsic "
                            "device{}",
                            d.name,
                            d.type == "pcie-host" ? ", or set msi: off for INTx alone" : ""));
    }
}

// Models that the harts reach through CSRs need those CSRs' extensions.
void check_hart_extensions(const std::vector<DeviceConfig>& devices, const rv::RvIsa& isa,
                           const std::string& isa_text) {
    for (const auto& d : devices) {
        const ModelInfo& info = info_of(d);
        if (!info.hart_extensions) continue;
        for (const std::string& ext : info.hart_extensions(d.params))
            if (std::find(isa.names.begin(), isa.names.end(), ext) == isa.names.end())
                throw InputError(d.where, fmt::format("'{}' (type {}) needs the harts' {} "
                                                      "extension, which harts.isa '{}' lacks: add "
                                                      "_{} to it",
                                                      d.name, d.type, ext, isa_text, ext));
    }
}

std::string pin_name(unsigned pin) {
    switch (pin) {
    case HartIrqPins::kMsip:
        return "MSIP";
    case HartIrqPins::kMtip:
        return "MTIP";
    case HartIrqPins::kSeip:
        return "SEIP";
    case HartIrqPins::kMeip:
        return "MEIP";
    }
    return fmt::format("mip bit {}", pin);
}

// Hart-driving models get their harts (`harts`, or all); one hart's pin
// has one driver.
void assign_harts(std::vector<DeviceConfig>& devices, unsigned harts) {
    std::map<std::pair<unsigned, unsigned>, std::string> driver; // (hart, pin) -> device
    for (auto& d : devices) {
        const ModelInfo& info = info_of(d);
        if (!info.hart_pins) continue;
        const std::vector<unsigned> pins = info.hart_pins(d.params);
        const ParamValue& v = d.params.value("harts");
        const Location& at = v.is_set ? v.where : d.where;
        d.hart_ids.clear();
        if (!v.is_set)
            for (unsigned h = 0; h < harts; ++h)
                d.hart_ids.push_back(h);
        for (const Range& r : v.ranges.items)
            for (uint64_t h = r.lo; h <= r.hi; ++h) {
                if (h >= harts)
                    throw InputError(at, fmt::format("'{}' drives hart {}, but the platform has "
                                                     "{} hart{} (0-{})",
                                                     d.name, h, harts, harts == 1 ? "" : "s",
                                                     harts - 1));
                if (std::find(d.hart_ids.begin(), d.hart_ids.end(), h) == d.hart_ids.end())
                    d.hart_ids.push_back(static_cast<unsigned>(h));
            }
        for (unsigned h : d.hart_ids)
            for (unsigned pin : pins) {
                auto [it, fresh] = driver.emplace(std::make_pair(h, pin), d.name);
                if (!fresh) {
                    unsigned lo = harts / 2, hi = harts - 1;
                    throw InputError(
                        at,
                        fmt::format("'{}' and '{}' both drive hart {}'s {}: {}", it->second, d.name,
                                    h, pin_name(pin),
                                    harts == 1 ? std::string("remove one")
                                    : lo == hi
                                        ? fmt::format("give each its own harts, e.g. harts: {}", lo)
                                        : fmt::format("give each its own harts, e.g. harts: "
                                                      "{}-{}",
                                                      lo, hi)));
                }
            }
    }
}

// The top-level `numa` map. `distances` gives node pairs as "A-B": d, the
// form and rules of the device-tree distance-map (numa.txt): 10 from a node
// to itself, more than 10 between two nodes, the same both ways. Whether
// the nodes exist is known only once the devices are built (describe_numa).
std::vector<NumaDistance> read_numa(const ConfigNode* node) {
    std::vector<NumaDistance> out;
    if (!node || node->kind == ConfigNode::Kind::Null) return out;
    require_map(*node, "numa");
    for (size_t i = 0; i < node->entries.size(); ++i)
        if (node->entries[i].first != "distances")
            throw InputError(node->key_where[i],
                             fmt::format("unknown key '{}' in 'numa': the only key is "
                                         "'distances', e.g. distances: {{\"0-1\": 40}}",
                                         node->entries[i].first));
    const ConfigNode* map = node->get("distances");
    if (!map || map->kind == ConfigNode::Kind::Null) return out;
    require_map(*map, "numa.distances");
    static const std::regex pair(R"(([0-9]+)-([0-9]+))");
    for (size_t i = 0; i < map->entries.size(); ++i) {
        const auto& [key, value] = map->entries[i];
        const ParamSpec spec{key, ParamType::Integer, "", "NUMA distance", false, {}, 10, 255};
        const Location& key_at = map->key_where[i];
        std::smatch m;
        if (!std::regex_match(key, m, pair) || m[1].length() > 2 || m[2].length() > 2)
            throw InputError(key_at, fmt::format("'{}' is not a NUMA node pair: write it as "
                                                 "\"A-B\" with two node numbers, e.g. \"0-1\"",
                                                 key));
        NumaDistance d;
        d.a = static_cast<unsigned>(std::stoul(m[1].str()));
        d.b = static_cast<unsigned>(std::stoul(m[2].str()));
        d.where = value.where;
        d.distance = static_cast<unsigned>(
            convert_param(spec, scalar_of(value, key), value.where, "").number);
        if (d.a == d.b && d.distance != 10)
            throw InputError(value.where,
                             fmt::format("the distance from node {} to itself is {}: a node's "
                                         "distance to itself is always 10 (remove the entry or "
                                         "write 10)",
                                         d.a, d.distance));
        if (d.a != d.b && d.distance <= 10)
            throw InputError(value.where,
                             fmt::format("the distance between nodes {} and {} is {}: distances "
                                         "between two nodes must be above 10 (10 is a node's own)",
                                         d.a, d.b, d.distance));
        for (const NumaDistance& o : out)
            if (std::minmax(o.a, o.b) == std::minmax(d.a, d.b) && o.distance != d.distance)
                throw InputError(value.where,
                                 fmt::format("'{}: {}' disagrees with '{}-{}: {}' (at {}): "
                                             "distances are the same both ways; give the pair "
                                             "once",
                                             key, d.distance, o.a, o.b, o.distance, o.where.str()));
        out.push_back(d);
    }
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
    static const std::vector<std::string> top = {"platform", "seed",    "harts", "timing", "boot",
                                                 "memory",   "devices", "links", "numa"};
    for (size_t i = 0; i < root.entries.size(); ++i) {
        const std::string& key = root.entries[i].first;
        if (std::find(top.begin(), top.end(), key) != top.end()) continue;
        throw InputError(root.key_where[i],
                         fmt::format("unknown top-level key '{}'{}", key,
                                     did_you_mean_note(key, top,
                                                       fmt::format("; known keys: {}, extends",
                                                                   fmt::join(top, ", ")))));
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

    cfg.links = read_links(root.get("links"), cfg.devices);
    cfg.numa_distances = read_numa(root.get("numa"));
    resolve_irq_controllers(cfg.devices);
    resolve_msi_controllers(cfg.devices);
    assign_harts(cfg.devices, cfg.harts.count);
    check_hart_extensions(cfg.devices, cfg.harts.parsed_isa, cfg.harts.isa);
    cfg.harts.timer = choose_role(cfg.devices, kTimeSource, "timer", harts.str("timer"),
                                  harts.where("timer"), "harts.timer");
    cfg.boot.rom = choose_role(cfg.devices, kBootRom, "boot ROM", boot.str("rom"),
                               boot.where("rom"), "boot.rom");
    return cfg;
}

} // namespace nvsoc
