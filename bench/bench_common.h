/* Shared by the benchmark programs: a monotonic clock, latency samples and their percentiles,
 * and the one-line JSON each program prints for `cargo xtask bench`. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static inline uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline int compare_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* CPU time (user + system) this process has used, in microseconds. */
static inline double process_cpu_us(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e6 + (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

/* CPU time of this process's threads whose name starts with `prefix` (Linux /proc), in
 * microseconds; -1 where it cannot be read. */
static inline double threads_cpu_us(const char *prefix) {
    DIR *d = opendir("/proc/self/task");
    if (!d) return -1;
    double total = 0;
    long ticks = sysconf(_SC_CLK_TCK);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[300], stat[1024];
        snprintf(path, sizeof path, "/proc/self/task/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        size_t n = fread(stat, 1, sizeof stat - 1, f);
        fclose(f);
        stat[n] = '\0';
        /* pid (comm) state ... utime stime are fields 14 and 15; comm may hold spaces. */
        char *open = strchr(stat, '('), *close = strrchr(stat, ')');
        if (!open || !close || strncmp(open + 1, prefix, strlen(prefix)) != 0) continue;
        unsigned long utime = 0, stime = 0;
        if (sscanf(close + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) == 2)
            total += (double)(utime + stime) * 1e6 / (double)ticks;
    }
    closedir(d);
    return total;
}

/* Prints {"requests":N,"seconds":S,"rps":R,"p50_us":..,"p99_us":..,"failed":F,
 * "cpu_us_per_request":C,"io_cpu_us_per_request":I} (I: the library's I/O thread, -1: none). */
static inline void report(uint64_t *latencies_ns, int n, uint64_t elapsed_ns, int failed, double cpu_us, double io_cpu_us) {
    qsort(latencies_ns, (size_t)n, sizeof *latencies_ns, compare_u64);
    double seconds = (double)elapsed_ns / 1e9;
    printf("{\"requests\":%d,\"seconds\":%.3f,\"rps\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"failed\":%d,"
           "\"cpu_us_per_request\":%.2f,\"io_cpu_us_per_request\":%.2f}\n",
           n, seconds, n / seconds, latencies_ns[n / 2] / 1e3, latencies_ns[(int)(n * 0.99)] / 1e3, failed, cpu_us / n,
           io_cpu_us < 0 ? -1.0 : io_cpu_us / n);
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
