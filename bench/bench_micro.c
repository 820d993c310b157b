/* Micro-figures: the cost of an empty tick and of each delivered callback, allocations per
 * request, and resident memory growth over 100 000 requests.
 * usage: bench_micro BASE_URL   (run with LD_PRELOAD=alloc_count.so for the allocation count) */
#define _GNU_SOURCE
#include "bench_common.h"

#include <dlfcn.h>
#include <pthread.h>

#include "gamegate.h"
#include "../tests/c/gg_process.h"

static int done;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void on_session(void *user_data, const gg_error *error, const kgen_session *session) {
    (void)user_data;
    (void)session;
    if (error) fprintf(stderr, "bench_micro: %s\n", error->message);
    pthread_mutex_lock(&lock);
    done++;
    pthread_mutex_unlock(&lock);
}

static int done_now(void) {
    pthread_mutex_lock(&lock);
    int n = done;
    pthread_mutex_unlock(&lock);
    return n;
}

static kgen_client *client_for(const char *url, uint32_t dispatch, uint32_t workers) {
    gg_options *o = gg_options_new();
    gg_options_set_base_url(o, url);
    gg_options_set_dispatch(o, dispatch);
    gg_options_set_worker_threads(o, workers);
    kgen_client *c = NULL;
    if (kgen_client_new("bench-client", "bench-secret", o, &c) != GG_OK) exit(1);
    gg_options_free(o);
    return c;
}

static uint64_t finished_requests(void) {
    gg_stats s;
    memset(&s, 0, sizeof s);
    s.struct_size = sizeof s;
    gg_get_stats(&s);
    return s.requests_finished;
}

/* Runs `n` requests with `in_flight` at a time (worker dispatch) and waits for all. */
static void run_requests(kgen_client *c, int n, int in_flight) {
    int target = done_now() + n, submitted = 0;
    while (done_now() < target) {
        while (submitted < n && submitted - (done_now() - (target - n)) < in_flight) {
            kgen_create_session(c, "bench-player", on_session, NULL, NULL);
            submitted++;
        }
        struct timespec ts = {0, 50000};
        nanosleep(&ts, NULL);
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_micro BASE_URL\n");
        return 2;
    }
    const char *url = argv[1];

    /* 1. An empty tick: nothing ready. */
    kgen_client *idle = client_for(url, GG_DISPATCH_TICK, 1);
    const int ticks = 20000000;
    uint64_t t0 = now_ns();
    uint32_t sink = 0;
    for (int i = 0; i < ticks; i++) sink += kgen_client_tick(idle);
    double empty_tick_ns = (double)(now_ns() - t0) / ticks;
    kgen_client_free(idle);

    /* 2. Per delivered callback: let 2000 results queue up, then time the one tick that runs them. */
    kgen_client *ticked = client_for(url, GG_DISPATCH_TICK, 8);
    const int batch = 2000;
    uint64_t finished_before = finished_requests();
    for (int i = 0; i < batch; i++) kgen_create_session(ticked, "bench-player", on_session, NULL, NULL);
    while (finished_requests() - finished_before < (uint64_t)batch) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    t0 = now_ns();
    uint32_t delivered = kgen_client_tick(ticked);
    double per_callback_ns = (double)(now_ns() - t0) / (delivered ? delivered : 1);
    kgen_client_free(ticked);

    /* 3. Allocations per request (counted by the LD_PRELOAD shim, if present). */
    uint64_t *allocations = (uint64_t *)dlsym(RTLD_DEFAULT, "gg_bench_allocations");
    kgen_client *worker = client_for(url, GG_DISPATCH_WORKER, 8);
    run_requests(worker, 2000, 8); /* warm-up: connections, pools, lazy statics */
    double allocations_per_request = -1;
    if (allocations) {
        uint64_t before = __atomic_load_n(allocations, __ATOMIC_RELAXED);
        run_requests(worker, 1000, 1);
        allocations_per_request = (double)(__atomic_load_n(allocations, __ATOMIC_RELAXED) - before) / 1000.0;
    }

    /* 4. Resident memory growth over 100 000 requests, after the warm-up. */
    long rss_before = resident_kib();
    run_requests(worker, 100000, 8);
    long rss_growth = resident_kib() - rss_before;
    kgen_client_free(worker);

    printf("{\"empty_tick_ns\":%.1f,\"per_callback_ns\":%.1f,\"callbacks_in_batch\":%u,\"allocations_per_request\":%.1f,"
           "\"rss_growth_kib_100k\":%ld,\"rss_after_kib\":%ld}\n",
           empty_tick_ns, per_callback_ns, delivered, allocations_per_request, rss_growth, resident_kib());
    return sink == 0 ? 0 : 1;
}
