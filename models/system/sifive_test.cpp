#include "models/system/sifive_test.h"

#include "models/core/model_registry.h"

namespace nvsoc {

SifiveTest::SifiveTest(const DeviceConfig& config) : Device(config) {
    // Writes are commands: the value is acted on, then forgotten, so that a
    // 16-bit store of a command works as well as a 32-bit one.
    finisher_ = regs_.add(RegisterSpec{
        .name = "finisher",
        .offset = 0,
        .width = 4,
        .on_read = [](unsigned) -> uint64_t { return 0; },
        .on_write =
            [this](unsigned, uint64_t value, uint64_t) {
                regs_.set(finisher_, 0);
                command(static_cast<uint32_t>(value));
            },
    });
}

void SifiveTest::command(uint32_t value) {
    uint32_t code = value >> 16;
    switch (value & 0xffff) {
    case kPass:
        last_status_ = 0;
        if (config().system) config().system->request_exit(0, "guest passed (test finisher)");
        break;
    case kFail: {
        // A failure must never read as success: code 0 becomes 1, and codes
        // are truncated to what a process exit status can carry.
        int status = static_cast<int>(code & 0xff);
        if (status == 0) status = 1;
        last_status_ = status;
        if (config().system)
            config().system->request_exit(
                status, fmt::format("guest failed with code {} (test finisher)", code));
        break;
    }
    case kReset:
        ++resets_;
        if (config().system)
            config().system->request_reset("guest requested reset (test finisher)");
        break;
    default:
        log_.guest_error("unknown finisher command 0x{:08x} ignored", value);
        break;
    }
}

void SifiveTest::describe_dt(DtContext& ctx) {
    DtNode& node = ctx.soc_node("test", base(), size());
    node.set_strings("compatible", {"sifive,test1", "sifive,test0", "syscon"});
    uint32_t ph = ctx.phandle_of(instance());
    node.set_u32("phandle", ph);
    ctx.root()
        .child("poweroff")
        .set_string("compatible", "syscon-poweroff")
        .set_u32("regmap", ph)
        .set_u32("offset", 0)
        .set_u32("value", kPass);
    ctx.root()
        .child("reboot")
        .set_string("compatible", "syscon-reboot")
        .set_u32("regmap", ph)
        .set_u32("offset", 0)
        .set_u32("value", kReset);
}

NVSOC_REGISTER_MODEL(ModelInfo{
    .type = "sifive-test",
    .doc = "Test finisher: pass (0x5555), fail with code (0x3333 | code << 16), reset (0x7777)",
    .params = {},
    .default_size = 0x1000,
    .irq_outputs = 0,
    .create = [](const DeviceConfig& c) { return std::make_unique<SifiveTest>(c); },
});

} // namespace nvsoc
