#include "models/core/registers.h"

#include <cstring>
#include <stdexcept>

namespace nvsoc {

static uint64_t width_mask(unsigned width) {
    return width >= 8 ? ~0ull : ((1ull << (8 * width)) - 1);
}

size_t RegisterBank::add(RegisterSpec spec) {
    if (spec.width != 1 && spec.width != 2 && spec.width != 4 && spec.width != 8)
        throw std::logic_error("register " + spec.name + ": width must be 1, 2, 4 or 8");
    if (spec.count == 0) throw std::logic_error("register " + spec.name + ": count is zero");
    if (spec.stride == 0) spec.stride = spec.width;
    spec.write_mask &= width_mask(spec.width);
    uint64_t end = spec.offset + spec.stride * (spec.count - 1) + spec.width;
    for (const auto& r : regs_) {
        uint64_t r_end = r.spec.offset + r.spec.stride * (r.spec.count - 1) + r.spec.width;
        if (spec.offset < r_end && r.spec.offset < end && r.spec.stride == r.spec.width &&
            spec.stride == spec.width)
            throw std::logic_error("register " + spec.name + " overlaps " + r.spec.name);
    }
    Entry e{std::move(spec), {}};
    e.values.assign(e.spec.count, e.spec.reset);
    regs_.push_back(std::move(e));
    return regs_.size() - 1;
}

bool RegisterBank::locate(uint64_t offset, unsigned length, size_t& id, unsigned& index,
                          unsigned& shift) const {
    for (size_t i = 0; i < regs_.size(); ++i) {
        const RegisterSpec& s = regs_[i].spec;
        if (offset < s.offset) continue;
        uint64_t rel = offset - s.offset;
        uint64_t element = rel / s.stride;
        if (element >= s.count) continue;
        uint64_t within = rel % s.stride;
        if (within + length > s.width) continue;
        id = i;
        index = static_cast<unsigned>(element);
        shift = static_cast<unsigned>(within * 8);
        return true;
    }
    return false;
}

AccessResult RegisterBank::read(uint64_t offset, uint8_t* data, unsigned length) {
    size_t id;
    unsigned index, shift;
    if (length == 0 || length > 8 || !locate(offset, length, id, index, shift))
        return AccessResult::Unmapped;
    Entry& r = regs_[id];
    if (!r.spec.readable) return AccessResult::Denied;
    uint64_t v = r.spec.on_read ? r.spec.on_read(index) : r.values[index];
    v = (v >> shift) & width_mask(length);
    std::memcpy(data, &v, length); // the host is little-endian, as is RISC-V
    return AccessResult::Ok;
}

AccessResult RegisterBank::write(uint64_t offset, const uint8_t* data, unsigned length) {
    size_t id;
    unsigned index, shift;
    if (length == 0 || length > 8 || !locate(offset, length, id, index, shift))
        return AccessResult::Unmapped;
    Entry& r = regs_[id];
    if (!r.spec.writable) return AccessResult::Denied;
    uint64_t in = 0;
    std::memcpy(&in, data, length);
    uint64_t lanes = width_mask(length) << shift; // bits this access covers
    in <<= shift;
    uint64_t old = r.values[index];
    uint64_t wmask = r.spec.write_mask & lanes;
    uint64_t v = (old & ~wmask) | (in & wmask);
    v &= ~(in & r.spec.w1c_mask & lanes);
    r.values[index] = v;
    if (r.spec.on_write) r.spec.on_write(index, v, old);
    return AccessResult::Ok;
}

void RegisterBank::reset() {
    for (auto& r : regs_)
        r.values.assign(r.spec.count, r.spec.reset);
}

} // namespace nvsoc
