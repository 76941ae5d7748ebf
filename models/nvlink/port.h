// One NVLink port of a device (a GPU link, an NVSwitch port): the register
// block software drives it through (models/nvlink/nvlink_port_hw.h), over
// the Link the platform joins it to. Plain C++: the device supplies the
// time and takes the interrupt; the fabric (fabric.h) owns the links, runs
// their time and hands each port its end's events.
//
// What software sees: the link's state, generation and lanes; the
// commands of the software-driven path (refused when out of order, as the
// link refuses them); the remote end's identity once discovery tokens have
// been exchanged; the counters of this end, which software can zero; and
// ERR_STATUS, whose enabled bits raise the device's NVLink interrupt.
#pragma once

#include "models/core/params.h"
#include "models/core/registers.h"
#include "models/nvlink/link.h"

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace nvsoc::nvlink {

// Who a port belongs to, as discovery tokens carry it: the device's type
// (NVSOC_NVL_DEVICE_*), its NVLink ID (the platform numbers every device
// with NVLink ports from 1) and the port number.
struct PortIdentity {
    unsigned device_type = 0;
    uint32_t device_id = 0;
    unsigned port = 0;
};
uint64_t token(const PortIdentity& id);
PortIdentity from_token(uint64_t token);

// The keys every device with NVLink ports takes for the generations its
// ports speak (`nvlink-gen`, `nvlink-min-gen`), and their check: the
// generations as NvlinkPorts gives them, or an InputError at the key.
std::vector<ParamSpec> generation_params();
std::pair<unsigned, unsigned> generations(const Params& p); // {min, max}

class PortHost {
  public:
    virtual ~PortHost() = default;
    // The device's current simulated time (ps).
    virtual uint64_t port_now() const = 0;
    // A port's pending() may have changed.
    virtual void port_interrupt_changed() = 0;
};

class Port {
  public:
    Port(PortIdentity identity, PortHost& host);

    // Joins the port to end `end` of `link`; `plan_changed` tells the
    // fabric that a command changed what the link will do next.
    void connect(Link* link, End end, std::function<void()> plan_changed);
    bool connected() const { return link_ != nullptr; }
    Link* link() const { return link_; }
    End end() const { return end_; }
    const PortIdentity& identity() const { return identity_; }
    // The device's NVLink ID, once the platform has numbered it.
    void set_device_id(uint32_t id) { identity_.device_id = id; }

    // Declares the register block at `base` in `bank`, names prefixed.
    void declare(RegisterBank& bank, uint64_t base, const std::string& prefix);

    // The fabric hands over this end's events.
    void on_event(const Event& e);
    // ERR_STATUS & ERR_EN: the device's NVLink interrupt.
    bool pending() const { return (err_status_ & err_en_) != 0; }
    uint32_t err_status() const { return err_status_; }
    // Device reset: command and error state (the link is the fabric's).
    void reset();

    // For the registers and tests, at the device's current time.
    uint32_t status();
    uint32_t remote_device();
    uint32_t remote_link();
    uint32_t bandwidth_mbps();
    const Counters& counters();
    bool command(unsigned code); // NVSOC_NVL_CMD_*; false: refused
    void reset_counters();

  private:
    void catch_up();
    void raise(uint32_t bits);

    PortIdentity identity_;
    PortHost& host_;
    Link* link_ = nullptr;
    End end_ = End::A;
    std::function<void()> plan_changed_;
    uint32_t last_cmd_ = 0, cmd_status_ = 0;
    uint32_t err_status_ = 0, err_en_ = 0;
    uint32_t ctrl_ = 0;
};

} // namespace nvsoc::nvlink
