/* nvsoc bare-metal test library: UART output, finisher, CLINT access,
 * trap hooks and privilege-mode helpers.  Shared by every program under
 * firmware/; also included from assembly (only the constants). */
#ifndef NVSOC_TEST_H
#define NVSOC_TEST_H

/* ---- platform (QEMU virt compatible memory map) ---- */
#define NVSOC_TEST_FINISHER 0x100000UL
#define NVSOC_CLINT_BASE 0x2000000UL
#define NVSOC_PLIC_BASE 0xc000000UL
#define NVSOC_UART_BASE 0x10000000UL
#define NVSOC_DRAM_BASE 0x80000000UL
#define NVSOC_TIMEBASE_HZ 10000000UL

#define NVSOC_MAX_HARTS 8          /* harts with a stack; others park in crt0 */
#define NVSOC_STACK_SIZE 16384     /* bytes per hart */
#ifndef NVSOC_TEST_HARTS
#define NVSOC_TEST_HARTS 4         /* harts a multi-hart test expects */
#endif

/* ---- trap frame layout (see trap.S) ---- */
#define NVSOC_FRAME_CAUSE 256
#define NVSOC_FRAME_EPC 264
#define NVSOC_FRAME_TVAL 272
#define NVSOC_FRAME_STATUS 280
#define NVSOC_FRAME_SIZE 288

/* a7 values of the ecall that ends nvsoc_run_in_mode / nvsoc_srun_in_umode */
#define NVSOC_ECALL_MRETURN 0x4e56534d  /* "NVSM" */
#define NVSOC_ECALL_SRETURN 0x4e565353  /* "NVSS" */

/* ---- exit codes (the finisher's fail code; QEMU exits with it) ---- */
#define NVSOC_FAIL_GENERIC 1
#define NVSOC_FAIL_TRAP 2       /* unexpected trap in the default handler */
#define NVSOC_FAIL_TIMEOUT 3    /* something did not happen in time */
/* CHECK failures: 10..249, derived from the line number (printed too). */
#define NVSOC_CHECK_CODE(line) (10 + ((line) % 240))

/* ---- CSR bits ---- */
#define MSTATUS_SIE (1UL << 1)
#define MSTATUS_MIE (1UL << 3)
#define MSTATUS_SPIE (1UL << 5)
#define MSTATUS_MPIE (1UL << 7)
#define MSTATUS_SPP (1UL << 8)
#define MSTATUS_MPP (3UL << 11)
#define MSTATUS_FS (3UL << 13)
#define MSTATUS_MPRV (1UL << 17)
#define MSTATUS_SUM (1UL << 18)
#define MSTATUS_MXR (1UL << 19)
#define MIP_SSIP (1UL << 1)
#define MIP_MSIP (1UL << 3)
#define MIP_STIP (1UL << 5)
#define MIP_MTIP (1UL << 7)
#define MIP_SEIP (1UL << 9)
#define MIP_MEIP (1UL << 11)
#define MCAUSE_INT (1UL << 63)

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

#ifndef __ASSEMBLER__

#include <stdint.h>

#define csr_read(csr) ({ unsigned long __v; \
    __asm__ volatile("csrr %0, " #csr : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, val) ({ unsigned long __v = (unsigned long)(val); \
    __asm__ volatile("csrw " #csr ", %0" :: "rK"(__v) : "memory"); })
#define csr_set(csr, val) ({ unsigned long __v = (unsigned long)(val); \
    __asm__ volatile("csrs " #csr ", %0" :: "rK"(__v) : "memory"); })
#define csr_clear(csr, val) ({ unsigned long __v = (unsigned long)(val); \
    __asm__ volatile("csrc " #csr ", %0" :: "rK"(__v) : "memory"); })
#define csr_swap(csr, val) ({ unsigned long __v = (unsigned long)(val); \
    __asm__ volatile("csrrw %0, " #csr ", %0" : "+r"(__v) :: "memory"); __v; })
/* The AIA's CSRs (Smaia/Ssaia), which the assembler may not know by name. */
#define CSR_SISELECT 0x150
#define CSR_SIREG 0x151
#define CSR_STOPEI 0x15c
#define CSR_MVIEN 0x308
#define CSR_MVIP 0x309
#define CSR_MISELECT 0x350
#define CSR_MIREG 0x351
#define CSR_MTOPEI 0x35c
#define CSR_STOPI 0xdb0
#define CSR_MTOPI 0xfb0
/* A *topi value: interrupt identity in 27:16, priority in 7:0. */
#define TOPI(iid, prio) (((unsigned long)(iid) << 16) | (prio))

/* CSR access by number, for CSRs the assembler has no name for (the AIA's,
 * Sdtrig's). */
#define csrr_n(n) ({ unsigned long __v; \
    __asm__ volatile("csrr %0, %1" : "=r"(__v) : "i"(n) : "memory"); __v; })
#define csrw_n(n, val) ({ unsigned long __v = (unsigned long)(val); \
    __asm__ volatile("csrw %0, %1" ::"i"(n), "r"(__v) : "memory"); })

#define mmio_read32(a) (*(volatile uint32_t *)(uintptr_t)(a))
#define mmio_write32(a, v) (*(volatile uint32_t *)(uintptr_t)(a) = (uint32_t)(v))
#define mmio_read64(a) (*(volatile uint64_t *)(uintptr_t)(a))
#define mmio_write64(a, v) (*(volatile uint64_t *)(uintptr_t)(a) = (uint64_t)(v))

/* The program's entry point, called by crt0 (through hart_main). */
int main(unsigned long hartid);
/* Called on every hart by crt0.  The weak default parks harts != 0 and calls
 * main() on hart 0; multi-hart programs put NVSOC_ALL_HARTS at file scope to
 * run main() on every hart.  A nonzero return from any hart fails the test
 * with that code; hart 0 returning 0 passes it; other harts returning 0 park. */
int hart_main(unsigned long hartid);
#define NVSOC_ALL_HARTS \
    int hart_main(unsigned long hartid) { return main(hartid); }

/* Number of harts that reached crt0's C entry so far, and the DTB address. */
extern volatile unsigned nvsoc_harts_started;
extern unsigned long nvsoc_dtb;

/* ---- console and finisher ---- */
void uart_putc(char c);
void uart_puts(const char *s);
void uart_put_hex(unsigned long v);   /* 0x..., no leading zeros */
void uart_put_dec(long v);
__attribute__((noreturn)) void pass(void);              /* prints "nvsoc-test: NAME PASS" */
__attribute__((noreturn)) void fail(unsigned code);     /* prints "nvsoc-test: NAME FAIL (code N)" */
__attribute__((noreturn)) void park(void);              /* wfi forever */

__attribute__((noreturn)) void nvsoc_check_failed(const char *file, int line, const char *expr);
__attribute__((noreturn)) void nvsoc_check_eq_failed(const char *file, int line, const char *expr,
                                                    unsigned long got, unsigned long want);
#define CHECK(cond) do { if (!(cond)) nvsoc_check_failed(__FILE__, __LINE__, #cond); } while (0)
/* Compares as 64-bit unsigned; prints both values when they differ. */
#define CHECK_EQ(got, want) do { unsigned long __g = (unsigned long)(got), __w = (unsigned long)(want); \
    if (__g != __w) nvsoc_check_eq_failed(__FILE__, __LINE__, #got " == " #want, __g, __w); } while (0)

/* ---- CLINT ---- */
static inline unsigned long mtime_read(void) { return mmio_read64(NVSOC_CLINT_BASE + 0xbff8); }
static inline void mtimecmp_write(unsigned long hart, unsigned long v) {
    mmio_write64(NVSOC_CLINT_BASE + 0x4000 + 8 * hart, v);
}
static inline unsigned long mtimecmp_read(unsigned long hart) {
    return mmio_read64(NVSOC_CLINT_BASE + 0x4000 + 8 * hart);
}
static inline void msip_write(unsigned long hart, unsigned v) { mmio_write32(NVSOC_CLINT_BASE + 4 * hart, v); }
static inline unsigned msip_read(unsigned long hart) { return mmio_read32(NVSOC_CLINT_BASE + 4 * hart); }
#define NVSOC_US(us) ((unsigned long)(us) * (NVSOC_TIMEBASE_HZ / 1000000))
void delay_ticks(unsigned long ticks);
/* Deadline helpers for timeouts in CLINT ticks (10 MHz). */
static inline unsigned long nvsoc_deadline(unsigned long ticks) { return mtime_read() + ticks; }
static inline int nvsoc_expired(unsigned long deadline) { return (long)(mtime_read() - deadline) >= 0; }

/* ---- traps ---- */
struct nvsoc_trap_frame {
    unsigned long x[32];   /* x[0] reads 0; x[2] is sp at the trap */
    unsigned long cause;   /* mcause / scause */
    unsigned long epc;     /* written back to mepc / sepc on return */
    unsigned long tval;    /* mtval / stval */
    unsigned long status;  /* written back to mstatus / sstatus on return */
};
typedef void (*nvsoc_trap_fn)(struct nvsoc_trap_frame *f);
/* Handlers called from the M-mode (mtvec, installed by crt0) and S-mode
 * (nvsoc_strap_entry, install with stvec) trap entries.  NULL = report the
 * trap on the UART and fail with NVSOC_FAIL_TRAP.  A handler may change any
 * saved register, epc and status; they are restored before mret/sret.
 * Floating-point registers are not saved. */
extern volatile nvsoc_trap_fn nvsoc_mtrap_handler;
extern volatile nvsoc_trap_fn nvsoc_strap_handler;
void nvsoc_mtrap_entry(void);
void nvsoc_strap_entry(void);
/* Advances f->epc past the (2- or 4-byte) instruction at f->epc. */
void nvsoc_skip_insn(struct nvsoc_trap_frame *f);
/* Length in bytes of the instruction at pc (2 or 4). */
static inline unsigned long nvsoc_insn_len(unsigned long pc) {
    return ((*(volatile uint16_t *)pc) & 3) == 3 ? 4 : 2;
}

/* Runs fn(arg) in U (mode 0) or S (mode 1) from M-mode through mret and
 * returns its result once fn returns (an ecall with a7 = NVSOC_ECALL_MRETURN
 * brings the hart back; ecalls from U must not be delegated for that).
 * Returns with mstatus.MIE as it was at the call; mstatus.MPP is clobbered. */
long nvsoc_run_in_mode(unsigned mode, long (*fn)(long), long arg);
/* The same from S-mode into U-mode through sret: stvec must be
 * nvsoc_strap_entry and medeleg must delegate ecall from U (bit 8).
 * Uses sscratch. */
long nvsoc_srun_in_umode(long (*fn)(long), long arg);

/* ---- multi-hart helpers ---- */
typedef struct { volatile int v; } nvsoc_lock_t;
void nvsoc_lock(nvsoc_lock_t *l);     /* amoswap.w.aq spin */
void nvsoc_unlock(nvsoc_lock_t *l);   /* amoswap.w.rl */
/* Waits until n harts have called it (reusable); fails with
 * NVSOC_FAIL_TIMEOUT after ~1 s of mtime. */
void nvsoc_barrier(unsigned n);

#endif /* __ASSEMBLER__ */
#endif
