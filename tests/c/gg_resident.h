/* This process's resident memory, read by the C suites (memory growth checks) and by the
 * micro-benchmark (bench/bench_micro.c), which share this one reader. */
#ifndef GG_RESIDENT_H
#define GG_RESIDENT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* This process's resident memory in KiB (VmRSS), or -1. */
static inline long resident_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmRSS:", 6) == 0) kib = atol(line + 6);
    }
    if (f) fclose(f);
    return kib;
}

#endif
