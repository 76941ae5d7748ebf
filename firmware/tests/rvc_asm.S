/* Explicit RVC instructions.  long rvc_asm_test(void *scratch): scratch is
 * 64 bytes, 8-byte aligned; returns 0, or the number of the failing step. */
    .option push
    .option rvc

.macro EXPECT reg, val, step
    li      t6, \step
    li      t5, \val
    bne     \reg, t5, .Lfail
.endm

    .text
    .globl  rvc_asm_test
    .align  2
rvc_asm_test:
    c.addi16sp sp, -64
    c.sdsp  ra, 56(sp)
    c.sdsp  s0, 48(sp)
    c.sdsp  s1, 40(sp)
    c.mv    a5, a0                  /* a5 = scratch */

    /* constants and immediates */
    c.li    a0, -32
    EXPECT  a0, -32, 1
    c.li    a0, 31
    EXPECT  a0, 31, 2
    c.lui   a1, 0x1f
    EXPECT  a1, 0x1f000, 3
    c.lui   a1, 0xfffe0
    EXPECT  a1, 0xfffffffffffe0000, 4
    c.addi  a0, -20
    EXPECT  a0, 11, 5
    li      a0, 0x7fffffff
    c.addiw a0, 1
    EXPECT  a0, 0xffffffff80000000, 6
    li      a0, 0x1ffffffff
    c.addiw a0, 0                   /* sext.w */
    EXPECT  a0, -1, 7
    c.nop

    /* shifts and logic */
    c.li    a0, 1
    c.slli  a0, 63
    EXPECT  a0, 0x8000000000000000, 10
    c.mv    a2, a0
    c.srai  a2, 4
    EXPECT  a2, 0xf800000000000000, 11
    c.srli  a0, 63
    EXPECT  a0, 1, 12
    li      a0, 0x1234
    c.andi  a0, 0x1f
    EXPECT  a0, 0x14, 13
    li      a0, 0x1234
    c.andi  a0, -4
    EXPECT  a0, 0x1234, 14
    li      a0, 0xff00
    li      a1, 0x0ff0
    c.mv    a2, a0
    c.and   a2, a1
    EXPECT  a2, 0x0f00, 15
    c.mv    a2, a0
    c.or    a2, a1
    EXPECT  a2, 0xfff0, 16
    c.mv    a2, a0
    c.xor   a2, a1
    EXPECT  a2, 0xf0f0, 17
    c.mv    a2, a1
    c.sub   a2, a0
    EXPECT  a2, -0xef10, 18
    c.mv    a2, a0
    c.add   a2, a1
    EXPECT  a2, 0x10ef0, 19
    li      a0, 0x7fffffff
    c.li    a1, 1
    c.mv    a2, a0
    c.addw  a2, a1
    EXPECT  a2, 0xffffffff80000000, 20
    li      a0, 0x180000000
    c.mv    a2, a0
    c.subw  a2, a1
    EXPECT  a2, 0x7fffffff, 21
    c.li    s0, 0
    c.li    s1, -1
    c.add   s0, s1
    EXPECT  s0, -1, 22

    /* loads and stores, register-based (x8..x15) */
    li      a0, 0x89abcdef
    c.sw    a0, 0(a5)
    c.lw    a1, 0(a5)
    EXPECT  a1, 0xffffffff89abcdef, 30
    li      a0, 0x0123456789abcdef
    c.sd    a0, 8(a5)
    c.ld    a1, 8(a5)
    EXPECT  a1, 0x0123456789abcdef, 31
    c.lw    a1, 12(a5)
    EXPECT  a1, 0x01234567, 32
    /* stack-pointer based */
    li      a3, 0xfedcba9876543210
    c.sdsp  a3, 0(sp)
    c.ldsp  a4, 0(sp)
    EXPECT  a4, 0xfedcba9876543210, 33
    c.lwsp  a4, 4(sp)
    EXPECT  a4, 0xfffffffffedcba98, 34
    c.swsp  a3, 16(sp)
    c.lwsp  a4, 16(sp)
    EXPECT  a4, 0x76543210, 35
    /* FP loads and stores */
    li      a0, 0x400921fb54442d18   /* pi */
    c.sd    a0, 16(a5)
    c.fld   fa0, 16(a5)
    c.fsd   fa0, 24(a5)
    c.ld    a1, 24(a5)
    EXPECT  a1, 0x400921fb54442d18, 36
    c.fsdsp fa0, 24(sp)
    c.fldsp fa1, 24(sp)
    fmv.x.d a1, fa1
    EXPECT  a1, 0x400921fb54442d18, 37
    /* addi4spn */
    c.addi4spn a2, sp, 16
    addi    a3, sp, 16
    li      t6, 38
    bne     a2, a3, .Lfail

    /* control flow */
    c.li    a0, 0
    c.beqz  a0, 1f
    li      t6, 40
    j       .Lfail
1:  c.bnez  a0, .Lfail_41
    c.li    a0, -1
    c.bnez  a0, 2f
    li      t6, 42
    j       .Lfail
2:  c.beqz  a0, .Lfail_43
    c.j     3f
    li      t6, 44
    j       .Lfail
3:  la      a3, 4f
    c.jalr  a3                      /* ra = address of the next instruction */
.Lafter_jalr:
    la      a4, .Lafter_jalr
    li      t6, 46
    bne     ra, a4, .Lfail          /* ra was checked below; recheck it */
    la      a3, 5f
    c.jr    a3
    li      t6, 47
    j       .Lfail
4:  la      a4, .Lafter_jalr
    li      t6, 45
    bne     ra, a4, .Lfail
    c.jr    ra
5:
    c.li    a0, 0
    j       .Lout
.Lfail_41:
    li      t6, 41
    j       .Lfail
.Lfail_43:
    li      t6, 43
.Lfail:
    mv      a0, t6
.Lout:
    c.ldsp  ra, 56(sp)
    c.ldsp  s0, 48(sp)
    c.ldsp  s1, 40(sp)
    c.addi16sp sp, 64
    c.jr    ra
    .option pop
