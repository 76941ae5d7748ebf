/* Startup for nvsoc bare-metal programs.  The boot ROM enters here on every
 * hart at once, in M-mode, with a0 = hartid and a1 = DTB address. */
#include "nvsoc_test.h"

    .section .text.init, "ax", @progbits
    .globl _start
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    csrr    t0, mhartid
    li      t1, NVSOC_MAX_HARTS
    bgeu    t0, t1, .Lpark              /* no stack for this hart */

    /* Per-hart stack: hart N's stack ends N * NVSOC_STACK_SIZE below the top. */
    la      sp, __stacks_end
    li      t1, NVSOC_STACK_SIZE
    mul     t1, t1, t0
    sub     sp, sp, t1

    /* Default trap handler; no interrupts, no delegation. */
    la      t1, nvsoc_mtrap_entry
    csrw    mtvec, t1
    csrw    mie, zero
    csrw    mideleg, zero
    csrw    medeleg, zero

    /* PMP entry 7 = NAPOT over everything, RWX, so that S/U-mode can reach
     * memory.  Lower entries stay free (and take priority) for tests. */
    li      t1, -1
    csrw    pmpaddr7, t1
    li      t1, 0x1f << 56
    csrw    pmpcfg0, t1

    /* Enable the FPU (mstatus.FS = Initial) and clear fcsr. */
    li      t1, (1 << 13)
    csrs    mstatus, t1
    csrw    fcsr, zero

    bnez    t0, .Lwait_bss
    /* Hart 0 clears .bss, then releases the others. */
    la      t1, __bss_start
    la      t2, __bss_end
1:  bgeu    t1, t2, 2f
    sd      zero, 0(t1)
    addi    t1, t1, 8
    j       1b
2:  fence   rw, rw
    la      t1, nvsoc_bss_ready
    li      t2, 1
    sw      t2, 0(t1)
    j       .Lenter
.Lwait_bss:
    la      t1, nvsoc_bss_ready
3:  lw      t2, 0(t1)
    beqz    t2, 3b
    fence   r, rw
.Lenter:
    mv      a0, t0                      /* hartid; a1 is still the DTB */
    call    nvsoc_start                 /* does not return */
.Lpark:
    wfi
    j       .Lpark

    .section .data
    .align  2
nvsoc_bss_ready:
    .word   0
