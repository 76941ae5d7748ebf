# A hart on the native NVLink fabric node (check_fabric_harts.sh): stores,
# loads and AMOs to gpu0's VRAM window (DMI while the slot is in L0), then
# the same with the slot asleep (through the bus: the access wakes it).
# Ends at the finisher: 0x5555 pass, or (step << 16) | 0x3333 for the step
# that failed.
    .option norvc
    .globl _start
_start:
    li      s0, 0x1010000000        # gpu0's VRAM window (fab0 at 0x10_0000_0000)
    li      s1, 0x1000001000        # slot 0's registers
    li      t1, 5
    sw      t1, 0(s0)
    li      t2, 7
    amoadd.w t3, t2, (s0)           # t3 = 5, memory 12
    li      a7, 1
    li      t5, 5
    bne     t3, t5, fail
    li      a7, 2
    lw      t4, 0(s0)
    li      t5, 12
    bne     t4, t5, fail
    li      a7, 3
    lw      t4, 0x2c(s1)            # WAKE_COUNT
    bnez    t4, fail
    li      a0, 3                   # SLOT_CTRL: SLEEP_REQ | AUTO_WAKE
    sw      a0, 4(s1)
    li      a7, 4
    lw      t4, 0(s1)               # SLOT_STATUS: not L0
    andi    t4, t4, 0xf
    beqz    t4, fail
    amoadd.w a1, t2, (s0)           # wakes the slot: a1 = 12, memory 19
    li      a7, 5
    li      t5, 12
    bne     a1, t5, fail
    li      a7, 6
    lw      t4, 0(s0)
    li      t5, 19
    bne     t4, t5, fail
    li      a7, 7
    lw      t4, 0x2c(s1)            # WAKE_COUNT: one wake
    li      t5, 1
    bne     t4, t5, fail
    li      a7, 8
    lw      t4, 0x30(s1)            # ERR_STATUS: WOKE_BY_ACCESS
    andi    t4, t4, 2
    beqz    t4, fail
pass:
    li      t0, 0x100000
    li      t1, 0x5555
    sw      t1, 0(t0)
1:  j       1b
fail:
    li      t0, 0x100000
    slli    a7, a7, 16
    li      t1, 0x3333
    or      t1, t1, a7
    sw      t1, 0(t0)
2:  j       2b
