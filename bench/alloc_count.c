/* LD_PRELOAD shim for the allocation figure: counts malloc/calloc/realloc calls process-wide.
 * bench_micro reads the counter through dlsym("gg_bench_allocations"). */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

uint64_t gg_bench_allocations;

void *malloc(size_t n) {
    __atomic_fetch_add(&gg_bench_allocations, 1, __ATOMIC_RELAXED);
    return __libc_malloc(n);
}

void *calloc(size_t count, size_t n) {
    __atomic_fetch_add(&gg_bench_allocations, 1, __ATOMIC_RELAXED);
    return __libc_calloc(count, n);
}

void *realloc(void *p, size_t n) {
    __atomic_fetch_add(&gg_bench_allocations, 1, __ATOMIC_RELAXED);
    return __libc_realloc(p, n);
}
