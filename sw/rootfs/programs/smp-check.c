// smp-check: a self-checking SMP stress test for the guest.
//
// Starts one thread per online CPU, pins each to its CPU, and has them all
// update shared counters at the same time through the three mechanisms a
// RISC-V SMP system relies on:
//   - AMOs (amoadd.d and amoadd.w through __atomic_fetch_add),
//   - an LR/SC compare-and-swap loop (hand-written lr.d/sc.d, so the test
//     does not depend on what the compiler picks),
//   - a pthread mutex (futexes, so the kernel's wait/wake path too).
// Between updates every thread does double-precision work whose result is
// known, so FP state that is lost or mixed up across interrupts and context
// switches shows up. At the end every counter must equal threads x
// iterations and every FP result must match bit for bit.
//
//   smp-check [ITERATIONS]     (default 20000)
// Exit status 0 when everything matches, 1 on any mismatch (each printed).
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef __riscv
#error "smp-check is a RISC-V program (it uses lr.d/sc.d)"
#endif

static long iterations = 20000;

// The shared state, each on its own cache line so the tests do not
// interfere through false sharing more than they must.
struct shared {
    _Alignas(64) uint64_t amo64;
    _Alignas(64) uint32_t amo32;
    _Alignas(64) uint64_t cas;
    _Alignas(64) uint64_t locked;
    _Alignas(64) pthread_mutex_t lock;
};
static struct shared s = {.lock = PTHREAD_MUTEX_INITIALIZER};
static pthread_barrier_t start;

struct worker {
    pthread_t thread;
    int cpu;             // the CPU this thread is pinned to
    int cpu_seen_start;  // sched_getcpu() after pinning
    int cpu_seen_end;    // sched_getcpu() at the end
    int pin_error;       // errno of sched_setaffinity, 0 if it worked
    uint64_t cas_retries;
    double fp_sum;       // the series, must equal the reference bit for bit
    double fp_exact;     // a sum that doubles represent exactly
};

// Compare-and-swap with lr.d/sc.d: if *p == expected, store desired.
// Returns the value seen; the swap happened iff it equals expected.
static inline uint64_t lrsc_cas(uint64_t *p, uint64_t expected, uint64_t desired)
{
    uint64_t seen, fail;
    __asm__ volatile(
        "1: lr.d.aqrl %0, (%2)\n"
        "   bne %0, %3, 2f\n"
        "   sc.d.rl %1, %4, (%2)\n"
        "   bnez %1, 1b\n"
        "2:\n"
        : "=&r"(seen), "=&r"(fail)
        : "r"(p), "r"(expected), "r"(desired)
        : "memory");
    return seen;
}

// One step of the FP work. noinline: the reference (computed by the main
// thread before the workers start) and the workers run the very same
// instructions, so their results must agree bit for bit whatever the
// compiler does with contraction or ordering.
__attribute__((noinline)) static double fp_step(double sum, long i)
{
    double k = (double)(i + 1);
    return sum + 1.0 / (k * k);
}

static void *work(void *arg)
{
    struct worker *w = arg;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(w->cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        w->pin_error = errno;
    w->cpu_seen_start = sched_getcpu();

    pthread_barrier_wait(&start);
    double sum = 0.0, exact = 0.0;
    for (long i = 0; i < iterations; i++) {
        __atomic_fetch_add(&s.amo64, 1, __ATOMIC_RELAXED);
        __atomic_fetch_add(&s.amo32, 1, __ATOMIC_RELAXED);

        uint64_t old = __atomic_load_n(&s.cas, __ATOMIC_RELAXED);
        for (;;) {
            uint64_t seen = lrsc_cas(&s.cas, old, old + 1);
            if (seen == old)
                break;
            old = seen;
            w->cas_retries++;
        }

        pthread_mutex_lock(&s.lock);
        s.locked++;
        pthread_mutex_unlock(&s.lock);

        sum = fp_step(sum, i);
        exact += (double)(i + 1);
    }
    w->fp_sum = sum;
    w->fp_exact = exact;
    w->cpu_seen_end = sched_getcpu();
    return NULL;
}

static int failures;

static void check(int ok, const char *what, const char *detail)
{
    printf("smp-check: %s: %s%s%s\n", ok ? "ok" : "FAIL", what,
           detail[0] ? ": " : "", detail);
    if (!ok)
        failures++;
}

int main(int argc, char **argv)
{
    if (argc > 2 || (argc == 2 && (iterations = strtol(argv[1], NULL, 0)) <= 0)) {
        fprintf(stderr, "usage: smp-check [ITERATIONS > 0]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    // The CPUs this process may run on: one worker for each.
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) {
        perror("smp-check: sched_getaffinity");
        return 1;
    }
    int nthreads = CPU_COUNT(&allowed);
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    struct worker *workers = calloc((size_t)nthreads, sizeof *workers);
    if (!workers) {
        perror("smp-check: calloc");
        return 1;
    }
    char detail[256];
    snprintf(detail, sizeof detail, "%d usable, %ld online", nthreads, online);
    check(nthreads == online, "one thread per online CPU", detail);

    // Reference FP results, computed before any worker runs.
    double ref_sum = 0.0;
    for (long i = 0; i < iterations; i++)
        ref_sum = fp_step(ref_sum, i);
    double n = (double)iterations;
    double exact_want = n * (n + 1) / 2;  // exact below 2^53

    pthread_barrier_init(&start, NULL, (unsigned)nthreads);
    for (int cpu = 0, t = 0; t < nthreads; cpu++) {
        if (!CPU_ISSET(cpu, &allowed))
            continue;
        workers[t].cpu = cpu;
        int err = pthread_create(&workers[t].thread, NULL, work, &workers[t]);
        if (err) {
            fprintf(stderr, "smp-check: pthread_create: %s\n", strerror(err));
            return 1;
        }
        t++;
    }
    uint64_t retries = 0;
    for (int t = 0; t < nthreads; t++) {
        pthread_join(workers[t].thread, NULL);
        retries += workers[t].cas_retries;
    }

    uint64_t want = (uint64_t)nthreads * (uint64_t)iterations;
    printf("smp-check: %d threads x %ld iterations\n", nthreads, iterations);
    for (int t = 0; t < nthreads; t++) {
        struct worker *w = &workers[t];
        snprintf(detail, sizeof detail, "wanted %d, ran on %d then %d%s%s", w->cpu,
                 w->cpu_seen_start, w->cpu_seen_end, w->pin_error ? ", " : "",
                 w->pin_error ? strerror(w->pin_error) : "");
        char what[64];
        snprintf(what, sizeof what, "thread %d pinned", t);
        check(!w->pin_error && w->cpu_seen_start == w->cpu && w->cpu_seen_end == w->cpu,
              what, detail);
    }
    snprintf(detail, sizeof detail, "%llu, want %llu", (unsigned long long)s.amo64,
             (unsigned long long)want);
    check(s.amo64 == want, "amoadd.d counter", detail);
    snprintf(detail, sizeof detail, "%u, want %u", s.amo32, (uint32_t)want);
    check(s.amo32 == (uint32_t)want, "amoadd.w counter", detail);
    snprintf(detail, sizeof detail, "%llu, want %llu (%llu retries)",
             (unsigned long long)s.cas, (unsigned long long)want,
             (unsigned long long)retries);
    check(s.cas == want, "lr/sc compare-and-swap counter", detail);
    snprintf(detail, sizeof detail, "%llu, want %llu", (unsigned long long)s.locked,
             (unsigned long long)want);
    check(s.locked == want, "mutex-protected counter", detail);

    // FP: the workers against the reference, the reference against the
    // series' known value (sum 1/k^2 = pi^2/6 - 1/n + 1/(2n^2) - ...), an
    // exactly representable sum, and a fused multiply-add whose result
    // differs from a separate multiply and add.
    int fp_same = 1, exact_same = 1;
    for (int t = 0; t < nthreads; t++) {
        fp_same &= memcmp(&workers[t].fp_sum, &ref_sum, sizeof ref_sum) == 0;
        exact_same &= workers[t].fp_exact == exact_want;
    }
    double series = M_PI * M_PI / 6 - 1 / n + 1 / (2 * n * n);
    snprintf(detail, sizeof detail, "%.17g, series says %.17g", ref_sum, series);
    check(fp_same && fabs(ref_sum - series) < 1e-12, "fp sum of 1/k^2 identical on every thread",
          detail);
    snprintf(detail, sizeof detail, "want %.17g", exact_want);
    check(exact_same, "fp exact sum of 1..n on every thread", detail);
    volatile double a = 0.1, b = 10.0, c = -1.0;  // volatile: computed at run time
    double fused = fma(a, b, c), root = sqrt(a * 20.0);
    snprintf(detail, sizeof detail, "fma(0.1,10,-1) = %.17g, sqrt(2)^2 - 2 = %.3g", fused,
             root * root - 2.0);
    check(fused == 0x1p-54 && fabs(root * root - 2.0) <= 0x1p-51, "fmadd.d and fsqrt.d", detail);

    printf("smp-check: %s\n", failures ? "FAIL" : "PASS");
    free(workers);
    return failures ? 1 : 0;
}
