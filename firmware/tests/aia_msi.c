/* The AIA interrupt path in MSI mode, on hart 0 in M-mode (configs/default.yaml,
 * laid out as QEMU virt,aia=aplic-imsic):
 *  1. an MSI into the hart's own machine-level IMSIC file raises MEIP, shows
 *     in mtopei and mtopi, is taken as interrupt 11 and claimed by
 *     `csrrw mtopei, zero`;
 *  2. eithreshold hides identities at or above it; lower identities win;
 *  3. eidelivery = 0 holds MEIP low while mtopei still reports;
 *  4. seteipnum_be takes a byte-swapped identity; identities 0 and 256 are
 *     ignored; the page reads zero;
 *  5. another hart's page, and the hart's own supervisor-level page, leave
 *     the machine-level file alone (hart 1 confirms the MSI reached it);
 *  6. the wired path: the UART's level-high line (APLIC source 10) through
 *     the APLIC's machine-level domain in MSI mode into hart 0's file, the
 *     level-sensitive re-pend rule of setipnum/setipnum_le (AIA 1.0, APLIC
 *     "Precise effects on interrupt-pending bits" and "Special consideration
 *     for level-sensitive interrupt sources"), and genmsi;
 *  7. everything is put back as it was found.
 * Register layouts: AIA 1.0 (riscv-aia src/IMSIC.adoc, src/AdvPLIC.adoc). */
#include "nvsoc_test.h"

/* Reads *topei and claims what it showed, in one instruction (as Linux does). */
#define csr_claim_n(n)                                                             \
    ({                                                                             \
        unsigned long __v;                                                         \
        __asm__ volatile("csrrw %0, %1, zero" : "=r"(__v) : "i"(n) : "memory");    \
        __v;                                                                       \
    })

/* Interrupt-file registers behind miselect/siselect (RV64: even eip/eie only). */
#define EIDELIVERY 0x70
#define EITHRESHOLD 0x72
#define EIP(k) (0x80 + 2 * (k)) /* identities 64k .. 64k+63 */
#define EIE(k) (0xc0 + 2 * (k))
#define NUM_IDS 255             /* configs/default.yaml imsic num-ids */
#define EWORDS ((NUM_IDS + 1) / 64)

#define TOPEI(id) (((unsigned long)(id) << 16) | (id)) /* priority = identity */
#define IRQ_MEI (MCAUSE_INT | 11)

/* ---- IMSIC: one 4 KiB page per file ---- */
#define IMSIC_M_BASE 0x24000000UL
#define IMSIC_S_BASE 0x28000000UL
#define IMSIC_M(h) (IMSIC_M_BASE + 0x1000UL * (h))
#define IMSIC_S(h) (IMSIC_S_BASE + 0x1000UL * (h))
#define SETEIPNUM_LE 0x0
#define SETEIPNUM_BE 0x4

/* ---- APLIC, machine-level (root) domain ---- */
#define APLIC_M 0x0c000000UL
#define DOMAINCFG 0x0000
#define SOURCECFG(i) (0x0004 + 4 * ((i) - 1))
#define MMSIADDRCFG 0x1bc0
#define MMSIADDRCFGH 0x1bc4
#define SETIP0 0x1c00
#define SETIPNUM 0x1cdc
#define IN_CLRIP0 0x1d00
#define SETIE0 0x1e00
#define SETIENUM 0x1edc
#define CLRIENUM 0x1fdc
#define SETIPNUM_LE 0x2000
#define GENMSI 0x3000
#define TARGET(i) (0x3004 + 4 * ((i) - 1))

#define DOMAINCFG_FIXED 0x80000000u /* bits 31:24 read 0x80 */
#define DOMAINCFG_IE (1u << 8)
#define DOMAINCFG_DM (1u << 2)      /* MSI delivery mode */
#define SOURCECFG_LEVEL1 6          /* level sensitive, active high */
#define MSIADDRCFGH_LHXW(n) ((uint32_t)(n) << 12)
#define HART_INDEX(h) ((uint32_t)(h) << 18) /* target, genmsi */
#define GENMSI_BUSY (1u << 12)

/* ---- the UART, APLIC source 10 (level high) ---- */
#define UART_SRC 10
#define UART_IER 1
#define UART_IER_ETBEI 0x02 /* THR empty: the line is high while THR is empty */

/* MSIs are "eventually" reflected in the file and mip (IMSIC.adoc): positive
 * checks poll for a while, negative ones wait as long before looking. */
#define SETTLE_TICKS NVSOC_US(20)
#define CHECK_SOON(cond)                                                           \
    do {                                                                           \
        unsigned long __dl = nvsoc_deadline(SETTLE_TICKS);                         \
        while (!(cond) && !nvsoc_expired(__dl))                                    \
            ;                                                                      \
        CHECK(cond);                                                               \
    } while (0)
static void settle(void) { delay_ticks(SETTLE_TICKS); }

/* ---------------- helpers ---------------- */

static void msi(unsigned long page, uint32_t id) { mmio_write32(page + SETEIPNUM_LE, id); }

static uint32_t aplic_read(unsigned long off) { return mmio_read32(APLIC_M + off); }
static void aplic_write(unsigned long off, uint32_t v) { mmio_write32(APLIC_M + off, v); }
static int source_bit(uint32_t word0) { return (word0 >> UART_SRC) & 1; }

static void uart_ier(uint8_t v) { ((volatile uint8_t *)NVSOC_UART_BASE)[UART_IER] = v; }
static uint8_t uart_ier_read(void) { return ((volatile uint8_t *)NVSOC_UART_BASE)[UART_IER]; }

/* Hart 0's machine-level file, through miselect/mireg. */
static unsigned long mfile_read(unsigned long sel)
{
    csrw_n(CSR_MISELECT, sel);
    return csrr_n(CSR_MIREG);
}
static void mfile_write(unsigned long sel, unsigned long v)
{
    csrw_n(CSR_MISELECT, sel);
    csrw_n(CSR_MIREG, v);
}
/* ... and its supervisor-level file, which M-mode reaches through siselect/sireg. */
static unsigned long sfile_read(unsigned long sel)
{
    csrw_n(CSR_SISELECT, sel);
    return csrr_n(CSR_SIREG);
}
static void sfile_write(unsigned long sel, unsigned long v)
{
    csrw_n(CSR_SISELECT, sel);
    csrw_n(CSR_SIREG, v);
}

static void m_enable(unsigned id)
{
    mfile_write(EIE(id / 64), mfile_read(EIE(id / 64)) | (1UL << (id % 64)));
}
static int m_pending(unsigned id) { return (mfile_read(EIP(id / 64)) >> (id % 64)) & 1; }
/* No identity pending at all in the machine-level file. */
static int m_none_pending(void)
{
    unsigned long any = 0;
    for (unsigned k = 0; k < EWORDS; k++)
        any |= mfile_read(EIP(k));
    return any == 0;
}
static int meip(void) { return (csr_read(mip) & MIP_MEIP) != 0; }
static int seip(void) { return (csr_read(mip) & MIP_SEIP) != 0; }
static unsigned long claim_m(void) { return csr_claim_n(CSR_MTOPEI) >> 16; }

/* A file's state, to put back at the end. */
struct file_state {
    unsigned long delivery, threshold, eip[EWORDS], eie[EWORDS];
};
static void save_file(int machine, struct file_state *s)
{
    unsigned long (*rd)(unsigned long) = machine ? mfile_read : sfile_read;
    s->delivery = rd(EIDELIVERY);
    s->threshold = rd(EITHRESHOLD);
    for (unsigned k = 0; k < EWORDS; k++) {
        s->eip[k] = rd(EIP(k));
        s->eie[k] = rd(EIE(k));
    }
}
static void restore_file(int machine, const struct file_state *s)
{
    void (*wr)(unsigned long, unsigned long) = machine ? mfile_write : sfile_write;
    wr(EIDELIVERY, 0); /* nothing reaches mip while the arrays change */
    for (unsigned k = 0; k < EWORDS; k++) {
        wr(EIE(k), s->eie[k]);
        wr(EIP(k), s->eip[k]);
    }
    wr(EITHRESHOLD, s->threshold);
    wr(EIDELIVERY, s->delivery);
}
/* Empty, delivery on, no threshold. */
static void clear_file(int machine)
{
    struct file_state empty = {.delivery = 1};
    restore_file(machine, &empty);
}

/* ---- hart 1: only a hart reaches its own file's eip array, so hart 1 reads
 * and clears its machine-level eip0 when hart 0 asks (nothing else writes
 * that file: it is empty from reset until this test's MSIs). ---- */
#define H1_PARK (~0UL)
static volatile unsigned long h1_request, h1_done, h1_eip0;

static void hart1_serve(void)
{
    unsigned long seen = 0;
    for (;;) {
        while (h1_request == seen)
            ;
        seen = h1_request;
        if (seen == H1_PARK)
            park();
        __asm__ volatile("fence rw, rw" ::: "memory");
        h1_eip0 = mfile_read(EIP(0));
        mfile_write(EIP(0), 0);
        __asm__ volatile("fence rw, rw" ::: "memory");
        h1_done = seen;
    }
}

/* Hart 1's machine-level eip0 (identities 0-63), which it then clears. */
static unsigned long hart1_take_eip0(void)
{
    unsigned long n = h1_request + 1;
    __asm__ volatile("fence rw, rw" ::: "memory");
    h1_request = n;
    unsigned long dl = nvsoc_deadline(NVSOC_TIMEBASE_HZ);
    while (h1_done != n)
        if (nvsoc_expired(dl)) {
            uart_puts("hart 1 did not answer\n");
            fail(NVSOC_FAIL_TIMEOUT);
        }
    __asm__ volatile("fence rw, rw" ::: "memory");
    return h1_eip0;
}

int hart_main(unsigned long hartid)
{
    if (hartid == 1)
        hart1_serve();
    if (hartid != 0)
        park();
    return main(hartid);
}

/* ---- the external-interrupt trap: claims through mtopei ---- */
static volatile unsigned long n_mei, mei_cause, mei_claimed;

static void handler(struct nvsoc_trap_frame *f)
{
    if (f->cause != IRQ_MEI) {
        uart_puts("unexpected trap: cause ");
        uart_put_hex(f->cause);
        uart_puts(" epc ");
        uart_put_hex(f->epc);
        uart_putc('\n');
        fail(NVSOC_FAIL_TRAP);
    }
    mei_cause = f->cause;
    mei_claimed = claim_m();
    n_mei++;
}

/* Opens mstatus.MIE (mie.MEIE set) until one more external interrupt was taken. */
static void take_mei(void)
{
    unsigned long before = n_mei;
    csr_set(mie, MIP_MEIP);
    csr_set(mstatus, MSTATUS_MIE);
    unsigned long dl = nvsoc_deadline(NVSOC_TIMEBASE_HZ / 100);
    while (n_mei == before && !nvsoc_expired(dl))
        ;
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK_EQ(n_mei, before + 1);
    CHECK_EQ(mei_cause, IRQ_MEI);
}

/* ---------------- the tests ---------------- */

/* 1. An MSI to the hart's own machine-level file. */
static void own_file(void)
{
    m_enable(5);
    CHECK(!meip());
    CHECK_EQ(csrr_n(CSR_MTOPEI), 0);
    msi(IMSIC_M(0), 5);
    CHECK_SOON(meip());
    CHECK(m_pending(5));
    CHECK_EQ(csrr_n(CSR_MTOPEI), TOPEI(5));
    /* mtopi needs mie.MEIE, not mstatus.MIE: interrupt 11, the file's priority. */
    CHECK_EQ(csrr_n(CSR_MTOPI), 0);
    csr_set(mie, MIP_MEIP);
    CHECK_EQ((csrr_n(CSR_MTOPI) >> 16) & 0xfff, 11);
    CHECK_EQ(csrr_n(CSR_MTOPI), TOPI(11, 5));
    /* Taken as a machine external interrupt; the handler's claim returns 5. */
    take_mei();
    CHECK_EQ(mei_claimed, 5);
    CHECK(!meip());
    CHECK(!m_pending(5));
    CHECK_EQ(csrr_n(CSR_MTOPEI), 0);
    CHECK_EQ(csrr_n(CSR_MTOPI), 0);
    /* A claim with nothing to show clears nothing and reads 0. */
    CHECK_EQ(claim_m(), 0);
    csr_write(mie, 0);
}

/* 2. eithreshold and the order of identities. */
static void threshold_and_priority(void)
{
    m_enable(3);
    m_enable(5);
    m_enable(6);
    mfile_write(EITHRESHOLD, 5);
    CHECK_EQ(mfile_read(EITHRESHOLD), 5);
    /* Identities at or above the threshold are pending but not signalled. */
    msi(IMSIC_M(0), 6);
    msi(IMSIC_M(0), 5);
    settle();
    CHECK(m_pending(6) && m_pending(5));
    CHECK(!meip());
    CHECK_EQ(csrr_n(CSR_MTOPEI), 0);
    /* One below it is. */
    msi(IMSIC_M(0), 3);
    CHECK_SOON(meip());
    CHECK_EQ(csrr_n(CSR_MTOPEI), TOPEI(3));
    CHECK_EQ(claim_m(), 3);
    CHECK(!meip());
    CHECK_EQ(csrr_n(CSR_MTOPEI), 0); /* 5 and 6 are still held back */
    /* Threshold off: the lower identity first, then the next. */
    mfile_write(EITHRESHOLD, 0);
    CHECK_SOON(meip());
    CHECK_EQ(claim_m(), 5);
    CHECK_EQ(claim_m(), 6);
    CHECK(!meip());
    /* Arrival order does not matter, and identities past the first eie word
     * (eie2/eip2, eie6/eip6 on RV64) count the same. */
    m_enable(100);
    m_enable(200);
    msi(IMSIC_M(0), 200);
    msi(IMSIC_M(0), 100);
    CHECK_SOON(meip());
    CHECK_EQ(mfile_read(EIP(1)), 1UL << (100 - 64));
    CHECK_EQ(mfile_read(EIP(3)), 1UL << (200 - 192));
    CHECK_EQ(csrr_n(CSR_MTOPEI), TOPEI(100));
    CHECK_EQ(claim_m(), 100);
    CHECK_EQ(claim_m(), 200);
    CHECK(!meip());
    CHECK(m_none_pending());
}

/* 3. eidelivery = 0: the file holds MEIP low but still reports. */
static void delivery_off(void)
{
    m_enable(7);
    mfile_write(EIDELIVERY, 0);
    CHECK_EQ(mfile_read(EIDELIVERY), 0);
    msi(IMSIC_M(0), 7);
    settle();
    CHECK(m_pending(7));
    CHECK(!meip());
    CHECK_EQ(csrr_n(CSR_MTOPEI), TOPEI(7));
    /* Delivery back on: the pending identity raises MEIP. */
    mfile_write(EIDELIVERY, 1);
    CHECK_EQ(mfile_read(EIDELIVERY), 1);
    CHECK_SOON(meip());
    CHECK_EQ(claim_m(), 7);
    CHECK(!meip());
}

/* 4. seteipnum_be, identities the file does not implement, reads of the page. */
static void page_details(void)
{
    m_enable(9);
    mmio_write32(IMSIC_M(0) + SETEIPNUM_BE, __builtin_bswap32(9));
    CHECK_SOON(meip());
    CHECK_EQ(csrr_n(CSR_MTOPEI), TOPEI(9));
    /* The page reads zero, even with an identity pending. */
    CHECK_EQ(mmio_read32(IMSIC_M(0) + SETEIPNUM_LE), 0);
    CHECK_EQ(mmio_read32(IMSIC_M(0) + SETEIPNUM_BE), 0);
    CHECK_EQ(mmio_read32(IMSIC_M(0) + 0x8), 0);
    CHECK_EQ(mmio_read32(IMSIC_M(0) + 0xffc), 0);
    CHECK_EQ(claim_m(), 9);
    /* Identity 0 does not exist, 256 is past num-ids 255, and 9 unswapped
     * on the big-endian port is 0x09000000: all ignored. */
    msi(IMSIC_M(0), 0);
    msi(IMSIC_M(0), NUM_IDS + 1);
    mmio_write32(IMSIC_M(0) + SETEIPNUM_BE, 9);
    settle();
    CHECK(m_none_pending());
    CHECK(!meip());
    CHECK_EQ(csrr_n(CSR_MTOPEI), 0);
}

/* 5. Other files' pages: hart 1's machine-level file, hart 0's supervisor one. */
static void other_files(void)
{
    m_enable(12);
    m_enable(13);
    msi(IMSIC_M(1), 12);
    settle();
    CHECK(m_none_pending());
    CHECK(!meip());
    CHECK_EQ(hart1_take_eip0(), 1UL << 12); /* it went there */

    /* The supervisor-level file: SEIP and stopei, not MEIP and mtopei. */
    sfile_write(EIE(0), 1UL << 13);
    msi(IMSIC_S(0), 13);
    CHECK_SOON(seip());
    CHECK_EQ(sfile_read(EIP(0)), 1UL << 13);
    CHECK_EQ(csrr_n(CSR_STOPEI), TOPEI(13));
    CHECK(m_none_pending());
    CHECK(!meip());
    CHECK_EQ(csr_claim_n(CSR_STOPEI) >> 16, 13);
    CHECK(!seip());
}

/* 6. The UART's wire through the APLIC's machine-level domain, in MSI mode. */
static void aplic_path(void)
{
    /* Nothing of this source is configured at reset; the domain is in MSI
     * mode (DM read-only 1 on this platform) and off. */
    CHECK_EQ(aplic_read(DOMAINCFG), DOMAINCFG_FIXED | DOMAINCFG_DM);
    CHECK_EQ(aplic_read(SOURCECFG(UART_SRC)), 0);
    CHECK_EQ(uart_ier_read(), 0);
    CHECK(!source_bit(aplic_read(IN_CLRIP0))); /* inactive: rectified input 0 */

    /* MSI address: hart index h -> the file at mmsiaddrcfg + h pages. The
     * spec's formula takes the low LHXW bits of the hart index (with HHXW 0
     * there is one group), so LHXW = 2 for 4 harts; with LHXW = 0 every hart
     * index would land on hart 0's page. */
    aplic_write(MMSIADDRCFG, IMSIC_M_BASE >> 12);
    aplic_write(MMSIADDRCFGH, MSIADDRCFGH_LHXW(2));
    CHECK_EQ(aplic_read(MMSIADDRCFG), IMSIC_M_BASE >> 12);
    CHECK_EQ(aplic_read(MMSIADDRCFGH), MSIADDRCFGH_LHXW(2));

    /* Source 10 level high, not delegated, to hart 0 as EIID 10, enabled. */
    aplic_write(SOURCECFG(UART_SRC), SOURCECFG_LEVEL1);
    CHECK_EQ(aplic_read(SOURCECFG(UART_SRC)), SOURCECFG_LEVEL1);
    aplic_write(TARGET(UART_SRC), HART_INDEX(0) | UART_SRC);
    CHECK_EQ(aplic_read(TARGET(UART_SRC)), HART_INDEX(0) | UART_SRC);
    aplic_write(DOMAINCFG, DOMAINCFG_IE | DOMAINCFG_DM);
    CHECK_EQ(aplic_read(DOMAINCFG), DOMAINCFG_FIXED | DOMAINCFG_IE | DOMAINCFG_DM);
    aplic_write(SETIENUM, UART_SRC);
    CHECK(source_bit(aplic_read(SETIE0)));
    m_enable(UART_SRC);
    settle();
    CHECK(!source_bit(aplic_read(SETIP0))); /* line low: nothing pending */
    CHECK(!m_pending(UART_SRC));

    /* The UART raises its line (THR empty, its interrupt enabled): the
     * APLIC forwards EIID 10 to hart 0's file, and the hart takes it. (No
     * UART output from here on while IER has ETBEI: a THR write would
     * drop and raise the line.) */
    uart_ier(UART_IER_ETBEI);
    take_mei();
    CHECK_EQ(mei_claimed, UART_SRC);
    CHECK(source_bit(aplic_read(IN_CLRIP0)));  /* the line is still high ... */
    CHECK(!source_bit(aplic_read(SETIP0)));    /* ... but forwarding cleared pending */
    settle();
    CHECK(!m_pending(UART_SRC));               /* and no second MSI follows */
    CHECK(!meip());

    /* While the line is high, setipnum_le (and setipnum) re-pend the level
     * source, which is forwarded again at once. */
    aplic_write(SETIPNUM_LE, UART_SRC);
    CHECK_SOON(m_pending(UART_SRC));
    CHECK(meip());
    CHECK(!source_bit(aplic_read(SETIP0)));
    CHECK_EQ(claim_m(), UART_SRC);
    aplic_write(SETIPNUM, UART_SRC);
    CHECK_SOON(m_pending(UART_SRC));
    CHECK_EQ(claim_m(), UART_SRC);

    /* Line low: the same writes set nothing and send nothing. (QEMU before
     * 9.0, Debian's 7.2 included, re-pends here: an MSI storm under Linux.) */
    uart_ier(0);
    CHECK(!source_bit(aplic_read(IN_CLRIP0)));
    aplic_write(SETIPNUM_LE, UART_SRC);
    aplic_write(SETIPNUM, UART_SRC);
    settle();
    CHECK(!source_bit(aplic_read(SETIP0)));
    CHECK(!m_pending(UART_SRC));
    CHECK(!meip());

    /* A rising edge while the source is disabled stays pending in the APLIC
     * and goes out when it is enabled. */
    aplic_write(CLRIENUM, UART_SRC);
    CHECK(!source_bit(aplic_read(SETIE0)));
    uart_ier(UART_IER_ETBEI);
    CHECK(source_bit(aplic_read(SETIP0)));
    settle();
    CHECK(!m_pending(UART_SRC));
    aplic_write(SETIENUM, UART_SRC);
    CHECK_SOON(m_pending(UART_SRC));
    CHECK(!source_bit(aplic_read(SETIP0)));
    CHECK_EQ(claim_m(), UART_SRC);
    uart_ier(0);

    /* genmsi: an extempore MSI, sent even with the domain's IE off. */
    aplic_write(DOMAINCFG, DOMAINCFG_DM);
    m_enable(42);
    aplic_write(GENMSI, HART_INDEX(0) | 42);
    CHECK_SOON(!(aplic_read(GENMSI) & GENMSI_BUSY));
    CHECK_EQ(aplic_read(GENMSI), HART_INDEX(0) | 42);
    CHECK_SOON(m_pending(42));
    CHECK_EQ(csrr_n(CSR_MTOPEI), TOPEI(42));
    CHECK_EQ(claim_m(), 42);
    /* Hart index 1 goes to hart 1's page (LHXW = 2), not hart 0's. */
    aplic_write(GENMSI, HART_INDEX(1) | 42);
    CHECK_SOON(!(aplic_read(GENMSI) & GENMSI_BUSY));
    settle();
    CHECK(m_none_pending());
    CHECK_EQ(hart1_take_eip0(), 1UL << 42);
}

int main(unsigned long hartid)
{
    (void)hartid;
    uart_puts("aia_msi: IMSIC files, APLIC MSI forwarding, level re-pend, genmsi\n");
    nvsoc_mtrap_handler = handler;
    csr_clear(mstatus, MSTATUS_MIE | MSTATUS_SIE);
    csr_write(mie, 0);
    csr_write(mideleg, 0);

    /* As found, to put back at the end. */
    struct file_state m_found, s_found;
    save_file(1, &m_found);
    save_file(0, &s_found);
    uint32_t domaincfg_found = aplic_read(DOMAINCFG);
    uint32_t msiaddr_found = aplic_read(MMSIADDRCFG);
    uint32_t msiaddrh_found = aplic_read(MMSIADDRCFGH);
    uint8_t ier_found = uart_ier_read();
    unsigned long miselect_found = csrr_n(CSR_MISELECT);
    unsigned long siselect_found = csrr_n(CSR_SISELECT);
    /* The files' reset state is unspecified: start from empty ones. */
    clear_file(1);
    clear_file(0);
    CHECK(!meip() && !seip());

    own_file();
    threshold_and_priority();
    delivery_off();
    page_details();
    other_files();
    aplic_path();

    /* 7. Put everything back: the source inactive (which clears its pending,
     * enable and target), the domain and MSI addresses, the UART, the files. */
    uart_ier(ier_found);
    aplic_write(SOURCECFG(UART_SRC), 0);
    CHECK_EQ(aplic_read(TARGET(UART_SRC)), 0);
    CHECK(!source_bit(aplic_read(SETIE0)));
    aplic_write(DOMAINCFG, domaincfg_found);
    aplic_write(MMSIADDRCFG, msiaddr_found);
    aplic_write(MMSIADDRCFGH, msiaddrh_found);
    CHECK_EQ(aplic_read(DOMAINCFG), domaincfg_found);
    CHECK_EQ(aplic_read(MMSIADDRCFGH), msiaddrh_found);
    restore_file(1, &m_found);
    restore_file(0, &s_found);
    csr_write(mie, 0);
    csrw_n(CSR_MISELECT, miselect_found);
    csrw_n(CSR_SISELECT, siselect_found);
    h1_request = H1_PARK;
    nvsoc_mtrap_handler = 0;
    CHECK(!meip() && !seip());
    return 0;
}
