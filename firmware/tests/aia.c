/* Smaia/Ssaia CSRs with no IMSIC in play (the ACLINT's timer and software
 * interrupts, mip's software-writable bits): mtopi and stopi report
 * the highest-priority pending-and-enabled interrupt of their level (IID in
 * 27:16, IPRIO in 7:0: 255 for interrupts below the external ones in the
 * default order, and for SEI when no interrupt controller supplies a
 * priority), regardless of mstatus.MIE/SIE and split by mideleg; the iprio
 * array reads zero; odd iprio selects and unknown selects are illegal, and
 * so are the IMSIC's selects and mtopei/stopei when the hart has no IMSIC
 * (with one, as on configs/default.yaml, they are legal and
 * firmware/tests/aia_msi.c tests them); mvien is zero
 * and mvip aliases mip's SSIP, STIP and SEIP. */
#include "nvsoc_test.h"


static volatile unsigned long traps, last_cause, last_tval;

static void handler(struct nvsoc_trap_frame* f) {
    traps++;
    last_cause = f->cause;
    last_tval = f->tval;
    nvsoc_skip_insn(f);
}

/* True when the instruction trapped as illegal. */
#define ILLEGAL(stmt)                                                                              \
    ({                                                                                             \
        unsigned long __t = traps;                                                                 \
        stmt;                                                                                      \
        traps != __t&& last_cause == 2;                                                            \
    })

/* arg: whether the hart has IMSIC interrupt files. */
static long s_reads(long arg) {
    long bad = 0;
    /* stopi and the iprio array are S-level; mtopi is not. */
    if (ILLEGAL(csrr_n(CSR_STOPI))) bad |= 1;
    csrw_n(CSR_SISELECT, 0x30);
    if (ILLEGAL(csrr_n(CSR_SIREG)) || csrr_n(CSR_SIREG) != 0) bad |= 2;
    csrw_n(CSR_SISELECT, 0x70); /* eidelivery: only with an IMSIC file */
    if (ILLEGAL(csrr_n(CSR_SIREG)) == (arg != 0)) bad |= 4;
    if (ILLEGAL(csrr_n(CSR_STOPEI)) == (arg != 0)) bad |= 8;
    if (!ILLEGAL(csrr_n(CSR_MTOPI))) bad |= 16;
    if (!ILLEGAL(csrr_n(CSR_MISELECT))) bad |= 32;
    return bad;
}

static long u_reads(long arg) {
    (void)arg;
    long bad = 0;
    if (!ILLEGAL(csrr_n(CSR_STOPI))) bad |= 1;
    if (!ILLEGAL(csrr_n(CSR_SISELECT))) bad |= 2;
    return bad;
}

int main(unsigned long hartid) {
    uart_puts("aia: mtopi/stopi, miselect/mireg, mvien/mvip\n");
    nvsoc_mtrap_handler = handler;
    csr_clear(mstatus, MSTATUS_MIE | MSTATUS_SIE);
    csr_write(mie, 0);
    csr_write(mideleg, 0);
    mtimecmp_write(hartid, ~0UL);
    msip_write(hartid, 0);
    csr_clear(mip, MIP_SSIP | MIP_STIP | MIP_SEIP);
    /* The IMSIC's selects and *topei exist only with one. (configs/default.yaml
     * has none today; with one, those checks turn around.) */
    long imsic = !ILLEGAL(csrr_n(CSR_MTOPEI));
    traps = 0;

    CHECK_EQ(csrr_n(CSR_MTOPI), 0);
    CHECK_EQ(csrr_n(CSR_STOPI), 0);

    /* Pending but not enabled: nothing. */
    mtimecmp_write(hartid, 0);
    delay_ticks(2);
    CHECK(csr_read(mip) & MIP_MTIP);
    CHECK_EQ(csrr_n(CSR_MTOPI), 0);
    /* Enabled: MTI, below MEI in the default order, so IPRIO 255. MIE is
     * clear, so no trap is taken, and mtopi does not care. */
    csr_set(mie, MIP_MTIP);
    CHECK_EQ(csrr_n(CSR_MTOPI), TOPI(7, 255));
    /* MSI comes before MTI. */
    msip_write(hartid, 1);
    csr_set(mie, MIP_MSIP);
    CHECK_EQ(csrr_n(CSR_MTOPI), TOPI(3, 255));
    msip_write(hartid, 0);
    CHECK_EQ(csrr_n(CSR_MTOPI), TOPI(7, 255));
    mtimecmp_write(hartid, ~0UL);
    CHECK_EQ(csrr_n(CSR_MTOPI), 0);
    CHECK_EQ(traps, 0);

    /* S-level interrupts through mip's writable bits: at M level while not
     * delegated, at S level once delegated. Order SEI, SSI, STI. */
    csr_set(mie, MIP_SSIP | MIP_STIP | MIP_SEIP);
    csr_set(mip, MIP_STIP);
    CHECK_EQ(csrr_n(CSR_MTOPI), TOPI(5, 255));
    CHECK_EQ(csrr_n(CSR_STOPI), 0);
    csr_write(mideleg, MIP_SSIP | MIP_STIP | MIP_SEIP);
    CHECK_EQ(csrr_n(CSR_MTOPI), 0);
    CHECK_EQ(csrr_n(CSR_STOPI), TOPI(5, 255));
    csr_set(mip, MIP_SSIP);
    CHECK_EQ(csrr_n(CSR_STOPI), TOPI(1, 255));
    csr_set(mip, MIP_SEIP); /* no controller supplies a priority: 256 -> 255 */
    CHECK_EQ(csrr_n(CSR_STOPI), TOPI(9, 255));
    /* sie masks stopi; a timer interrupt at M level still shows in mtopi. */
    csr_clear(sie, MIP_SEIP | MIP_SSIP);
    CHECK_EQ(csrr_n(CSR_STOPI), TOPI(5, 255));
    mtimecmp_write(hartid, 0);
    delay_ticks(2);
    CHECK_EQ(csrr_n(CSR_MTOPI), TOPI(7, 255));
    CHECK_EQ(csrr_n(CSR_STOPI), TOPI(5, 255));
    mtimecmp_write(hartid, ~0UL);
    csr_clear(mip, MIP_SSIP | MIP_STIP | MIP_SEIP);
    CHECK_EQ(csrr_n(CSR_STOPI), 0);

    /* mvien: read-only zero. mvip: bits 1, 5 and 9 alias mip's SSIP, STIP
     * and software SEIP; the rest are zero. */
    csrw_n(CSR_MVIEN, ~0UL);
    CHECK_EQ(csrr_n(CSR_MVIEN), 0);
    csrw_n(CSR_MVIP, ~0UL);
    CHECK_EQ(csrr_n(CSR_MVIP), MIP_SSIP | MIP_STIP | MIP_SEIP);
    CHECK_EQ(csr_read(mip) & (MIP_SSIP | MIP_STIP | MIP_SEIP), MIP_SSIP | MIP_STIP | MIP_SEIP);
    csrw_n(CSR_MVIP, MIP_STIP);
    CHECK_EQ(csr_read(mip) & (MIP_SSIP | MIP_STIP | MIP_SEIP), MIP_STIP);
    csr_clear(mip, MIP_STIP);
    CHECK_EQ(csrr_n(CSR_MVIP), 0);
    csr_write(mie, 0);
    csr_write(mideleg, 0);

    /* miselect/mireg: the iprio array (even selects) reads zero and ignores
     * writes; odd iprio selects, the IMSIC's selects (no IMSIC here) and
     * unknown ones are illegal, and so is mtopei. */
    for (unsigned long sel = 0x30; sel <= 0x3f; sel += 2) {
        csrw_n(CSR_MISELECT, sel);
        CHECK_EQ(csrr_n(CSR_MISELECT), sel);
        csrw_n(CSR_MIREG, ~0UL);
        CHECK_EQ(csrr_n(CSR_MIREG), 0);
        csrw_n(CSR_MISELECT, sel + 1);
        CHECK(ILLEGAL(csrr_n(CSR_MIREG)));
    }
    CHECK_EQ(traps, 8);
    static const unsigned long bad_selects[] = {0x0, 0x2f, 0x40, 0x6f, 0x81, 0xc1, 0x100};
    for (unsigned i = 0; i < sizeof(bad_selects) / sizeof(bad_selects[0]); ++i) {
        csrw_n(CSR_MISELECT, bad_selects[i]);
        CHECK(ILLEGAL(csrr_n(CSR_MIREG)));
        CHECK(ILLEGAL(csrw_n(CSR_MIREG, 0)));
    }
    /* With an IMSIC, 0x70-0xff are its file's (0x71 and 0x73-0x7f reserved:
     * they read zero); without one, all of them are illegal. */
    static const unsigned long imsic_selects[] = {0x70, 0x71, 0x72, 0x7f, 0x80, 0xbe, 0xc0, 0xfe};
    for (unsigned i = 0; i < sizeof(imsic_selects) / sizeof(imsic_selects[0]); ++i) {
        csrw_n(CSR_MISELECT, imsic_selects[i]);
        CHECK_EQ(ILLEGAL(csrr_n(CSR_MIREG)), !imsic);
    }
    if (!imsic) {
        CHECK(ILLEGAL(csrr_n(CSR_MTOPEI)));
        CHECK(ILLEGAL(csrw_n(CSR_MTOPEI, 0)));
    }
    CHECK(ILLEGAL(csrw_n(CSR_MTOPI, 0))); /* read-only */

    /* From S and U. */
    CHECK_EQ(nvsoc_run_in_mode(PRV_S, s_reads, imsic), 0);
    CHECK_EQ(nvsoc_run_in_mode(PRV_U, u_reads, 0), 0);

    nvsoc_mtrap_handler = 0;
    return 0;
}
