// Operation codes the decoder produces (Insn::op). Compressed instructions
// decode to the same operations as their 32-bit equivalents.
//
// The list is an X-macro so that the interpreter's dispatch table (one
// handler address per operation, rv_core.cpp) is generated in exactly the
// enum's order and cannot drift from it.
#pragma once

#include <cstdint>

// X(name) for every operation, in enum order.
// clang-format off
#define NVSOC_RV_OPS(X)                                                               \
    X(Illegal)                                                                        \
    /* RV64I */                                                                       \
    X(Lui) X(Auipc) X(Jal) X(Jalr)                                                    \
    X(Beq) X(Bne) X(Blt) X(Bge) X(Bltu) X(Bgeu)                                       \
    X(Lb) X(Lh) X(Lw) X(Ld) X(Lbu) X(Lhu) X(Lwu)                                      \
    X(Sb) X(Sh) X(Sw) X(Sd)                                                           \
    X(Addi) X(Slti) X(Sltiu) X(Xori) X(Ori) X(Andi) X(Slli) X(Srli) X(Srai)           \
    X(Add) X(Sub) X(Sll) X(Slt) X(Sltu) X(Xor) X(Srl) X(Sra) X(Or) X(And)             \
    X(Addiw) X(Slliw) X(Srliw) X(Sraiw) X(Addw) X(Subw) X(Sllw) X(Srlw) X(Sraw)       \
    X(Fence) X(FenceI)                                                                \
    /* M */                                                                           \
    X(Mul) X(Mulh) X(Mulhsu) X(Mulhu) X(Div) X(Divu) X(Rem) X(Remu)                   \
    X(Mulw) X(Divw) X(Divuw) X(Remw) X(Remuw)                                         \
    /* A (rm holds aq/rl; imm unused) */                                              \
    X(LrW) X(ScW) X(AmoswapW) X(AmoaddW) X(AmoxorW) X(AmoandW) X(AmoorW)              \
    X(AmominW) X(AmomaxW) X(AmominuW) X(AmomaxuW)                                     \
    X(LrD) X(ScD) X(AmoswapD) X(AmoaddD) X(AmoxorD) X(AmoandD) X(AmoorD)              \
    X(AmominD) X(AmomaxD) X(AmominuD) X(AmomaxuD)                                     \
    /* Zicsr (imm = CSR number; rs1 = register or zimm) */                            \
    X(Csrrw) X(Csrrs) X(Csrrc) X(Csrrwi) X(Csrrsi) X(Csrrci)                          \
    /* System */                                                                      \
    X(Ecall) X(Ebreak) X(Mret) X(Sret) X(Wfi) X(SfenceVma)                            \
    /* Zicbom / Zicboz (rs1 = base register) */                                       \
    X(CboInval) X(CboClean) X(CboFlush) X(CboZero)                                    \
    /* F and D: the FP unit decodes the rest itself.                                  \
       FpLoad/FpStore: rd|rs2, rs1, imm, rm = funct3 (2 = W, 3 = D)                   \
       FpOp: OP-FP, raw = the 32-bit instruction (no compressed forms)                \
       FpMadd..FpNmadd: rd, rs1, rs2, rs3, rm, raw */                                 \
    X(FpLoad) X(FpStore) X(FpOp) X(FpMadd) X(FpMsub) X(FpNmsub) X(FpNmadd)            \
    /* Internal to the interpreter, never architectural encodings:                    \
       Nop: an integer operation whose only effect was writing x0;                    \
       JalrNoC: JALR on a hart without C, which checks its target's alignment;        \
       MisalignedJump: a JAL or branch to a target that is not 4-byte aligned on a    \
       hart without C (rs3 = the JAL or branch operation);                            \
       BlockEnd: the sentinel after the last instruction of a decoded block. */       \
    X(Nop) X(JalrNoC) X(MisalignedJump) X(BlockEnd)
// clang-format on

namespace nvsoc::rv {

enum Op : uint16_t {
#define NVSOC_RV_OP_ENUM(name) k##name,
    NVSOC_RV_OPS(NVSOC_RV_OP_ENUM)
#undef NVSOC_RV_OP_ENUM
        kOpCount
};

} // namespace nvsoc::rv
