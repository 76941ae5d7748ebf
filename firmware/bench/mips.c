/* A CPU-bound workload for the MIPS benchmark: integer arithmetic, a 32 KiB
 * working set of loads and stores, branches, and double-precision FP, in a
 * fixed number of iterations so every run executes the same instructions.
 * Hart 0 works; the others park. Prints a checksum and passes. */
#include "nvsoc_test.h"

#ifndef ITERATIONS /* overridable for instruction-count profiling */
#define ITERATIONS 30000
#endif
#define WORDS 4096

static unsigned long table[WORDS];

int main(unsigned long hartid)
{
    (void)hartid;
    unsigned long acc = 0x9e3779b97f4a7c15UL;
    double x = 1.0, y = 0.5;
    for (unsigned i = 0; i < WORDS; i++)
        table[i] = i * 2654435761UL;
    for (unsigned it = 0; it < ITERATIONS; it++) {
        for (unsigned i = 0; i < 256; i++) {
            unsigned idx = (unsigned)(acc >> 7) & (WORDS - 1);
            unsigned long v = table[idx];
            acc = (acc ^ v) * 6364136223846793005UL + i;
            table[(idx + i) & (WORDS - 1)] = acc >> 11;
            if (acc & 1)
                acc += v >> 3;
            if ((i & 7) == 0) {
                x = x * 1.000001 + y;
                y = y * 0.999999 + (double)(acc & 1023) * 1e-6;
            }
        }
    }
    uart_puts("mips checksum ");
    uart_put_hex(acc ^ (unsigned long)(x * 1000.0) ^ (unsigned long)(y * 1000.0));
    uart_putc('\n');
    return 0;
}
