/* Compressed instructions: explicit c.* forms (rvc_asm.S), and ordinary C
 * compiled for rv64gc, which the compiler fills with RVC encodings. */
#include "nvsoc_test.h"

long rvc_asm_test(void *scratch);

static __attribute__((noinline)) uint32_t crc32(const uint8_t *p, unsigned long n)
{
    uint32_t crc = 0xffffffff;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
    }
    return ~crc;
}

static __attribute__((noinline)) unsigned long fib(unsigned n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static __attribute__((noinline)) void sort(long *a, int n)
{
    for (int i = 1; i < n; i++) {
        long v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

/* Counts 16-bit instructions among the first `bytes` bytes of a function. */
static unsigned count_compressed(const void *fn, unsigned bytes)
{
    const uint16_t *p = fn;
    unsigned n = 0;
    for (unsigned off = 0; off < bytes / 2;) {
        if ((p[off] & 3) != 3) {
            n++;
            off += 1;
        } else {
            off += 2;
        }
    }
    return n;
}

int main(unsigned long hartid)
{
    (void)hartid;
    uart_puts("rvc: explicit c.* instructions and compiled rv64gc code\n");

    static uint64_t scratch[8];
    long step = rvc_asm_test(scratch);
    if (step != 0) {
        uart_puts("rvc_asm_test failed at step ");
        uart_put_dec(step);
        uart_putc('\n');
    }
    CHECK_EQ(step, 0);

    static const char check[] = "123456789";
    static volatile const uint8_t *volatile msg = (const uint8_t *)check;
    CHECK_EQ(crc32((const uint8_t *)msg, 9), 0xcbf43926);
    static volatile unsigned n = 25;
    CHECK_EQ(fib(n), 75025);
    static long arr[] = {5, -3, 9, 0, -3, 1000000000000, -7, 2};
    sort(arr, 8);
    static const long want[] = {-7, -3, -3, 0, 2, 5, 9, 1000000000000};
    for (int i = 0; i < 8; i++)
        CHECK_EQ(arr[i], want[i]);
    CHECK(count_compressed((const void *)crc32, 32) > 0);
    CHECK(count_compressed((const void *)sort, 32) > 0);
    return 0;
}
