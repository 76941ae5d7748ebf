// A running platform built from a validated config: the interconnect, every
// memory and device model, their interrupt wiring, the device tree and the
// loaded boot images. It is also the SystemControl that the test finisher
// uses to end or reset the run.
#pragma once

#include "models/core/device.h"
#include "models/core/router.h"
#include "models/cpu/hart.h"
#include "models/nvlink/fabric.h"
#include "platforms/image_loader.h"
#include "platforms/platform_config.h"

#include <memory>
#include <optional>
#include <tlm_utils/simple_initiator_socket.h>
#include <vector>

namespace nvsoc {

class Platform : public sc_core::sc_module, public SystemControl {
  public:
    Platform(sc_core::sc_module_name name, PlatformConfig config, const LogConfig* log);

    // Builds the device tree, places and loads every image, fills the boot
    // ROM. Throws InputError for images that are missing or do not fit.
    void load();

    const PlatformConfig& config() const { return config_; }
    const DeviceTree& device_tree() const { return tree_; }
    const std::vector<uint8_t>& dtb() const { return dtb_; }
    uint64_t dtb_address() const { return dtb_addr_; }
    Router& router() { return router_; }
    // A model by name (memory regions included), or nullptr; device() only
    // finds models on the SoC bus.
    Model* model(const std::string& name) const;
    Device* device(const std::string& name) const;
    HartIrqPins& hart_pins(unsigned hart) { return harts_[hart]->pins; }
    Hart& hart(unsigned index) { return *harts_[index]; }
    unsigned hart_count() const { return static_cast<unsigned>(harts_.size()); }

    // SystemControl
    void request_exit(int status, const std::string& reason) override;
    void request_reset(const std::string& reason) override;
    std::optional<int> exit_status() const { return exit_status_; }
    const std::string& exit_reason() const { return exit_reason_; }

    nlohmann::json stats() const;

    // A debug-path access into guest RAM/ROM (loaders, tests); false if the
    // range is not all inside one memory region.
    bool write_memory(uint64_t addr, const uint8_t* data, uint64_t len);
    bool read_memory(uint64_t addr, uint8_t* data, uint64_t len);

  private:
    void build_device_tree();
    void describe_numa(DtContext& ctx);
    void create_harts();
    void wire_interrupts();
    void place_on_buses();
    void build_nvlink();
    bool is_memory(uint64_t addr, uint64_t len) const;
    void load_images();

    PlatformConfig config_;
    const LogConfig* log_config_;
    Logger log_;
    Router router_;
    std::vector<std::unique_ptr<Device>> memory_;
    std::vector<std::unique_ptr<Model>> models_; // `devices`, in written order
    std::unique_ptr<NvlinkFabric> nvlink_;       // when the platform has links
    rv::ReservationSet reservations_;
    std::vector<std::unique_ptr<Hart>> harts_;
    DeviceTree tree_;
    std::vector<uint8_t> dtb_;
    uint64_t dtb_addr_ = 0;
    uint64_t initrd_start_ = 0, initrd_end_ = 0;
    std::optional<int> exit_status_;
    std::string exit_reason_;
    unsigned resets_ = 0;
};

} // namespace nvsoc
