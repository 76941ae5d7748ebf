# A minimal S-mode payload for OpenSBI: prints a line through the SBI debug
# console (legacy putchar, extension 0x01) and powers the platform off with
# the System Reset extension (SRST, "SRST" = 0x53525354, function 0,
# type 0 = shutdown, reason 0 = none). nvsoc ends with status 0 when the
# shutdown reaches the test finisher.
    .option norvc
    .section .text.entry
    .globl _start
_start:
    la      s0, message
1:  lbu     a0, 0(s0)
    beqz    a0, 2f
    li      a7, 0x01            # legacy console putchar
    ecall
    addi    s0, s0, 1
    j       1b
2:  li      a7, 0x53525354      # SRST
    li      a6, 0               # sbi_system_reset
    li      a0, 0               # shutdown
    li      a1, 0               # no reason
    ecall
3:  wfi                         # not reached
    j       3b

    .section .rodata
message:
    .asciz  "nvsoc: S-mode payload running, shutting down through SBI SRST\n"
