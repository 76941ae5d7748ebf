// Address translation (Sv39/Sv48 with hardware A/D updates), PMP, and the
// software TLBs that let most accesses skip both.
#include "models/cpu/rv_core.h"

namespace nvsoc::rv {

namespace {

constexpr uint64_t kPteV = 1, kPteR = 2, kPteW = 4, kPteX = 8, kPteU = 16, kPteA = 64, kPteD = 128;

uint64_t page_fault(Access kind) {
    return kind == Access::Fetch  ? kInsnPageFault
           : kind == Access::Load ? kLoadPageFault
                                  : kStorePageFault;
}
uint64_t access_fault(Access kind) {
    return kind == Access::Fetch  ? kInsnAccessFault
           : kind == Access::Load ? kLoadAccessFault
                                  : kStoreAccessFault;
}

} // namespace

void RvCore::flush_tlb() {
    fetch_vpn_ = ~uint64_t{0};
    for (auto& per_priv : tlb_)
        for (auto& tlb : per_priv)
            for (auto& e : tlb)
                e.vpn = ~uint64_t{0};
}

// PMP (privileged spec 3.7). The lowest-numbered entry that matches any byte
// decides; an access that only partly matches it fails.
bool RvCore::pmp_check(uint64_t paddr, unsigned len, Access kind, Priv p, bool* uniform) const {
    uint64_t page = paddr & ~uint64_t{0xfff};
    if (uniform) *uniform = true;
    uint64_t prev_top = 0;
    for (unsigned i = 0; i < cfg_.pmp_entries; ++i) {
        uint8_t c = pmpcfg_[i];
        unsigned mode = (c >> 3) & 3;
        uint64_t lo = 0, hi = 0; // [lo, hi)
        uint64_t addr = pmpaddr_[i];
        if (mode == 1) {
            lo = prev_top;
            hi = addr << 2;
        } else if (mode == 2) {
            lo = addr << 2;
            hi = lo + 4;
        } else if (mode == 3) {
            unsigned t = static_cast<unsigned>(__builtin_ctzll(~addr));
            if (t >= 54) {
                lo = 0, hi = ~uint64_t{0};
            } else {
                lo = (addr & ~((uint64_t{1} << (t + 1)) - 1)) << 2;
                hi = lo + (uint64_t{1} << (t + 3));
            }
        }
        prev_top = addr << 2;
        if (mode == 0 || lo >= hi) continue;
        bool overlaps_page = page < hi && lo < page + 4096;
        bool overlaps = paddr < hi && lo < paddr + len;
        if (uniform && overlaps_page && !(lo <= page && page + 4096 <= hi)) *uniform = false;
        if (!overlaps) {
            if (uniform && overlaps_page) *uniform = false;
            continue;
        }
        if (!(lo <= paddr && paddr + len <= hi)) return false;
        if (p == M && !(c & 0x80)) return true;
        unsigned need = kind == Access::Fetch ? 4 : kind == Access::Load ? 1 : 2;
        return (c & need) != 0;
    }
    return p == M || cfg_.pmp_entries == 0;
}

bool RvCore::walk(uint64_t vaddr, Access kind, Priv p, uint64_t& paddr) {
    unsigned mode = static_cast<unsigned>(satp_ >> 60);
    if (p == M || mode == 0) {
        paddr = vaddr;
        return true;
    }
    unsigned levels = mode == 9 ? 4 : 3;
    unsigned va_bits = 12 + 9 * levels;
    // The upper bits must copy the top bit of the virtual address.
    int64_t sx = static_cast<int64_t>(vaddr << (64 - va_bits)) >> (64 - va_bits);
    if (static_cast<uint64_t>(sx) != vaddr) {
        raise(page_fault(kind), vaddr);
        return false;
    }
    bool sum = mstatus_ & mstatus::kSum, mxr = mstatus_ & mstatus::kMxr;
    uint64_t table = (satp_ & ((1ull << 44) - 1)) << 12;
    for (int level = static_cast<int>(levels) - 1; level >= 0; --level) {
        uint64_t pte_addr = table + ((vaddr >> (12 + 9 * level)) & 511) * 8;
        // Page-table accesses are implicit S-mode reads, subject to PMP.
        if (!pmp_check(pte_addr, 8, Access::Load, S, nullptr)) {
            raise(access_fault(kind), vaddr);
            return false;
        }
        uint64_t pte = 0;
        uint8_t* host = mem_.direct_page(pte_addr, false);
        if (host)
            std::memcpy(&pte, host + (pte_addr & 0xfff), 8);
        else if (!mem_.read(pte_addr, &pte, 8)) {
            raise(access_fault(kind), vaddr);
            return false;
        }
        if (!(pte & kPteV) || (!(pte & kPteR) && (pte & kPteW)) || (pte >> 54) != 0) {
            raise(page_fault(kind), vaddr);
            return false;
        }
        uint64_t ppn = (pte >> 10) & ((1ull << 44) - 1);
        if (!(pte & (kPteR | kPteX))) { // pointer to the next level
            table = ppn << 12;
            continue;
        }
        // A leaf: check permissions.
        bool ok;
        if (p == U && !(pte & kPteU))
            ok = false;
        else if (p == S && (pte & kPteU) && (kind == Access::Fetch || !sum))
            ok = false;
        else if (kind == Access::Fetch)
            ok = pte & kPteX;
        else if (kind == Access::Load)
            ok = (pte & kPteR) || (mxr && (pte & kPteX));
        else
            ok = pte & kPteW;
        uint64_t low_mask = (1ull << (9 * level)) - 1; // PPN bits a superpage must clear
        if (!ok || (ppn & low_mask)) {
            raise(page_fault(kind), vaddr);
            return false;
        }
        // Hardware A/D update (Svadu behaviour; the spec allows it).
        uint64_t want = kPteA | (kind == Access::Store ? kPteD : 0);
        if ((pte & want) != want) {
            if (!pmp_check(pte_addr, 8, Access::Store, S, nullptr)) {
                raise(access_fault(kind), vaddr);
                return false;
            }
            pte |= want;
            uint8_t* w = mem_.direct_page(pte_addr, true);
            if (w)
                std::memcpy(w + (pte_addr & 0xfff), &pte, 8);
            else if (!mem_.write(pte_addr, &pte, 8)) {
                raise(access_fault(kind), vaddr);
                return false;
            }
            resv_.store(pte_addr, 8);
        }
        uint64_t offset_mask = (1ull << (12 + 9 * level)) - 1;
        paddr = ((ppn << 12) & ~offset_mask) | (vaddr & offset_mask);
        return true;
    }
    raise(page_fault(kind), vaddr);
    return false;
}

bool RvCore::translate(uint64_t vaddr, unsigned len, Access kind, Priv p, uint64_t& paddr,
                       bool* uniform) {
    if (!walk(vaddr, kind, p, paddr)) return false;
    if (!pmp_check(paddr, len, kind, p, uniform)) {
        raise(access_fault(kind), vaddr);
        return false;
    }
    return true;
}

bool RvCore::access_page(uint64_t vaddr, void* data, unsigned len, Access kind) {
    Priv p = kind == Access::Fetch ? priv : data_priv();
    uint64_t paddr;
    bool uniform = false;
    if (!translate(vaddr, len, kind, p, paddr, &uniform)) return false;
    uint8_t* host = mem_.direct_page(paddr, kind == Access::Store);
    if (host) {
        uint64_t off = paddr & 0xfff;
        if (kind == Access::Store)
            std::memcpy(host + off, data, len);
        else
            std::memcpy(data, host + off, len);
        // Armed triggers keep code pages out of the fetch TLB: without them
        // run() cannot enter decoded blocks and checks every instruction.
        if (uniform && !(kind == Access::Fetch && triggers_.armed())) {
            TlbEntry& e = tlb_for(kind, p)[(vaddr >> 12) % kTlbSize];
            e.vpn = vaddr >> 12;
            e.host = host;
            e.ppage = paddr & ~uint64_t{0xfff};
        }
    } else {
        bool ok =
            kind == Access::Store ? mem_.write(paddr, data, len) : mem_.read(paddr, data, len);
        if (!ok) {
            raise(access_fault(kind), vaddr);
            return false;
        }
    }
    if (kind == Access::Store) resv_.store(paddr, len);
    return true;
}

} // namespace nvsoc::rv
