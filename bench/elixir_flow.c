/* What an Elixir client costs and how long its flows take, against the emulator:
 *   - library threads per client (tick, worker, tick with background refresh),
 *   - resident memory per client (100 idle tick-mode clients),
 *   - latency of each step of a player's session: OTP request, OTP verify, an authorized call,
 *     a refresh, sign-out (the emulator's code look-up is outside the timed part).
 * usage: elixir_flow BASE_URL [flows]   prints one JSON line */
#define _GNU_SOURCE
#include "bench_common.h"

#include "../tests/c/gg_test.h"

#include "gamegate.h"
#include "../tests/c/gg_emulator.h"
#include "../tests/c/gg_process.h"

#define CLIENTS 100
#define STEPS 5

typedef struct outcome {
    int calls;
    int code;
    char text[256];
} outcome;

static void on_otp(void *user_data, const gg_error *error, const char *transaction_id) {
    outcome *o = (outcome *)user_data;
    o->code = error ? error->code : GG_OK;
    snprintf(o->text, sizeof o->text, "%s", error ? error->message : transaction_id);
    o->calls++;
}

static void on_session(void *user_data, const gg_error *error, const elixir_session *s) {
    (void)s;
    outcome *o = (outcome *)user_data;
    o->code = error ? error->code : GG_OK;
    if (error) snprintf(o->text, sizeof o->text, "%s", error->message);
    o->calls++;
}

static void on_json(void *user_data, const gg_error *error, const char *json) {
    (void)json;
    outcome *o = (outcome *)user_data;
    o->code = error ? error->code : GG_OK;
    if (error) snprintf(o->text, sizeof o->text, "%s", error->message);
    o->calls++;
}

static void on_done(void *user_data, const gg_error *error) {
    outcome *o = (outcome *)user_data;
    o->code = error ? error->code : GG_OK;
    if (error) snprintf(o->text, sizeof o->text, "%s", error->message);
    o->calls++;
}

static elixir_client *new_client(uint32_t dispatch, uint8_t background) {
    gg_options *o = gg_options_new();
    gg_options_set_base_url(o, emulator_url);
    gg_options_set_dispatch(o, dispatch);
    gg_options_set_background_refresh(o, background);
    elixir_client *c = NULL;
    if (elixir_client_new(EMULATOR_API_KEY, o, &c) != GG_OK) {
        fprintf(stderr, "elixir_flow: could not create a client\n");
        exit(1);
    }
    gg_options_free(o);
    return c;
}

/* Library threads one client holds, idle, once its threads have started and named
 * themselves (a bench: a fixed settling time is good enough here). */
static int threads_of_one(uint32_t dispatch, uint8_t background) {
    /* The previous client's threads end on their own after its free. */
    double deadline = gg_now_seconds() + 10;
    while (library_os_threads() > 0 && gg_now_seconds() < deadline) gg_pause();
    int before = library_os_threads();
    elixir_client *c = new_client(dispatch, background);
    struct timespec settle = {0, 300 * 1000000};
    nanosleep(&settle, NULL);
    int held = library_os_threads() - before;
    elixir_client_free(c);
    return held;
}

static void wait_for(elixir_client *c, outcome *o) {
    double deadline = gg_now_seconds() + WAIT_LIMIT_SECONDS;
    while (o->calls == 0 && gg_now_seconds() < deadline) {
        elixir_client_tick(c);
        struct timespec ts = {0, 20000};
        nanosleep(&ts, NULL);
    }
    if (o->calls == 0 || o->code != GG_OK) {
        fprintf(stderr, "elixir_flow: a step failed: %s (%s)\n", gg_result_name(o->code), o->text);
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: elixir_flow BASE_URL [flows]\n");
        return 2;
    }
    emulator_url = argv[1];
    int flows = argc > 2 ? atoi(argv[2]) : 200;
    (void)gg_test_summary; /* the test helpers come with it; this program prints JSON instead */

    int tick_threads = threads_of_one(GG_DISPATCH_TICK, 0);
    int worker_threads = threads_of_one(GG_DISPATCH_WORKER, 0);
    int background_threads = threads_of_one(GG_DISPATCH_TICK, 1);

    static elixir_client *clients[CLIENTS];
    long rss_before = resident_kib();
    for (int i = 0; i < CLIENTS; i++) clients[i] = new_client(GG_DISPATCH_TICK, 0);
    struct timespec settle = {0, 200 * 1000000};
    nanosleep(&settle, NULL);
    long rss_after = resident_kib();
    for (int i = 0; i < CLIENTS; i++) elixir_client_free(clients[i]);

    elixir_client *c = new_client(GG_DISPATCH_TICK, 0);
    uint64_t *samples[STEPS];
    for (int s = 0; s < STEPS; s++) samples[s] = calloc((size_t)flows, sizeof(uint64_t));
    uint64_t started = now_ns();
    for (int i = 0; i < flows; i++) {
        char email[96], path[160], code[16];
        static char reply[4096];
        snprintf(email, sizeof email, "bench-%d-%llu@example.com", i, (unsigned long long)started);
        outcome o;
        uint64_t t;

        memset(&o, 0, sizeof o);
        t = now_ns();
        elixir_otp_request(c, email, on_otp, &o, NULL);
        wait_for(c, &o);
        samples[0][i] = now_ns() - t;
        char transaction[256];
        snprintf(transaction, sizeof transaction, "%s", o.text);

        snprintf(path, sizeof path, "/_emulator/elixir/otp?email=%s", email);
        emulator_call("GET", path, NULL, reply, sizeof reply);
        json_string(reply, "code", code, sizeof code);

        memset(&o, 0, sizeof o);
        t = now_ns();
        elixir_otp_verify(c, transaction, code, on_session, &o, NULL);
        wait_for(c, &o);
        samples[1][i] = now_ns() - t;

        memset(&o, 0, sizeof o);
        t = now_ns();
        elixir_request(c, "GET", "/sdk/v2/userinfo", NULL, on_json, &o, NULL);
        wait_for(c, &o);
        samples[2][i] = now_ns() - t;

        memset(&o, 0, sizeof o);
        t = now_ns();
        elixir_session_refresh(c, on_session, &o, NULL);
        wait_for(c, &o);
        samples[3][i] = now_ns() - t;

        memset(&o, 0, sizeof o);
        t = now_ns();
        elixir_sign_out(c, on_done, &o, NULL);
        wait_for(c, &o);
        samples[4][i] = now_ns() - t;
    }
    elixir_client_free(c);

    static const char *names[STEPS] = {"otp_request", "otp_verify", "request", "refresh", "sign_out"};
    printf("{\"threads_tick\":%d,\"threads_worker\":%d,\"threads_background\":%d,\"kib_per_client\":%.1f", tick_threads,
           worker_threads, background_threads, (double)(rss_after - rss_before) / CLIENTS);
    for (int s = 0; s < STEPS; s++) {
        qsort(samples[s], (size_t)flows, sizeof(uint64_t), compare_u64);
        printf(",\"%s_p50_us\":%.1f,\"%s_p99_us\":%.1f", names[s], samples[s][flows / 2] / 1e3, names[s],
               samples[s][(int)(flows * 0.99)] / 1e3);
        free(samples[s]);
    }
    printf(",\"flows\":%d}\n", flows);
    return 0;
}
