#include "platforms/platform.h"

#include "models/core/model_registry.h"
#include "models/core/random.h"
#include "models/memory/bootrom.h"

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

// A model's config with what the platform provides to every model.
DeviceConfig in_platform(const DeviceConfig& c, const LogConfig* log, SystemControl* sys,
                         uint64_t seed) {
    DeviceConfig copy = c;
    copy.log = log;
    copy.system = sys;
    copy.seed = seed;
    return copy;
}

} // namespace

Platform::Platform(sc_core::sc_module_name name, PlatformConfig config, const LogConfig* log)
    : sc_core::sc_module(name), config_(std::move(config)), log_config_(log),
      log_("platform", "platform", log), router_("bus", log) {
    for (const auto& m : config_.memory) {
        memory_.push_back(
            ModelRegistry::instance().create_device(in_platform(m, log, this, config_.seed)));
        router_.map(memory_.back()->target, m.base, m.size, m.name, m.where);
    }
    for (const auto& d : config_.devices) {
        models_.push_back(
            ModelRegistry::instance().create(in_platform(d, log, this, config_.seed)));
        Model& model = *models_.back();
        model.bind_bus_initiators(router_.target);
        if (d.placement) continue; // reached through its bus owner
        auto& dev = dynamic_cast<Device&>(model);
        router_.map(dev.target, d.base, d.size, d.name, d.where);
        for (const auto& w : dev.windows())
            router_.map(*w.socket, w.base, w.size, w.name, w.where);
    }
    place_on_buses();
    build_nvlink();
    create_harts();
    wire_interrupts();
}

Model* Platform::model(const std::string& name) const {
    for (const auto& d : models_)
        if (d->instance() == name) return d.get();
    for (const auto& m : memory_)
        if (m->instance() == name) return m.get();
    return nullptr;
}

Device* Platform::device(const std::string& name) const {
    return dynamic_cast<Device*>(model(name));
}

// Hands every model that sits on another model's bus to that owner, which
// decides whether and how it attaches, then lets each owner check its bus
// as a whole. The platform checks only that the owner exists and owns a
// bus of the child's kind.
void Platform::place_on_buses() {
    std::vector<std::string> names;
    for (const auto& d : models_)
        names.push_back(d->instance());
    for (const auto& d : models_) {
        const auto& at = d->config().placement;
        if (!at) continue;
        const BusKinds& kinds = ModelRegistry::instance().find(d->config().type)->on_bus;
        Model* parent = model(at->bus);
        if (!parent)
            throw InputError(at->where, fmt::format("'{}' is placed below '{}', but there is no "
                                                    "device of that name{}",
                                                    d->instance(), at->bus,
                                                    did_you_mean_note(at->bus, names)));
        if (parent == d.get())
            throw InputError(at->where,
                             fmt::format("'{}' cannot sit on its own bus", d->instance()));
        const ModelInfo* owner_info = ModelRegistry::instance().find(parent->config().type);
        if (!kinds.contains(owner_info->owns_bus)) {
            std::string owners;
            for (const ModelInfo* m : ModelRegistry::instance().all())
                if (kinds.contains(m->owns_bus)) owners += (owners.empty() ? "" : ", ") + m->type;
            if (size_t last = owners.rfind(", "); last != std::string::npos)
                owners.replace(last, 2, " or ");
            throw InputError(at->where,
                             fmt::format("'{}' is placed below '{}', a {}, which has no {} bus "
                                         "behind it: name a {}",
                                         d->instance(), at->bus, parent->config().type,
                                         kinds.text(), owners));
        }
        dynamic_cast<BusOwner&>(*parent).attach(*d, *at);
    }
    for (const auto& d : models_)
        if (auto* owner = dynamic_cast<const BusOwner*>(d.get())) owner->check_children();
}

// The NVLink fabric: every model with NVLink ports, numbered in written
// order (their NVLink IDs), and the links between them.
void Platform::build_nvlink() {
    std::vector<NvlinkFabric::Member> members;
    for (const auto& m : models_) {
        const ModelInfo* info = ModelRegistry::instance().find(m->config().type);
        if (!info->nvlink_ports) continue;
        NvlinkPorts ports = info->nvlink_ports(m->config().params);
        if (ports.count == 0) continue;
        auto* device = dynamic_cast<NvlinkDevice*>(m.get());
        if (!device) throw std::logic_error(m->instance() + " declares NVLink ports but has none");
        members.push_back({m->instance(), device});
    }
    if (members.empty()) return;
    std::vector<NvlinkFabric::LinkSpec> links;
    for (const NvlinkSpec& l : config_.links) {
        NvlinkFabric::LinkSpec spec;
        spec.name = l.name;
        for (unsigned e = 0; e < 2; ++e) {
            auto at = std::find_if(members.begin(), members.end(),
                                   [&](const auto& m) { return m.name == l.ends[e].device; });
            spec.member[e] = static_cast<unsigned>(at - members.begin());
            spec.port[e] = l.ends[e].port;
        }
        spec.generation = l.generation;
        spec.params = l.params;
        spec.where = l.where;
        links.push_back(std::move(spec));
    }
    nvlink_ = std::make_unique<NvlinkFabric>("nvlink", links, std::move(members), config_.seed,
                                             log_config_);
}

void Platform::create_harts() {
    // The timer the config chose (harts.timer, or the only one).
    const TimeSource* timer = config_.harts.timer.empty()
                                  ? nullptr
                                  : dynamic_cast<TimeSource*>(model(config_.harts.timer));
    for (unsigned h = 0; h < config_.harts.count; ++h) {
        HartConfig hc;
        hc.core.hart_id = h;
        hc.core.isa = config_.harts.parsed_isa.extensions;
        hc.core.sv39 = config_.harts.mmu != "bare";
        hc.core.sv48 = config_.harts.mmu == "sv48";
        hc.frequency_hz = config_.harts.frequency;
        hc.quantum = sc_core::sc_time::from_value(config_.quantum_ps);
        harts_.push_back(std::make_unique<Hart>(fmt::format("hart{}", h).c_str(), hc, reservations_,
                                                log_config_));
        harts_.back()->bus.bind(router_.target);
        harts_.back()->set_time_source(timer);
    }
}

// Interrupt controllers and timers drive the pins of the harts the config
// gave them; device outputs go to the controller each `irq` names (the
// config has resolved and checked the names).
void Platform::wire_interrupts() {
    for (const auto& d : models_) {
        auto* source = dynamic_cast<HartInterruptSource*>(d.get());
        if (!source) continue;
        std::vector<HartIrqPins*> pins;
        for (unsigned h : d->config().driven_harts())
            pins.push_back(&harts_.at(h)->pins);
        source->connect_harts(pins);
    }
    for (const auto& d : models_) {
        auto outputs = d->irq_outputs();
        const auto& irqs = d->config().irqs;
        for (size_t i = 0; i < irqs.size() && i < outputs.size(); ++i) {
            const IrqRef& ref = irqs[i];
            auto& ctrl = dynamic_cast<InterruptController&>(*model(ref.controller));
            if (ref.number < 1 || ref.number > ctrl.num_sources())
                throw InputError(ref.where,
                                 fmt::format("interrupt {} is out of range for '{}', "
                                             "whose sources are 1..{}",
                                             ref.number, ref.controller, ctrl.num_sources()));
            outputs[i]->connect(ctrl.irq_input(), ref.number);
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
                             const std::vector<std::unique_ptr<Model>>& models,
                             tlm::tlm_command cmd, uint64_t addr, uint8_t* data, uint64_t len) {
    std::vector<Device*> all;
    for (const auto& m : memory)
        all.push_back(m.get());
    for (const auto& d : models)
        if (auto* dev = dynamic_cast<Device*>(d.get()); dev && !d->config().placement)
            all.push_back(dev);
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
    return debug_access(memory_, models_, tlm::TLM_WRITE_COMMAND, addr, const_cast<uint8_t*>(data),
                        len) == len;
}

bool Platform::read_memory(uint64_t addr, uint8_t* data, uint64_t len) {
    return debug_access(memory_, models_, tlm::TLM_READ_COMMAND, addr, data, len) == len;
}

void Platform::build_device_tree() {
    tree_ = DeviceTree();
    DtNode& root = tree_.root();
    root.set_u32("#address-cells", 2).set_u32("#size-cells", 2);
    root.set_string("compatible", config_.compatible).set_string("model", config_.model);

    DtNode& chosen = root.child("chosen");
    root.child("aliases");
    const rv::RvIsa& isa = config_.harts.parsed_isa;
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
        cpu.set_strings("riscv,isa-extensions", isa.names);
        if (config_.harts.mmu != "bare") cpu.set_string("mmu-type", "riscv," + config_.harts.mmu);
        if (isa.has(rv::RvExt::Zicbom)) cpu.set_u32("riscv,cbom-block-size", 64);
        if (isa.has(rv::RvExt::Zicboz)) cpu.set_u32("riscv,cboz-block-size", 64);
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
    for (const auto& m : models_) {
        if (auto* ic = dynamic_cast<const InterruptController*>(m.get()))
            ctx.add_controller(m->instance(), ic);
        if (auto* mc = dynamic_cast<const MsiController*>(m.get()))
            ctx.add_msi_controller(m->instance(), mc);
    }
    for (const auto& m : memory_)
        m->describe_dt(ctx);
    for (const auto& d : models_)
        d->describe_dt(ctx);
    describe_numa(ctx);

    if (!config_.boot.bootargs.empty()) chosen.set_string("bootargs", config_.boot.bootargs);
    if (initrd_end_ > initrd_start_) {
        chosen.set_cells("linux,initrd-start", cells64(initrd_start_));
        chosen.set_cells("linux,initrd-end", cells64(initrd_end_));
    }
    // Seeds the guest's RNG like real firmware would, but from the config's
    // seed so that two runs stay identical.
    RandomStream stream(config_.seed, "platform.rng-seed");
    std::vector<uint32_t> rng;
    for (int i = 0; i < 8; ++i)
        rng.push_back(static_cast<uint32_t>(stream.next()));
    chosen.set_cells("rng-seed", rng);
}

// NUMA, once some device has handed memory to the OS as a node of its own
// (DtContext::add_numa_memory): the harts and DRAM are node 0, and the
// distance-map gives every pair of nodes (numa.distances, else 40 between
// node 0 and another node and 80 between two device nodes: our defaults,
// in docs/topologies.md). Linux takes NUMA from the device tree only if
// every CPU and every memory node names its node; the parser mirrors an
// entry only from the lower to the higher node, so both are written.
void Platform::describe_numa(DtContext& ctx) {
    const auto& device_memory = ctx.numa_memory();
    std::map<unsigned, std::string> nodes{{0, "the harts and RAM"}};
    for (const auto& m : device_memory) {
        std::string& what = nodes[m.node];
        what += (what.empty() ? "" : ", ") + m.owner + "'s memory";
    }
    auto known = [&] {
        std::string out;
        for (const auto& [id, what] : nodes)
            out += fmt::format("{}{} ({})", out.empty() ? "" : ", ", id, what);
        return out;
    };
    for (const NumaDistance& d : config_.numa_distances)
        for (unsigned n : {d.a, d.b})
            if (!nodes.count(n))
                throw InputError(d.where, fmt::format("numa.distances names node {}, which no "
                                                      "device creates; the nodes are {}: fix the "
                                                      "number or remove the entry",
                                                      n, known()));
    if (device_memory.empty()) return;

    DtNode& root = tree_.root();
    for (const auto& child : root.children()) {
        const std::string& name = child->name();
        if (name.rfind("memory@", 0) == 0 && !child->prop("numa-node-id"))
            child->set_u32("numa-node-id", 0);
    }
    for (const auto& cpu : root.child("cpus").children())
        if (cpu->name().rfind("cpu@", 0) == 0) cpu->set_u32("numa-node-id", 0);

    std::vector<uint32_t> matrix;
    for (const auto& [a, what_a] : nodes)
        for (const auto& [b, what_b] : nodes) {
            unsigned distance = a == b ? 10 : (a == 0 || b == 0) ? 40 : 80;
            for (const NumaDistance& d : config_.numa_distances)
                if (std::minmax(d.a, d.b) == std::minmax(a, b)) distance = d.distance;
            matrix.insert(matrix.end(), {a, b, distance});
        }
    root.child("distance-map")
        .set_string("compatible", "numa-distance-map-v1")
        .set_cells("distance-matrix", matrix);
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

    // Harts start in the boot ROM when there is one (boot.rom, or the
    // only one), else at the firmware.
    uint64_t reset_vector = fw_entry;
    if (!boot.rom.empty()) {
        auto& rom = dynamic_cast<BootRom&>(*model(boot.rom));
        FwDynamicInfo info;
        info.next_addr = next_addr;
        info.next_mode = FwDynamicInfo::Supervisor;
        rom.configure(fw_entry, dtb_addr_, info);
        reset_vector = rom.base();
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
    for (auto& d : models_)
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
    for (const auto& d : models_) {
        nlohmann::json dj = nlohmann::json::object();
        d->stats(dj);
        if (!dj.empty()) j["devices"][d->instance()] = dj;
    }
    if (nvlink_) nvlink_->stats(j["nvlink"]);
    return j;
}

} // namespace nvsoc
