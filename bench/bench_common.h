/* Shared by the benchmark programs: a monotonic clock, latency samples and their percentiles,
 * and the one-line JSON each program prints for `cargo xtask bench`. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline int compare_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Prints {"requests":N,"seconds":S,"rps":R,"p50_us":..,"p99_us":..,"failed":F}. */
static inline void report(uint64_t *latencies_ns, int n, uint64_t elapsed_ns, int failed) {
    qsort(latencies_ns, (size_t)n, sizeof *latencies_ns, compare_u64);
    double seconds = (double)elapsed_ns / 1e9;
    printf("{\"requests\":%d,\"seconds\":%.3f,\"rps\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"failed\":%d}\n", n, seconds,
           n / seconds, latencies_ns[n / 2] / 1e3, latencies_ns[(int)(n * 0.99)] / 1e3, failed);
}

/* Sleeps until the next multiple of `period_ns` since `start_ns` (a fixed-rate frame loop). */
static inline void wait_for_next_frame(uint64_t start_ns, uint64_t period_ns) {
    uint64_t now = now_ns();
    uint64_t next = start_ns + ((now - start_ns) / period_ns + 1) * period_ns;
    struct timespec ts = {(time_t)((next - now) / 1000000000u), (long)((next - now) % 1000000000u)};
    nanosleep(&ts, NULL);
}

#define KGEN_BODY "{\"user_id\":\"bench-player\"}"

#endif
