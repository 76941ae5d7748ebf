# The boot ROM's reset code as a person would write it; the unit test checks
# that BootRom::reset_code() encodes exactly what the assembler produces.
    .option norvc
    .text
    auipc t0, 0
    addi  a2, t0, 0x28
    csrr  a0, mhartid
    ld    a1, 0x20(t0)
    ld    t0, 0x18(t0)
    jr    t0
