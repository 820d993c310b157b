/* Many threads at once against one client, cancel storms, free while busy, and 1000
 * create/free cycles, with threads, file descriptors (handles on Windows) and memory back to
 * where they started.
 * Every accepted request must call back exactly once. */
#include "gg_test.h"

#include <pthread.h>

#include "gamegate.h"
#include "gg_emulator.h"

#define CALLERS 8
#define PER_CALLER 100

typedef struct tally {
    pthread_mutex_t lock;
    int calls[CALLERS * PER_CALLER];
    int ok, cancelled, shutdown, other;
} tally;

typedef struct ticket {
    tally *t;
    int index;
} ticket;

static void on_session(void *user_data, const gg_error *error, const kgen_session *s) {
    ticket *k = (ticket *)user_data;
    (void)s;
    pthread_mutex_lock(&k->t->lock);
    k->t->calls[k->index]++;
    int code = error ? error->code : GG_OK;
    if (code == GG_OK) k->t->ok++;
    else if (code == GG_CANCELLED) k->t->cancelled++;
    else if (code == GG_SHUTDOWN) k->t->shutdown++;
    else k->t->other++;
    pthread_mutex_unlock(&k->t->lock);
}

static int total_calls(tally *t) {
    pthread_mutex_lock(&t->lock);
    int n = t->ok + t->cancelled + t->shutdown + t->other;
    pthread_mutex_unlock(&t->lock);
    return n;
}

static void check_each_called_once(tally *t, int accepted) {
    int once = 0;
    for (int i = 0; i < accepted; i++) once += t->calls[i] == 1;
    CHECK_EQ_INT(once, accepted);
    CHECK_EQ_INT(t->ok + t->cancelled + t->shutdown + t->other, accepted);
}

static kgen_client *client(uint32_t dispatch, uint32_t workers) {
    gg_options *o = gg_options_new();
    CHECK_EQ_INT(gg_options_set_base_url(o, emulator_url), GG_OK);
    CHECK_EQ_INT(gg_options_set_dispatch(o, dispatch), GG_OK);
    CHECK_EQ_INT(gg_options_set_worker_threads(o, workers), GG_OK);
    kgen_client *c = NULL;
    CHECK_EQ_INT(kgen_client_new(EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET, o, &c), GG_OK);
    gg_options_free(o);
    return c;
}

typedef struct caller_args {
    kgen_client *c;
    tally *t;
    ticket *tickets;
    uint64_t *ids;
    int first;
} caller_args;

static void *caller(void *p) {
    caller_args *a = (caller_args *)p;
    for (int i = a->first; i < a->first + PER_CALLER; i++) {
        char user[32];
        snprintf(user, sizeof user, "stress-%d", i % 50);
        a->tickets[i].t = a->t;
        a->tickets[i].index = i;
        CHECK_EQ_INT(kgen_create_session(a->c, user, on_session, &a->tickets[i], &a->ids[i]), GG_OK);
    }
    return NULL;
}

static tally t;
static ticket tickets[CALLERS * PER_CALLER];
static uint64_t ids[CALLERS * PER_CALLER];

static void reset_tally(void) {
    memset(&t, 0, sizeof t);
    pthread_mutex_init(&t.lock, NULL);
    memset(ids, 0, sizeof ids);
}

static void run_callers(kgen_client *c, pthread_t *threads, caller_args *args) {
    for (int i = 0; i < CALLERS; i++) {
        args[i] = (caller_args){c, &t, tickets, ids, i * PER_CALLER};
        pthread_create(&threads[i], NULL, caller, &args[i]);
    }
}

static void test_eight_threads_call_while_the_game_thread_ticks(void) {
    reset_tally();
    kgen_client *c = client(GG_DISPATCH_TICK, 8);
    pthread_t threads[CALLERS];
    caller_args args[CALLERS];
    run_callers(c, threads, args);
    /* This thread is the game thread: it ticks while the others call. */
    double deadline = gg_now_seconds() + WAIT_LIMIT_SECONDS;
    while (total_calls(&t) < CALLERS * PER_CALLER && gg_now_seconds() < deadline) {
        kgen_client_tick(c);
        gg_pause();
    }
    for (int i = 0; i < CALLERS; i++) pthread_join(threads[i], NULL);
    for (int i = 0; i < 20; i++) kgen_client_tick(c);
    check_each_called_once(&t, CALLERS * PER_CALLER);
    CHECK_EQ_INT(t.ok, CALLERS * PER_CALLER);
    /* Ids are unique and never 0. */
    int unique = 1;
    for (int i = 0; i < CALLERS * PER_CALLER && unique; i++) {
        if (ids[i] == 0) unique = 0;
        for (int j = i + 1; j < CALLERS * PER_CALLER && unique; j++) unique = ids[i] != ids[j];
    }
    CHECK(unique);
    kgen_client_free(c);
    pthread_mutex_destroy(&t.lock);
}

typedef struct canceller_args {
    kgen_client *c;
    int from, to;
} canceller_args;

static void *canceller(void *p) {
    canceller_args *a = (canceller_args *)p;
    for (int i = a->from; i < a->to; i++) {
        gg_result r = kgen_client_cancel(a->c, ids[i]);
        CHECK(r == GG_OK || r == GG_INVALID_ARGUMENT); /* already delivered: still one callback */
    }
    return NULL;
}

static void test_a_cancel_storm_leaves_exactly_one_callback_each(void) {
    reset_tally();
    kgen_client *c = client(GG_DISPATCH_WORKER, 4);
    pthread_t threads[CALLERS];
    caller_args args[CALLERS];
    run_callers(c, threads, args);
    for (int i = 0; i < CALLERS; i++) pthread_join(threads[i], NULL);
    /* Four threads cancel everything while results are still arriving. */
    pthread_t cancellers[4];
    canceller_args cargs[4];
    for (int i = 0; i < 4; i++) {
        cargs[i] = (canceller_args){c, i * (CALLERS * PER_CALLER / 4), (i + 1) * (CALLERS * PER_CALLER / 4)};
        pthread_create(&cancellers[i], NULL, canceller, &cargs[i]);
    }
    for (int i = 0; i < 4; i++) pthread_join(cancellers[i], NULL);
    double deadline = gg_now_seconds() + WAIT_LIMIT_SECONDS;
    while (total_calls(&t) < CALLERS * PER_CALLER && gg_now_seconds() < deadline) gg_pause();
    kgen_client_free(c);
    check_each_called_once(&t, CALLERS * PER_CALLER);
    CHECK(t.cancelled > 0);
    CHECK_EQ_INT(t.other, 0);
    printf("  cancel storm: %d cancelled, %d completed first\n", t.cancelled, t.ok);
    pthread_mutex_destroy(&t.lock);
}

static void test_free_while_callbacks_are_running(void) {
    reset_tally();
    emulator_control("/_emulator/faults", "{\"latency_ms\": 20, \"path_prefix\": \"/s2s/session\"}");
    kgen_client *c = client(GG_DISPATCH_WORKER, 8);
    pthread_t threads[CALLERS];
    caller_args args[CALLERS];
    run_callers(c, threads, args);
    for (int i = 0; i < CALLERS; i++) pthread_join(threads[i], NULL);
    /* Free once some results have come in, with the rest in flight or queued. */
    double deadline = gg_now_seconds() + WAIT_LIMIT_SECONDS;
    while (total_calls(&t) < 16 && gg_now_seconds() < deadline) gg_pause();
    kgen_client_free(c);
    int at_free = total_calls(&t);
    emulator_control("/_emulator/reset", "{}");
    wait_for_threads_to_end();
    check_each_called_once(&t, CALLERS * PER_CALLER);
    CHECK_EQ_INT(total_calls(&t), at_free); /* nothing after free returned */
    CHECK(t.shutdown > 0);
    printf("  free while busy: %d completed, %d shut down\n", t.ok, t.shutdown);
    pthread_mutex_destroy(&t.lock);
}

/* A library thread is counted as ended just before its OS thread exits: wait for the OS. */
static void wait_for_library_os_threads_to_exit(void) {
    double deadline = gg_now_seconds() + WAIT_LIMIT_SECONDS;
    while (library_os_threads() > 0 && gg_now_seconds() < deadline) gg_pause();
}

static void create_free_cycles(int cycles) {
    for (int i = 0; i < cycles; i++) {
        kgen_client *c = client(i % 2 ? GG_DISPATCH_WORKER : GG_DISPATCH_TICK, 2);
        if (i % 10 == 0) { /* every tenth client also has a request in flight when freed */
            static ticket k;
            static tally scratch;
            memset(&scratch, 0, sizeof scratch);
            pthread_mutex_init(&scratch.lock, NULL);
            k.t = &scratch;
            k.index = 0;
            CHECK_EQ_INT(kgen_create_session(c, "cycle", on_session, &k, NULL), GG_OK);
            kgen_client_free(c);
            wait_for_threads_to_end(); /* the request may still be on the wire */
            CHECK_EQ_INT(scratch.calls[0], 1);
            pthread_mutex_destroy(&scratch.lock);
        } else {
            kgen_client_free(c);
        }
    }
    wait_for_threads_to_end();
}

/* How a figure is checked: back where it was, or at least no higher (under valgrind or a
 * sanitizer, whose runtimes open and close descriptors of their own, a drop is no leak). */
enum { SAME, NO_HIGHER, NOT_CHECKED };

/* A figure before and after, checked when the platform can measure it; said either way. */
static void report_figure(const char *what, long before, long after, int check) {
    if (before < 0 || after < 0) {
        printf("  1000 cycles: %s not measured here\n", what);
        return;
    }
    printf("  1000 cycles: %s %ld -> %ld\n", what, before, after);
    if (check == SAME) CHECK_EQ_INT(after, before);
    if (check == NO_HIGHER) CHECK(after <= before);
}

static void test_a_thousand_create_free_cycles_return_every_resource(void) {
    create_free_cycles(50); /* warm-up: allocator pools, the log sink, lazy statics */
    wait_for_library_os_threads_to_exit();
    int threads_before = process_threads();
    int handles_before = process_handles();
    long rss_before = resident_kib();
    create_free_cycles(1000);
    wait_for_library_os_threads_to_exit();
    int threads_after = process_threads();
    int library_threads = library_os_threads();
    int handles_after = process_handles();
    long rss_after = resident_kib();
    /* Under valgrind or a sanitizer the process's memory and helper threads are theirs to manage. */
    int tool = getenv("GG_UNDER_VALGRIND") || getenv("GG_UNDER_SANITIZER");
    report_figure("threads", threads_before, threads_after, tool ? NOT_CHECKED : SAME);
    report_figure(GG_HANDLES_NAME, handles_before, handles_after, tool ? NO_HIGHER : SAME);
    if (library_threads < 0) {
        printf("  1000 cycles: library threads not measured here\n");
    } else {
        CHECK_EQ_INT(library_threads, 0);
    }
    if (rss_before < 0 || rss_after < 0) {
        printf("  1000 cycles: resident memory not measured here\n");
    } else {
        printf("  1000 cycles: resident memory %+ld KiB\n", rss_after - rss_before);
        if (!tool) CHECK(rss_after - rss_before < 4 * 1024);
    }
    CHECK_EQ_INT(stats_now().live_clients, 0);
}

int main(void) {
    emulator_url = emulator_url_from_env();
    RUN(test_eight_threads_call_while_the_game_thread_ticks);
    RUN(test_a_cancel_storm_leaves_exactly_one_callback_each);
    RUN(test_free_while_callbacks_are_running);
    RUN(test_a_thousand_create_free_cycles_return_every_resource);
    wait_for_threads_to_end();
    return gg_test_summary("c stress");
}
