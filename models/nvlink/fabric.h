// The platform's NVLink links (the top-level `links` map) and the devices
// they join: it builds each link between two devices' ports, runs the
// links' simulated time (training, recovery, timed faults), hands every
// event to the ports at both ends, and carries peer memory requests
// between devices over the links that join them.
//
// Peer requests (peer_access) are a transport of the GPU engines' memory
// port: writes travel as write packets from the requester, reads as a
// request packet there and read-response packets back. With several
// active links between two devices the bytes are spread evenly across
// them, so bandwidth scales with the link count.
//
// Without a direct link, a request goes through NVSwitches (models/nvlink/
// nvswitch.h): the requester's links to switches carry equal shares; at
// each switch the ingress port's route for the target's NVLink ID names
// the egress ports (a ganged group, the share spread across them), until
// the target. Each hop starts when the previous hop's first packet has
// arrived plus the switch's crossbar latency; the access ends when the
// last hop's last packet has (pipelined), and hops queue on the links'
// pipes, so senders sharing an egress port share its bandwidth. More than
// kMaxSwitchHops switches, an empty route or one back out of its ingress
// port drop the request at that switch (counted there): BusError.
//
// A routed read's responses are routed the same way from the target back
// to the requester (each switch's entry for the requester's ID), so they
// may take other ports and links than the request did; a response a switch
// drops is counted there like a request, and the read is a BusError that
// returns no data.
//
// Partial, and said so: a hop faster than the one before it (a wider
// ganged group) is not held back packet by packet to the earlier hop's
// arrivals, only its end is the later of the two; a read's request packets
// after the first do not take link time (they are one header flit per 256
// bytes of response, in the other direction); links keep training across
// device resets (a GPU's FLR or hot reset leaves its links as they are).
#pragma once

#include "models/core/log.h"
#include "models/core/params.h"
#include "models/gpu/memory_port.h"
#include "models/nvlink/link.h"
#include "models/nvlink/port.h"

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <systemc>
#include <vector>

namespace nvsoc {

class NvlinkFabric;

// A model with NVLink ports (ModelInfo::nvlink_ports says how many).
class NvlinkDevice {
  public:
    virtual ~NvlinkDevice() = default;
    virtual unsigned nvlink_port_count() const = 0;
    virtual nvlink::Port& nvlink_port(unsigned index) = 0;
    virtual unsigned nvlink_device_type() const = 0; // NVSOC_NVL_DEVICE_*
    // Before simulation starts: the fabric it belongs to and its NVLink ID.
    virtual void attach_nvlink(NvlinkFabric& fabric, uint32_t nvlink_id) = 0;
    // A request that arrived over NVLink for this device's own memory
    // (aperture Vram: an offset in it), at a.time; it moves the data.
    virtual gpu::MemResult serve_nvlink(const gpu::MemAccess& a) = 0;

    // Routing, for devices that forward (the NVSwitch): the egress ports a
    // request that arrived at `ingress_port` for NVLink ID `dest_id` leaves
    // by (a ganged-link group: the fabric spreads the bytes across them).
    // Empty: the device drops it (it counts the drop itself). Endpoints
    // (GPUs) forward nothing.
    virtual std::vector<unsigned> route(unsigned /*ingress_port*/, uint32_t /*dest_id*/) {
        return {};
    }
    // The fabric dropped a request at this device for a reason route()
    // cannot see (NVSOC_NVSW_ROUTE_ERR_*: hop limit, egress links down).
    virtual void route_dropped(unsigned /*ingress_port*/, uint32_t /*dest_id*/, uint32_t /*why*/) {}
    // Picoseconds from a packet's arrival at an ingress port to its start
    // at an egress port (the crossbar).
    virtual uint64_t forward_latency() const { return 0; }

    // While the platform is built, once every link exists and is joined to
    // its ports: a device that needs particular links (the NVLink-to-PCIe
    // bridge: each GPU below it linked to its port) checks them here,
    // refusing what does not fit with an InputError.
    virtual void nvlink_links_built(NvlinkFabric& /*fabric*/) {}
    // An event of the link on port `port`, after the port itself has taken
    // it (Port::on_event): for devices whose own state follows the link.
    virtual void nvlink_event(unsigned /*port*/, const nvlink::Event& /*e*/) {}
};

class NvlinkFabric : public sc_core::sc_module {
  public:
    // Switches a routed request may cross before it is dropped as looping.
    static constexpr unsigned kMaxSwitchHops = 4;
    struct Member {
        std::string name;
        NvlinkDevice* device = nullptr;
    };
    // A link as the platform config gives it (its `links` entry).
    struct LinkSpec {
        std::string name;
        std::array<unsigned, 2> member{}; // the ends: index into the members
        std::array<unsigned, 2> port{};
        unsigned generation = 0; // the newest both ends speak, within `gen`
        Params params;           // the entry's keys (fault points, ali)
        Location where;
    };
    // Builds every link between the members' ports and numbers the members
    // 1, 2, ... in the order given (their NVLink IDs). The links power on
    // at time 0 (ALI links start training by themselves). Bad fault keys
    // are an InputError at their place.
    NvlinkFabric(sc_core::sc_module_name name, const std::vector<LinkSpec>& links,
                 std::vector<Member> members, uint64_t seed, const LogConfig* log);
    ~NvlinkFabric() override;

    // A port's command changed what its link will do next: look again at
    // when to wake.
    void kick() { kick_.notify(sc_core::SC_ZERO_TIME); }

    // A memory request of `from` for the memory of the device with NVLink
    // ID `to` (a.aperture Peer; a.address an offset in its memory).
    // Direct links when there are any; otherwise through the switches the
    // requester is linked to. NoPath when neither exists; BusError when
    // links do but none is up or will come up, or a switch drops it.
    gpu::MemResult peer_access(NvlinkDevice& from, uint32_t to, const gpu::MemAccess& a);

    // Timing only, for devices that move data over NVLink on their own
    // account (the NVLink-to-PCIe bridge and the GPUs below it): `bytes`
    // from `from` to `to` over the direct links between them that are up
    // or coming back by themselves, spread as peer_access spreads them
    // (whole packets, evenly). bytes == 0 is one read request packet.
    // `write`: write packets; else read-response packets. No memory is
    // touched. NoPath without a direct link; BusError when none is usable
    // or a packet was not delivered.
    struct Carried {
        gpu::MemStatus status = gpu::MemStatus::Ok;
        uint64_t first = 0;  // the receiver has the first packet
        uint64_t end = 0;    // ... and the last one
        uint64_t issued = 0; // the last packet began
    };
    Carried carry(NvlinkDevice& from, NvlinkDevice& to, bool write, uint64_t bytes,
                  uint64_t earliest);

    // What port `port` of `device` is linked to, for load-time checks.
    struct Remote {
        NvlinkDevice* device = nullptr; // nullptr: the port has no link
        std::string name;               // the member's instance name
        unsigned port = 0;
        std::string link; // the `links` entry's name
        Location where;   // ... and its place in the YAML
    };
    Remote remote_of(const NvlinkDevice& device, unsigned port) const;

    void stats(nlohmann::json& out) const;

    // The bytes each of `links` links carries of `length`: whole 256-byte
    // packets (the last one may be short), as even as they go, the links
    // with one more counted from `first`.
    static std::vector<uint64_t> shares(uint64_t length, size_t links, size_t first);

  private:
    struct LinkEntry {
        std::string name;
        std::unique_ptr<nvlink::Link> link;
        std::array<unsigned, 2> member{}; // index into members_
        std::array<unsigned, 2> port{};
        Location where;
    };
    void run();
    void dispatch(LinkEntry& l);
    uint64_t now_ps() const;
    int member_of(const NvlinkDevice& d) const;
    int member_with_id(uint32_t id) const;
    bool link_usable(nvlink::Link& link);
    // A routed transfer's leg: `bytes` from end `from` of link `l`, then on
    // through switches to member `target` (NVLink ID `to_id`).
    struct Leg {
        gpu::MemStatus status = gpu::MemStatus::Ok;
        uint64_t first = UINT64_MAX; // the target has the first packet
        uint64_t end = 0;            // ... and the last one
        uint64_t issued = 0;         // the first hop's last packet began
    };
    Leg forward(LinkEntry& l, nvlink::End from, uint64_t bytes, bool write, uint64_t earliest,
                unsigned target, uint32_t to_id, unsigned hops);
    std::vector<std::pair<LinkEntry*, nvlink::End>> switch_links(unsigned member, uint64_t time,
                                                                 bool& any);
    Leg spread(const std::vector<std::pair<LinkEntry*, nvlink::End>>& links, uint64_t bytes,
               bool write, uint64_t time, unsigned target, uint32_t to_id);
    gpu::MemResult routed_access(unsigned from, unsigned to, uint32_t to_id,
                                 const gpu::MemAccess& a);
    LinkEntry* link_at(unsigned member, unsigned port);
    void wake_for(const std::vector<std::pair<nvlink::Link*, nvlink::End>>& links);

    std::vector<Member> members_;
    std::vector<LinkEntry> links_;
    // Per member, its links (in links_ order) with its own end: built once,
    // so that a request looks at the requester's few links, not at all.
    std::vector<std::vector<std::pair<LinkEntry*, nvlink::End>>> member_links_;
    std::map<std::pair<int, int>, size_t> turns_; // per (requester, target): shares()' first
    sc_core::sc_event kick_;
    Logger log_;
};

} // namespace nvsoc
