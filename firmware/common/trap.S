/* Trap entries (M and S) and privilege-mode switching helpers. */
#include "nvsoc_test.h"

.macro SAVE_GPRS
    addi    sp, sp, -NVSOC_FRAME_SIZE
    sd      x1, 1*8(sp)
    .irp r, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd      x\r, \r*8(sp)
    .endr
    addi    t0, sp, NVSOC_FRAME_SIZE
    sd      t0, 2*8(sp)
    sd      zero, 0(sp)
.endm

.macro RESTORE_GPRS
    ld      x1, 1*8(sp)
    .irp r, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld      x\r, \r*8(sp)
    .endr
    ld      sp, 2*8(sp)
.endm

    .text
/* ---------------- M-mode ---------------- */
    .align  4
    .globl  nvsoc_mtrap_entry
nvsoc_mtrap_entry:
    SAVE_GPRS
    csrr    t0, mcause
    sd      t0, NVSOC_FRAME_CAUSE(sp)
    csrr    t0, mepc
    sd      t0, NVSOC_FRAME_EPC(sp)
    csrr    t0, mtval
    sd      t0, NVSOC_FRAME_TVAL(sp)
    csrr    t0, mstatus
    sd      t0, NVSOC_FRAME_STATUS(sp)
    /* ecall from U (8) or S (9) with a7 = MRETURN ends nvsoc_run_in_mode */
    ld      t0, NVSOC_FRAME_CAUSE(sp)
    addi    t0, t0, -8
    li      t1, 1
    bgtu    t0, t1, 1f
    ld      t0, 17*8(sp)
    li      t1, NVSOC_ECALL_MRETURN
    bne     t0, t1, 1f
    ld      a0, 10*8(sp)
    j       .Lmode_return_m
1:  mv      a0, sp
    call    nvsoc_mtrap_dispatch
    ld      t0, NVSOC_FRAME_EPC(sp)
    csrw    mepc, t0
    ld      t0, NVSOC_FRAME_STATUS(sp)
    csrw    mstatus, t0
    RESTORE_GPRS
    mret

/* long nvsoc_run_in_mode(unsigned mode, long (*fn)(long), long arg) */
    .globl  nvsoc_run_in_mode
nvsoc_run_in_mode:
    addi    sp, sp, -112
    sd      ra, 0(sp)
    sd      s0, 8(sp)
    sd      s1, 16(sp)
    sd      s2, 24(sp)
    sd      s3, 32(sp)
    sd      s4, 40(sp)
    sd      s5, 48(sp)
    sd      s6, 56(sp)
    sd      s7, 64(sp)
    sd      s8, 72(sp)
    sd      s9, 80(sp)
    sd      s10, 88(sp)
    sd      s11, 96(sp)
    csrr    t0, mstatus
    sd      t0, 104(sp)
    csrr    t0, mhartid
    slli    t0, t0, 3
    la      t1, nvsoc_mode_sp
    add     t1, t1, t0
    sd      sp, 0(t1)
    li      t0, MSTATUS_MPP
    csrc    mstatus, t0
    andi    a0, a0, 3
    slli    a0, a0, 11
    csrs    mstatus, a0
    la      t0, .Ltramp_m
    csrw    mepc, t0
    mv      a0, a2
    li      a7, 0                        /* fn's own ecalls must not look like returns */
    mret
.Ltramp_m:                               /* runs in U or S */
    jalr    a1
    li      a7, NVSOC_ECALL_MRETURN
    ecall
1:  j       1b
.Lmode_return_m:                         /* in M, from the trap entry; a0 = result */
    csrr    t0, mhartid
    slli    t0, t0, 3
    la      t1, nvsoc_mode_sp
    add     t1, t1, t0
    ld      sp, 0(t1)
    ld      t0, 104(sp)
    andi    t0, t0, MSTATUS_MIE
    csrs    mstatus, t0
    ld      ra, 0(sp)
    ld      s0, 8(sp)
    ld      s1, 16(sp)
    ld      s2, 24(sp)
    ld      s3, 32(sp)
    ld      s4, 40(sp)
    ld      s5, 48(sp)
    ld      s6, 56(sp)
    ld      s7, 64(sp)
    ld      s8, 72(sp)
    ld      s9, 80(sp)
    ld      s10, 88(sp)
    ld      s11, 96(sp)
    addi    sp, sp, 112
    ret

/* ---------------- S-mode ---------------- */
    .align  4
    .globl  nvsoc_strap_entry
nvsoc_strap_entry:
    SAVE_GPRS
    csrr    t0, scause
    sd      t0, NVSOC_FRAME_CAUSE(sp)
    csrr    t0, sepc
    sd      t0, NVSOC_FRAME_EPC(sp)
    csrr    t0, stval
    sd      t0, NVSOC_FRAME_TVAL(sp)
    csrr    t0, sstatus
    sd      t0, NVSOC_FRAME_STATUS(sp)
    /* ecall from U (8) with a7 = SRETURN ends nvsoc_srun_in_umode */
    ld      t0, NVSOC_FRAME_CAUSE(sp)
    li      t1, 8
    bne     t0, t1, 1f
    ld      t0, 17*8(sp)
    li      t1, NVSOC_ECALL_SRETURN
    bne     t0, t1, 1f
    ld      a0, 10*8(sp)
    j       .Lmode_return_s
1:  mv      a0, sp
    call    nvsoc_strap_dispatch
    ld      t0, NVSOC_FRAME_EPC(sp)
    csrw    sepc, t0
    ld      t0, NVSOC_FRAME_STATUS(sp)
    csrw    sstatus, t0
    RESTORE_GPRS
    sret

/* long nvsoc_srun_in_umode(long (*fn)(long), long arg) -- called in S-mode */
    .globl  nvsoc_srun_in_umode
nvsoc_srun_in_umode:
    addi    sp, sp, -112
    sd      ra, 0(sp)
    sd      s0, 8(sp)
    sd      s1, 16(sp)
    sd      s2, 24(sp)
    sd      s3, 32(sp)
    sd      s4, 40(sp)
    sd      s5, 48(sp)
    sd      s6, 56(sp)
    sd      s7, 64(sp)
    sd      s8, 72(sp)
    sd      s9, 80(sp)
    sd      s10, 88(sp)
    sd      s11, 96(sp)
    csrr    t0, sstatus
    sd      t0, 104(sp)
    csrw    sscratch, sp
    li      t0, MSTATUS_SPP
    csrc    sstatus, t0
    la      t0, .Ltramp_s
    csrw    sepc, t0
    mv      t1, a0
    mv      a0, a1
    mv      a1, t1
    li      a7, 0
    sret
.Ltramp_s:                               /* runs in U */
    jalr    a1
    li      a7, NVSOC_ECALL_SRETURN
    ecall
1:  j       1b
.Lmode_return_s:                         /* in S, from the trap entry; a0 = result */
    csrr    sp, sscratch
    ld      t0, 104(sp)
    andi    t0, t0, MSTATUS_SIE
    csrs    sstatus, t0
    ld      ra, 0(sp)
    ld      s0, 8(sp)
    ld      s1, 16(sp)
    ld      s2, 24(sp)
    ld      s3, 32(sp)
    ld      s4, 40(sp)
    ld      s5, 48(sp)
    ld      s6, 56(sp)
    ld      s7, 64(sp)
    ld      s8, 72(sp)
    ld      s9, 80(sp)
    ld      s10, 88(sp)
    ld      s11, 96(sp)
    addi    sp, sp, 112
    ret

    .bss
    .align  3
nvsoc_mode_sp:
    .zero   8 * NVSOC_MAX_HARTS
