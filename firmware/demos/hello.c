/* Every hart says hello, one line at a time; hart 0 waits for all of them. */
#include "nvsoc_test.h"

NVSOC_ALL_HARTS

static nvsoc_lock_t console;
static volatile unsigned said_hello;

int main(unsigned long hartid)
{
    nvsoc_lock(&console);
    uart_puts("hello from hart ");
    uart_put_dec((long)hartid);
    uart_putc('\n');
    said_hello++;               /* under the lock */
    nvsoc_unlock(&console);

    if (hartid != 0)
        return 0;               /* parks */
    unsigned long dl = nvsoc_deadline(NVSOC_TIMEBASE_HZ);
    while (said_hello < NVSOC_TEST_HARTS)
        if (nvsoc_expired(dl)) {
            uart_puts("only ");
            uart_put_dec(said_hello);
            uart_puts(" harts said hello\n");
            return NVSOC_FAIL_TIMEOUT;
        }
    return 0;
}
