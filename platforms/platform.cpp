#include "platforms/platform.h"

#include "models/core/model_registry.h"
#include "models/memory/bootrom.h"
#include "models/pcie/pcie_host.h"
#include "models/pcie/pcie_node.h"

#include <algorithm>
#include <libfdt.h>
#include <map>

namespace nvsoc {

namespace {

constexpr uint64_t kMiB = 1ull << 20;

uint64_t align_down(uint64_t v, uint64_t a) {
    return v & ~(a - 1);
}
uint64_t align_up(uint64_t v, uint64_t a) {
    return (v + a - 1) & ~(a - 1);
}

// splitmix64: a small, well-known mixing function; deterministic from seed.
uint64_t mix(uint64_t& state) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

std::unique_ptr<Device> create(const DeviceConfig& c, const LogConfig* log, SystemControl* sys,
                               uint64_t seed) {
    DeviceConfig copy = c;
    copy.log = log;
    copy.system = sys;
    copy.seed = seed;
    return ModelRegistry::instance().create(copy);
}

} // namespace

Platform::Platform(sc_core::sc_module_name name, PlatformConfig config, const LogConfig* log)
    : sc_core::sc_module(name), config_(std::move(config)), log_config_(log),
      log_("platform", "platform", log), router_("bus", log) {
    for (const auto& m : config_.memory) {
        memory_.push_back(create(m, log, this, config_.seed));
        router_.map(memory_.back()->target, m.base, m.size, m.name, m.where);
    }
    for (const auto& d : config_.devices) {
        devices_.push_back(create(d, log, this, config_.seed));
        Device& dev = *devices_.back();
        if (d.pci) {
            unused_targets_.push_back(
                std::make_unique<tlm_utils::simple_initiator_socket<Platform>>(
                    fmt::format("{}_unused", d.name).c_str()));
            unused_targets_.back()->bind(dev.target);
            continue;
        }
        router_.map(dev.target, d.base, d.size, d.name, d.where);
        for (const auto& w : dev.windows())
            router_.map(*w.socket, w.base, w.size, w.name, w.where);
        dev.bind_bus_initiators(router_.target);
    }
    place_pci_devices();
    create_harts();
    wire_interrupts();
}

Device* Platform::device(const std::string& name) const {
    for (const auto& d : devices_)
        if (d->instance() == name) return d.get();
    for (const auto& m : memory_)
        if (m->instance() == name) return m.get();
    return nullptr;
}

namespace {
const char* site_text(PcieNode::Site s) {
    switch (s) {
    case PcieNode::Site::RootBus:
        return "on a host bridge's root bus (bus: <a pcie-host>)";
    case PcieNode::Site::Link:
        return "below a root port or a switch downstream port";
    case PcieNode::Site::SwitchBus:
        return "on a switch's internal bus (below a pcie-switch-upstream-port)";
    }
    return "?";
}
std::string sites_text(const std::vector<PcieNode::Site>& sites) {
    std::string out;
    for (size_t i = 0; i < sites.size(); ++i)
        out += (i ? " or " : "") + std::string(site_text(sites[i]));
    return out;
}
} // namespace

// Attaches every PCI device to the bus of the node its `bus` names: a host
// bridge's root bus, or the link below a port. Topologies that hardware
// cannot have are refused here, before anything runs.
void Platform::place_pci_devices() {
    std::vector<std::string> names;
    for (const auto& d : devices_)
        names.push_back(d->instance());
    std::map<std::pair<const pcie::PciBus*, unsigned>, std::string> taken;
    for (const auto& d : devices_) {
        const auto& placement = d->config().pci;
        if (!placement) continue;
        auto* node = dynamic_cast<PcieNode*>(d.get());
        if (!node) throw std::logic_error(d->config().type + " is declared pci but is no PcieNode");
        const Location& at = placement->where;
        Device* parent = device(placement->bus);
        if (!parent) {
            std::string hint = did_you_mean(placement->bus, names);
            throw InputError(at,
                             fmt::format("'{}' is placed below '{}', but there is no device of "
                                         "that name{}",
                                         d->instance(), placement->bus,
                                         hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
        }
        if (parent == d.get())
            throw InputError(at, fmt::format("'{}' cannot sit on its own bus", d->instance()));
        pcie::PciBus* bus = nullptr;
        PcieUpstream* upstream = nullptr;
        auto* parent_node = dynamic_cast<PcieNode*>(parent);
        if (auto* host = dynamic_cast<PcieHost*>(parent)) {
            bus = &host->root_bus();
            upstream = host;
        } else if (parent_node && parent_node->secondary()) {
            bus = parent_node->secondary();
            upstream = parent_node->as_upstream();
        } else {
            throw InputError(at,
                             fmt::format("'{}' is placed below '{}', a {}, which has no PCI bus "
                                         "behind it: name a pcie-host or a port",
                                         d->instance(), placement->bus, parent->config().type));
        }
        PcieNode::Site site =
            parent_node ? *parent_node->secondary_site() : PcieNode::Site::RootBus;
        if (auto ok = node->sites(); std::find(ok.begin(), ok.end(), site) == ok.end())
            throw InputError(at, fmt::format("'{}' is a {}, which sits {}, not below '{}' (a {})",
                                             d->instance(), d->config().type, sites_text(ok),
                                             placement->bus, parent->config().type));
        if (bus->is_link() && placement->device != 0)
            throw InputError(at,
                             fmt::format("'{}' is device {} below '{}', but a PCIe link carries "
                                         "only device 0: remove 'device'",
                                         d->instance(), placement->device, placement->bus));
        auto key = std::make_pair(static_cast<const pcie::PciBus*>(bus), placement->device);
        if (auto it = taken.find(key); it != taken.end())
            throw InputError(
                at,
                bus->is_link()
                    ? fmt::format("'{}' and '{}' are both below '{}', but a PCIe link carries "
                                  "one device: give each its own port",
                                  it->second, d->instance(), placement->bus)
                    : fmt::format("'{}' takes device {} on '{}', which '{}' already has: pick "
                                  "another device number",
                                  d->instance(), placement->device, placement->bus, it->second));
        taken[key] = d->instance();
        node->place(*upstream, *bus, placement->device);
        if (bus->is_link()) parent_node->attach_below(*node);
    }
}

void Platform::create_harts() {
    const IsaString& isa = config_.harts.extensions;
    const TimeSource* timer = nullptr;
    for (const auto& d : devices_)
        if (auto* t = dynamic_cast<const TimeSource*>(d.get()); t && !timer) timer = t;
    for (unsigned h = 0; h < config_.harts.count; ++h) {
        HartConfig hc;
        hc.core.hart_id = h;
        hc.core.ext_m = isa.has("m");
        hc.core.ext_a = isa.has("a");
        hc.core.ext_f = isa.has("f");
        hc.core.ext_d = isa.has("d");
        hc.core.ext_c = isa.has("c");
        hc.core.sv39 = config_.harts.mmu != "bare";
        hc.core.sv48 = config_.harts.mmu == "sv48";
        hc.core.sstc = isa.has("sstc");
        hc.core.zicbom = isa.has("zicbom");
        hc.core.zicboz = isa.has("zicboz");
        hc.core.zihpm = isa.has("zihpm");
        hc.frequency_hz = config_.harts.frequency;
        hc.quantum = sc_core::sc_time::from_value(config_.quantum_ps);
        harts_.push_back(std::make_unique<Hart>(fmt::format("hart{}", h).c_str(), hc, reservations_,
                                                log_config_));
        harts_.back()->bus.bind(router_.target);
        harts_.back()->set_time_source(timer);
    }
}

void Platform::wire_interrupts() {
    std::vector<HartIrqPins*> pins;
    for (auto& h : harts_)
        pins.push_back(&h->pins);
    std::vector<std::string> names;
    InterruptController* default_ctrl = nullptr;
    std::string default_name;
    for (const auto& d : devices_) {
        names.push_back(d->instance());
        if (auto* hs = dynamic_cast<HartInterruptSource*>(d.get())) hs->connect_harts(pins);
        if (auto* ic = dynamic_cast<InterruptController*>(d.get()); ic && !default_ctrl) {
            default_ctrl = ic;
            default_name = d->instance();
        }
    }
    for (const auto& d : devices_) {
        auto outputs = d->irq_outputs();
        const auto& irqs = d->config().irqs;
        for (size_t i = 0; i < irqs.size() && i < outputs.size(); ++i) {
            const IrqRef& ref = irqs[i];
            InterruptController* ctrl = default_ctrl;
            std::string ctrl_name = default_name;
            if (!ref.controller.empty()) {
                Device* target = device(ref.controller);
                if (!target) {
                    std::string hint = did_you_mean(ref.controller, names);
                    throw InputError(
                        ref.where,
                        fmt::format("'{}' is wired to '{}', but there is "
                                    "no device of that name{}",
                                    d->instance(), ref.controller,
                                    hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
                }
                ctrl = dynamic_cast<InterruptController*>(target);
                ctrl_name = ref.controller;
                if (!ctrl)
                    throw InputError(ref.where, fmt::format("'{}' is wired to '{}', which is a {} "
                                                            "and not an interrupt controller",
                                                            d->instance(), ref.controller,
                                                            target->config().type));
            }
            if (!ctrl)
                throw InputError(ref.where, fmt::format("'{}' has an 'irq' but the platform has no "
                                                        "interrupt controller: add a plic device",
                                                        d->instance()));
            if (ref.number < 1 || ref.number > ctrl->num_sources())
                throw InputError(ref.where,
                                 fmt::format("interrupt {} is out of range for '{}', "
                                             "whose sources are 1..{}",
                                             ref.number, ctrl_name, ctrl->num_sources()));
            outputs[i]->connect(ctrl->irq_input(), ref.number);
        }
    }
}

bool Platform::is_memory(uint64_t addr, uint64_t len) const {
    for (const auto& m : memory_)
        if (addr >= m->base() && len <= m->size() && addr - m->base() <= m->size() - len)
            return true;
    return false;
}

// Image loading happens before elaboration, when sockets are not yet bound,
// so debug accesses go straight to the memory model that owns the address.
static unsigned debug_access(const std::vector<std::unique_ptr<Device>>& memory,
                             const std::vector<std::unique_ptr<Device>>& devices,
                             tlm::tlm_command cmd, uint64_t addr, uint8_t* data, uint64_t len) {
    std::vector<Device*> all;
    for (const auto& m : memory)
        all.push_back(m.get());
    for (const auto& d : devices)
        all.push_back(d.get());
    for (Device* m : all) {
        if (addr < m->base() || len > m->size() || addr - m->base() > m->size() - len) continue;
        tlm::tlm_generic_payload tx;
        tx.set_command(cmd);
        tx.set_address(addr - m->base());
        tx.set_data_ptr(data);
        tx.set_data_length(static_cast<unsigned>(len));
        return m->debug_transport(tx);
    }
    return 0;
}

bool Platform::write_memory(uint64_t addr, const uint8_t* data, uint64_t len) {
    return debug_access(memory_, devices_, tlm::TLM_WRITE_COMMAND, addr, const_cast<uint8_t*>(data),
                        len) == len;
}

bool Platform::read_memory(uint64_t addr, uint8_t* data, uint64_t len) {
    return debug_access(memory_, devices_, tlm::TLM_READ_COMMAND, addr, data, len) == len;
}

void Platform::build_device_tree() {
    tree_ = DeviceTree();
    DtNode& root = tree_.root();
    root.set_u32("#address-cells", 2).set_u32("#size-cells", 2);
    root.set_string("compatible", config_.compatible).set_string("model", config_.model);

    DtNode& chosen = root.child("chosen");
    root.child("aliases");
    const IsaString& isa = config_.harts.extensions;
    DtNode& cpus = root.child("cpus");
    cpus.set_u32("#address-cells", 1).set_u32("#size-cells", 0);
    std::vector<uint32_t> intc, cpu_ph;
    for (unsigned h = 0; h < config_.harts.count; ++h) {
        DtNode& cpu = cpus.child(fmt::format("cpu@{:x}", h));
        cpu_ph.push_back(tree_.new_phandle());
        cpu.set_u32("phandle", cpu_ph.back());
        cpu.set_string("device_type", "cpu").set_u32("reg", h).set_string("status", "okay");
        cpu.set_string("compatible", "riscv");
        cpu.set_string("riscv,isa", config_.harts.isa);
        cpu.set_string("riscv,isa-base", isa.base);
        cpu.set_strings("riscv,isa-extensions", isa.extensions);
        if (config_.harts.mmu != "bare") cpu.set_string("mmu-type", "riscv," + config_.harts.mmu);
        if (isa.has("zicbom")) cpu.set_u32("riscv,cbom-block-size", 64);
        if (isa.has("zicboz")) cpu.set_u32("riscv,cboz-block-size", 64);
        DtNode& ic = cpu.child("interrupt-controller");
        intc.push_back(tree_.new_phandle());
        ic.set_u32("#interrupt-cells", 1).set_empty("interrupt-controller");
        ic.set_string("compatible", "riscv,cpu-intc").set_u32("phandle", intc.back());
    }
    DtNode& cluster = cpus.child("cpu-map").child("cluster0");
    for (unsigned h = 0; h < config_.harts.count; ++h)
        cluster.child(fmt::format("core{}", h)).set_u32("cpu", cpu_ph[h]);

    DtNode& soc = root.child("soc");
    soc.set_u32("#address-cells", 2).set_u32("#size-cells", 2);
    soc.set_string("compatible", "simple-bus").set_empty("ranges");

    DtContext ctx(tree_, intc);
    for (const auto& d : devices_)
        if (dynamic_cast<InterruptController*>(d.get())) {
            ctx.set_default_irq_controller(d->instance());
            break;
        }
    for (const auto& m : memory_)
        m->describe_dt(ctx);
    for (const auto& d : devices_)
        d->describe_dt(ctx);

    if (!config_.boot.bootargs.empty()) chosen.set_string("bootargs", config_.boot.bootargs);
    if (initrd_end_ > initrd_start_) {
        chosen.set_cells("linux,initrd-start", cells64(initrd_start_));
        chosen.set_cells("linux,initrd-end", cells64(initrd_end_));
    }
    // Seeds the guest's RNG like real firmware would, but from the config's
    // seed so that two runs stay identical.
    uint64_t state = config_.seed;
    std::vector<uint32_t> rng;
    for (int i = 0; i < 8; ++i)
        rng.push_back(static_cast<uint32_t>(mix(state)));
    chosen.set_cells("rng-seed", rng);
}

void Platform::load() {
    load_images();
}

void Platform::load_images() {
    const Device* dram = memory_.empty() ? nullptr : memory_.front().get();
    for (const auto& m : memory_)
        if (m->config().type == "ram") {
            dram = m.get();
            break;
        }
    GuestMemory mem{[this](uint64_t a, uint64_t l) { return is_memory(a, l); },
                    [this](uint64_t a, const uint8_t* d, uint64_t l) { write_memory(a, d, l); }};
    struct Placed {
        std::string what;
        uint64_t low, high;
        Location where;
    };
    std::vector<Placed> placed;
    auto claim = [&](const std::string& what, uint64_t low, uint64_t high, const Location& where) {
        for (const auto& p : placed)
            if (low < p.high && p.low < high)
                throw InputError(where, fmt::format("the {} [0x{:x}, 0x{:x}) overlaps the {} "
                                                    "[0x{:x}, 0x{:x}): move one of them (e.g. "
                                                    "boot.kernel-addr)",
                                                    what, low, high, p.what, p.low, p.high));
        placed.push_back({what, low, high, where});
    };

    const BootConfig& boot = config_.boot;
    uint64_t fw_entry = dram ? dram->base() : 0;
    if (boot.firmware.given()) {
        if (!dram) throw InputError(boot.firmware.where, "the platform has no RAM to load into");
        LoadedImage fw = load_image(boot.firmware.path, boot.firmware.where, dram->base(), mem);
        for (const auto& note : fw.notes)
            log_.info("firmware {}", note);
        fw_entry = fw.entry;
        claim("firmware", fw.low, fw.high, boot.firmware.where);
    }
    uint64_t next_addr = boot.kernel_addr;
    uint64_t kernel_high = boot.kernel_addr;
    if (boot.kernel.given()) {
        LoadedImage k = load_image(boot.kernel.path, boot.kernel.where, boot.kernel_addr, mem);
        for (const auto& note : k.notes)
            log_.info("kernel {}", note);
        next_addr = k.entry;
        kernel_high = k.high;
        claim("kernel", k.low, k.high, boot.kernel.where);
    }
    initrd_start_ = initrd_end_ = 0;
    if (boot.initrd.given()) {
        if (!dram) throw InputError(boot.initrd.where, "the platform has no RAM to load into");
        auto bytes = read_file(boot.initrd.path, boot.initrd.where);
        // Far enough above the kernel for it to unpack, as QEMU places it.
        uint64_t start = boot.kernel_addr + std::min<uint64_t>(dram->size() / 2, 128 * kMiB);
        start = align_up(std::max(start, kernel_high), 4096);
        if (!is_memory(start, std::max<uint64_t>(bytes.size(), 1)))
            throw InputError(boot.initrd.where,
                             fmt::format("initrd '{}' ({}) does not fit in RAM above the kernel at "
                                         "0x{:x}: enlarge the memory",
                                         boot.initrd.path, format_size(bytes.size()), start));
        write_memory(start, bytes.data(), bytes.size());
        initrd_start_ = start;
        initrd_end_ = start + bytes.size();
        claim("initrd", initrd_start_, initrd_end_, boot.initrd.where);
    }

    if (boot.dtb.given()) {
        dtb_ = read_file(boot.dtb.path, boot.dtb.where);
        if (dtb_.size() < sizeof(fdt_header) || fdt_check_header(dtb_.data()) != 0 ||
            fdt_totalsize(dtb_.data()) > dtb_.size())
            throw InputError(boot.dtb.where,
                             fmt::format("'{}' is not a device tree blob (compile a .dts with "
                                         "dtc -O dtb)",
                                         boot.dtb.path));
        // The user's tree is kept, but /chosen still gets this run's boot
        // arguments and initrd, as --append and --initrd promise.
        std::vector<uint8_t> buf(fdt_totalsize(dtb_.data()) + 4096);
        fdt_open_into(dtb_.data(), buf.data(), static_cast<int>(buf.size()));
        int chosen = fdt_path_offset(buf.data(), "/chosen");
        if (chosen < 0) chosen = fdt_add_subnode(buf.data(), 0, "chosen");
        if (!boot.bootargs.empty())
            fdt_setprop_string(buf.data(), chosen, "bootargs", boot.bootargs.c_str());
        if (initrd_end_ > initrd_start_) {
            fdt_setprop_u64(buf.data(), chosen, "linux,initrd-start", initrd_start_);
            fdt_setprop_u64(buf.data(), chosen, "linux,initrd-end", initrd_end_);
        }
        fdt_pack(buf.data());
        buf.resize(fdt_totalsize(buf.data()));
        dtb_ = std::move(buf);
        build_device_tree(); // still needed by `nvsoc dts` for reference
    } else {
        build_device_tree();
        dtb_ = tree_.to_dtb();
    }

    if (dram) {
        // At the top of RAM (below 3 GiB when RAM starts below it, so a
        // 32-bit-addressing firmware can reach it), 2 MiB aligned.
        uint64_t top = dram->base() + dram->size();
        if (dram->base() < 3072 * kMiB) top = std::min<uint64_t>(top, 3072 * kMiB);
        if (top < dram->base() + dtb_.size() + 2 * kMiB)
            throw InputError(dram->config().where, "RAM is too small to hold the device tree");
        dtb_addr_ = align_down(top - dtb_.size(), 2 * kMiB);
        claim("device tree", dtb_addr_, dtb_addr_ + dtb_.size(),
              boot.dtb.given() ? boot.dtb.where : dram->config().where);
        write_memory(dtb_addr_, dtb_.data(), dtb_.size());
    }

    // Harts start in the boot ROM when there is one, else at the firmware.
    uint64_t reset_vector = fw_entry;
    for (const auto& d : devices_)
        if (auto* rom = dynamic_cast<BootRom*>(d.get())) {
            FwDynamicInfo info;
            info.next_addr = next_addr;
            info.next_mode = FwDynamicInfo::Supervisor;
            rom->configure(fw_entry, dtb_addr_, info);
            reset_vector = rom->base();
            break;
        }
    for (auto& h : harts_) {
        h->core().set_reset_vector(reset_vector);
        h->core().reset();
    }
}

void Platform::request_exit(int status, const std::string& reason) {
    if (exit_status_) return;
    exit_status_ = status;
    exit_reason_ = reason;
    log_.info("{} (status {})", reason, status);
    for (auto& h : harts_)
        h->halt();
    sc_core::sc_stop();
}

void Platform::request_reset(const std::string& reason) {
    // A SoC reset: every device back to its power-on state, the images
    // reloaded as on power-up, and every hart restarted at its reset vector
    // (at its next instruction boundary).
    ++resets_;
    log_.info("{}: resetting the platform", reason);
    for (auto& m : memory_)
        m->reset();
    for (auto& d : devices_)
        d->reset();
    load_images();
    for (auto& h : harts_)
        h->request_reset();
}

nlohmann::json Platform::stats() const {
    nlohmann::json j;
    j["platform"] = config_.name;
    j["seed"] = config_.seed;
    // The furthest point simulated: harts run up to a quantum ahead of
    // SystemC time (a program shorter than one quantum never moves SystemC
    // time at all), and what they executed there has happened.
    sc_core::sc_time reached = sc_core::sc_time_stamp();
    for (const auto& h : harts_)
        reached = std::max(reached, h->now());
    j["simulated_time_ps"] = reached.value();
    j["resets"] = resets_;
    if (exit_status_) j["exit_status"] = *exit_status_;
    j["bus"]["unmapped_accesses"] = router_.unmapped_accesses();
    uint64_t total = 0;
    for (const auto& h : harts_) {
        nlohmann::json hj;
        h->stats(hj);
        total += h->instructions();
        j["harts"][h->basename()] = hj;
    }
    j["instructions"] = total;
    for (const auto& d : devices_) {
        nlohmann::json dj = nlohmann::json::object();
        d->stats(dj);
        if (!dj.empty()) j["devices"][d->instance()] = dj;
    }
    return j;
}

} // namespace nvsoc
