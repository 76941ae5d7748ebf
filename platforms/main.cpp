// The `nvsoc` command line. Its interface is fixed (scripts and CI jobs call
// it): run, dts, models. Exit status: the guest's (0 pass, its code on
// failure), 2 for bad input of any kind, 124 when --max-time is reached.
#include "models/core/model_registry.h"
#include "platforms/config_tree.h"
#include "platforms/platform.h"
#include "platforms/reference_doc.h"

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

namespace {

using namespace nvsoc;

constexpr int kBadInput = 2;
constexpr int kTimeLimit = 124;

struct Options {
    std::string config;
    std::string firmware, kernel, initrd, append, dtb, stats, max_time;
    bool append_given = false;
    std::vector<std::string> sets, logs;
    std::optional<uint64_t> seed;
};

// An image named on the command line: it must exist; its errors name the option.
BootImage cli_image(const std::string& option, const std::string& path) {
    Location where{option, 0, 0};
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw InputError(where, fmt::format("'{}': no such file", path));
    return BootImage{path, where};
}

PlatformConfig load_platform_config(const Options& o) {
    ConfigNode root = load_config(o.config);
    int ordinal = 0;
    for (const auto& s : o.sets)
        apply_override(root, s, ++ordinal);
    PlatformConfig cfg = build_platform_config(root, o.config);
    if (!o.firmware.empty()) cfg.boot.firmware = cli_image("--firmware", o.firmware);
    if (!o.kernel.empty()) cfg.boot.kernel = cli_image("--kernel", o.kernel);
    if (!o.initrd.empty()) cfg.boot.initrd = cli_image("--initrd", o.initrd);
    if (!o.dtb.empty()) cfg.boot.dtb = cli_image("--dtb", o.dtb);
    if (o.append_given) cfg.boot.bootargs = o.append;
    if (o.seed) cfg.seed = *o.seed;
    return cfg;
}

LogConfig make_log_config(const Options& o, const PlatformConfig& cfg) {
    LogConfig log;
    std::vector<std::string> known = {"all", "platform", "bus"};
    for (const auto& m : cfg.memory)
        known.push_back(m.name);
    for (const auto& d : cfg.devices)
        known.push_back(d.name);
    for (const auto& t : ModelRegistry::instance().types())
        known.push_back(t);
    if (!cfg.links.empty()) known.push_back("nvlink"); // the links' fabric
    known.push_back("hart");
    for (unsigned h = 0; h < cfg.harts.count; ++h)
        known.push_back(fmt::format("hart{}", h));
    int ordinal = 0;
    for (const auto& spec : o.logs) {
        ++ordinal;
        Location where{"--log", ordinal, 0};
        auto eq = spec.find('=');
        LogLevel level;
        if (eq == std::string::npos || !parse_log_level(spec.substr(eq + 1), level))
            throw InputError(where, fmt::format("'{}' is not NAME=LEVEL with LEVEL one of error, "
                                                "warn, info, debug, trace",
                                                spec));
        std::string who = spec.substr(0, eq);
        if (std::find(known.begin(), known.end(), who) == known.end())
            throw InputError(where, fmt::format("'{}' is not a device, hart or model type of this "
                                                "platform{}",
                                                who, did_you_mean_note(who, known)));
        log.set(who, level);
    }
    return log;
}

int command_dts(const Options& o) {
    PlatformConfig cfg = load_platform_config(o);
    LogConfig log = make_log_config(o, cfg);
    Platform platform("platform", std::move(cfg), &log);
    platform.load();
    std::cout << platform.device_tree().to_dts();
    return 0;
}

int command_run(const Options& o) {
    PlatformConfig cfg = load_platform_config(o);
    uint64_t max_time_ps = 0;
    if (!o.max_time.empty() && (!parse_time_ps(o.max_time, max_time_ps) || max_time_ps == 0))
        throw InputError(
            Location{"--max-time", 0, 0},
            fmt::format("'{}' is not a simulated time: write e.g. 10ms or 2s", o.max_time));
    if (!o.stats.empty()) {
        std::ofstream probe(o.stats, std::ios::app);
        if (!probe)
            throw InputError(Location{"--stats", 0, 0},
                             fmt::format("cannot write '{}': check the directory exists", o.stats));
    }
    if (!cfg.boot.firmware.given())
        throw InputError(Location{cfg.file, 0, 0},
                         "no firmware to run: give --firmware FILE or boot.firmware in the config");
    LogConfig log = make_log_config(o, cfg);
    Platform platform("platform", std::move(cfg), &log);
    platform.load();

    if (max_time_ps)
        sc_core::sc_start(sc_core::sc_time::from_value(max_time_ps));
    else
        sc_core::sc_start();

    int status;
    if (platform.exit_status()) {
        status = *platform.exit_status();
    } else {
        status = kTimeLimit;
        if (max_time_ps)
            std::fprintf(stderr, "nvsoc: simulated time limit %s reached\n", o.max_time.c_str());
        else
            std::fprintf(stderr, "nvsoc: simulation idle at %s: nothing left to simulate\n",
                         sc_core::sc_time_stamp().to_string().c_str());
    }
    if (!o.stats.empty()) {
        std::ofstream out(o.stats);
        out << platform.stats().dump(2) << "\n";
    }
    return status;
}

int command_models(bool markdown) {
    std::cout << (markdown ? configuration_markdown() : models_text());
    return 0;
}

int run_cli(int argc, char** argv) {
    CLI::App app{"nvsoc: a RISC-V SoC with an NVLink fabric, simulated in SystemC/TLM-2.0"};
    app.require_subcommand(1);
    Options o;

    auto* run = app.add_subcommand("run", "Boot a platform");
    run->add_option("config", o.config, "Platform YAML")->required();
    run->add_option("--firmware", o.firmware, "M-mode firmware, ELF or raw binary");
    run->add_option("--kernel", o.kernel, "Payload for the firmware (raw at boot.kernel-addr)");
    run->add_option("--initrd", o.initrd, "Initial ramdisk (range goes into /chosen)");
    auto* append = run->add_option("--append", o.append, "Kernel command line (replaces bootargs)");
    run->add_option("--dtb", o.dtb, "Device tree blob to use instead of the generated one");
    run->add_option("--set", o.sets, "Override a config key: path.to.key=value")
        ->take_all()
        ->allow_extra_args(false);
    run->add_option("--seed", o.seed, "Seed of every random choice");
    run->add_option("--max-time", o.max_time, "Stop after this much simulated time (e.g. 10ms)");
    run->add_option("--stats", o.stats, "Write statistics as JSON at exit");
    run->add_option("--log", o.logs, "Log level per device or model: NAME=LEVEL")
        ->allow_extra_args(false);

    auto* dts = app.add_subcommand("dts", "Print the device tree that `run` would hand over");
    dts->add_option("config", o.config, "Platform YAML")->required();
    dts->add_option("--set", o.sets, "Override a config key: path.to.key=value")
        ->allow_extra_args(false);

    bool markdown = false;
    auto* models = app.add_subcommand("models", "List model types and their parameters");
    models->add_flag("--markdown", markdown, "Print the configuration reference as Markdown");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e); // prints help or the error
        return code == 0 ? 0 : kBadInput;
    }
    o.append_given = append->count() > 0;

    try {
        if (*run) return command_run(o);
        if (*dts) return command_dts(o);
        return command_models(markdown);
    } catch (const InputError& e) {
        std::fprintf(stderr, "%s\n", e.line().c_str());
        return kBadInput;
    }
}

} // namespace

int sc_main(int argc, char** argv) {
    return run_cli(argc, argv);
}

int main(int argc, char** argv) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    // sc_stop() is how a run ends; SystemC's note about it is noise.
    sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO,
                                            sc_core::SC_DO_NOTHING);
    // A console piped into `head` must not kill the simulator mid-run.
    std::signal(SIGPIPE, SIG_IGN);
    return sc_core::sc_elab_and_sim(argc, argv);
}
