# A bare-metal program linked with nothing but -Ttext=0x80000000 and no
# linker script, as many tutorials build them and as QEMU's -bios runs them.
# Without a script, GNU ld puts the ELF and program headers at the start of
# the first load segment, one page below .text: at 0x7ffff000, outside RAM.
# nvsoc loads what lies in memory and skips those header bytes
# (platforms/image_loader.cpp). The program checks that its .data and .bss
# arrived, prints the pass line and ends through the test finisher.
# Written in assembly so that its section sizes do not depend on the
# compiler: the same file linked at 0x70000000 is the image refused in
# tests/configs/bad/ with its exact addresses.
    .option norvc
    # No linker relaxation: the default script defines __global_pointer$,
    # and relaxed accesses would go through gp, which nothing sets here.
    .option norelax

    .text
    .globl _start
_start:
    csrr    t0, mhartid
    bnez    t0, park
    lla     t1, magic           # .data holds its initial value
    lw      t2, 0(t1)
    li      t3, 0x12345678
    bne     t2, t3, fail
    lla     t1, zeroed          # .bss is zero
    ld      t2, 0(t1)
    bnez    t2, fail
    lla     a0, pass_line
    call    puts
    li      t1, 0x5555          # finisher: pass
    j       finish
fail:
    lla     a0, fail_line
    call    puts
    li      t1, 0x13333         # finisher: fail with code 1
finish:
    li      t0, 0x100000
    sw      t1, 0(t0)
park:
    wfi
    j       park

# puts(a0): the NUL-terminated string to the NS16550A, polling LSR.THRE.
puts:
    li      t0, 0x10000000
1:  lbu     t1, 0(a0)
    beqz    t1, 3f
2:  lbu     t2, 5(t0)
    andi    t2, t2, 0x20
    beqz    t2, 2b
    sb      t1, 0(t0)
    addi    a0, a0, 1
    j       1b
3:  ret

    .section .rodata
pass_line:
    .asciz  "nvsoc-test: ttext PASS\n"
fail_line:
    .asciz  "nvsoc-test: ttext FAIL (code 1)\n"

    .data
    .balign 4
magic:
    .word   0x12345678

    .bss
    .balign 8
zeroed:
    .dword  0
