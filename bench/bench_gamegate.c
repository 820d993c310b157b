/* GameGate side of the benchmark: N kgen_create_session calls with C in flight at all times.
 * usage: bench_gamegate worker|tick CONCURRENCY N BASE_URL [CA_PEM_FILE]
 * worker: callbacks on the client's callback thread, which submits the next request.
 * GG_BENCH_METRICS=1: with a metrics callback (it only counts), to measure what metrics cost.
 * tick:   a 1 kHz frame loop on this thread ticks the client; callbacks submit the next. */
#include "bench_common.h"

#include <pthread.h>

#include "gamegate.h"

static kgen_client *client;
static uint64_t *started, *latency;
static int total, submitted, completed, failed;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t all_done = PTHREAD_COND_INITIALIZER;

static void submit_next(void);

static uint64_t metrics_seen;
static void on_metrics(void *user_data, const gg_request_metrics *metrics) {
    (void)user_data;
    metrics_seen += metrics->attempts; /* dispatch context: one thread at a time */
}

static void on_session(void *user_data, const gg_error *error, const kgen_session *session) {
    int index = (int)(intptr_t)user_data;
    (void)session;
    latency[index] = now_ns() - started[index];
    if (error && failed++ < 3) fprintf(stderr, "bench: %s: %s\n", gg_result_name(error->code), error->message);
    submit_next();
    pthread_mutex_lock(&lock);
    if (++completed == total) pthread_cond_signal(&all_done);
    pthread_mutex_unlock(&lock);
}

static void submit_next(void) {
    pthread_mutex_lock(&lock);
    int index = submitted < total ? submitted++ : -1;
    pthread_mutex_unlock(&lock);
    if (index < 0) return;
    started[index] = now_ns();
    if (kgen_create_session(client, "bench-player", on_session, (void *)(intptr_t)index, NULL) != GG_OK) {
        fprintf(stderr, "bench: refused\n");
        exit(1);
    }
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: bench_gamegate worker|tick CONCURRENCY N BASE_URL [CA_PEM_FILE]\n");
        return 2;
    }
    int worker = strcmp(argv[1], "worker") == 0;
    int concurrency = atoi(argv[2]);
    total = atoi(argv[3]);
    gg_options *o = gg_options_new();
    int rc = gg_options_set_base_url(o, argv[4]);
    if (rc == GG_OK) rc = gg_options_set_dispatch(o, worker ? GG_DISPATCH_WORKER : GG_DISPATCH_TICK);
    /* Requests in flight at once (connections), unless GG_BENCH_WORKERS caps them. */
    int workers = getenv("GG_BENCH_WORKERS") ? atoi(getenv("GG_BENCH_WORKERS")) : concurrency;
    if (workers > concurrency) workers = concurrency;
    if (rc == GG_OK) rc = gg_options_set_worker_threads(o, (uint32_t)workers);
    if (rc == GG_OK && argc > 5) rc = gg_options_add_root_certificates_pem(o, read_file(argv[5]));
    int measured = getenv("GG_BENCH_METRICS") && atoi(getenv("GG_BENCH_METRICS")) == 1;
    if (rc == GG_OK && measured) rc = gg_options_set_metrics_callback(o, on_metrics, NULL);
    if (rc == GG_OK) rc = kgen_client_new("bench-client", "bench-secret", o, &client);
    gg_options_free(o);
    if (rc != GG_OK) {
        fprintf(stderr, "bench: setup failed: %s\n", gg_result_name(rc));
        return 1;
    }
    started = calloc((size_t)total, sizeof *started);
    latency = calloc((size_t)total, sizeof *latency);

    double cpu_before = process_cpu_us(), io_before = threads_cpu_us("gamegate-kgen-i");
    uint64_t start = now_ns();
    for (int i = 0; i < concurrency; i++) submit_next();
    if (worker) {
        pthread_mutex_lock(&lock);
        while (completed < total) pthread_cond_wait(&all_done, &lock);
        pthread_mutex_unlock(&lock);
    } else {
        while (completed < total) {
            kgen_client_tick(client);
            wait_for_next_frame(start, 1000000);
        }
    }
    uint64_t elapsed = now_ns() - start;
    /* Read before the free: the I/O thread ends with its client. */
    double cpu = process_cpu_us() - cpu_before, io = threads_cpu_us("gamegate-kgen-i") - io_before;
    kgen_client_free(client);
    if (measured && metrics_seen < (uint64_t)total) {
        fprintf(stderr, "bench: %llu metrics for %d requests\n", (unsigned long long)metrics_seen, total);
        return 1;
    }
    report(latency, total, elapsed, failed, cpu, io);
    return failed ? 1 : 0;
}
