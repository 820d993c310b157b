/* Elixir's server-side signed calls through the C ABI, against the emulator at
 * $GAMEGATE_EMULATOR_URL, which verifies each signature with its test key. */
#include "gg_test.h"

#include <pthread.h>

#include "gamegate.h"
#include "gg_emulator.h"

#define KEY_CAP 4096

typedef struct reply {
    int calls;
    int code;
    int http_status;
    char api_code[64];
    char message[256];
    char json[2048];
} reply;

static void on_json(void *user_data, const gg_error *error, const char *json) {
    reply *r = (reply *)user_data;
    r->calls++;
    if (error) {
        CHECK(json == NULL);
        r->code = error->code;
        r->http_status = error->http_status;
        snprintf(r->api_code, sizeof r->api_code, "%s", error->api_code);
        snprintf(r->message, sizeof r->message, "%s", error->message);
        return;
    }
    r->code = GG_OK;
    snprintf(r->json, sizeof r->json, "%s", json);
}

static elixir_server *server_dispatching(const char *which, uint32_t dispatch) {
    static char pem[KEY_CAP];
    emulator_server_key(which, pem, sizeof pem);
    gg_options *o = gg_options_new();
    CHECK_EQ_INT(gg_options_set_base_url(o, emulator_url), GG_OK);
    CHECK_EQ_INT(gg_options_set_dispatch(o, dispatch), GG_OK);
    elixir_server *s = NULL;
    CHECK_EQ_INT(elixir_server_new(EMULATOR_API_KEY, pem, o, &s), GG_OK);
    gg_options_free(o);
    CHECK(s != NULL);
    return s;
}

static elixir_server *server_with(const char *which) {
    return server_dispatching(which, GG_DISPATCH_TICK);
}

static void tick_until(elixir_server *s, const int *counter, int want) {
    TICK_UNTIL(elixir_server_tick, s, counter, want);
}

static void submit(elixir_server *s, const char *body, reply *r) {
    memset(r, 0, sizeof *r);
    CHECK_EQ_INT(elixir_server_request(s, "POST", "/sdk/v2/game-stats", body, on_json, r, NULL), GG_OK);
    tick_until(s, &r->calls, 1);
    CHECK_EQ_INT(r->calls, 1);
}

/* ---- tests --------------------------------------------------------------------------------- */

static void test_a_signed_score_is_accepted_as_sent(void) {
    elixir_server *s = server_with("");
    long long before = emulator_counter("signed_calls");
    reply r;
    /* Whitespace between tokens goes; the signature covers exactly the compact body sent. */
    submit(s, "{ \"tournamentId\": \"t-1\",\n  \"score\": 4200, \"player\": \"Zoë \\\"Z\\\"\" }", &r);
    CHECK_EQ_INT(r.code, GG_OK);
    if (r.code != GG_OK) fprintf(stderr, "  %s %s\n", r.api_code, r.message);
    CHECK(strstr(r.json, "\"accepted\":true") != NULL);
    CHECK(strstr(r.json, "\"score\":4200") != NULL);
    CHECK(strstr(r.json, "Zoë \\\"Z\\\"") != NULL);
    CHECK_EQ_INT(emulator_counter("signed_calls") - before, 1);
    /* A GET carries no body: "{}" is signed for it. */
    memset(&r, 0, sizeof r);
    CHECK_EQ_INT(elixir_server_request(s, "GET", "/sdk/v2/game-stats", NULL, on_json, &r, NULL), GG_OK);
    tick_until(s, &r.calls, 1);
    CHECK_EQ_INT(r.code, GG_OK);
    CHECK(strstr(r.json, "\"count\":") != NULL);
    elixir_server_free(s);
}

static void test_a_key_the_service_does_not_know_is_refused(void) {
    elixir_server *s = server_with("other");
    reply r;
    submit(s, "{\"score\":1}", &r);
    CHECK_EQ_INT(r.code, GG_API_ERROR);
    CHECK_EQ_INT(r.http_status, 400);
    CHECK_STR(r.api_code, "INVALID_SIGNATURE");
    elixir_server_free(s);
}

static void test_a_clock_ten_minutes_off_is_refused(void) {
    elixir_server *s = server_with("");
    emulator_control("/_emulator/config", "{\"clock_skew_ms\": 600000}");
    reply r;
    submit(s, "{\"score\":2}", &r);
    emulator_control("/_emulator/config", "{\"clock_skew_ms\": 0}");
    CHECK_EQ_INT(r.code, GG_API_ERROR);
    CHECK_STR(r.api_code, "INVALID_TIMESTAMP");
    /* Back in step, the same server is accepted: every request is signed when it is sent. */
    submit(s, "{\"score\":2}", &r);
    CHECK_EQ_INT(r.code, GG_OK);
    elixir_server_free(s);
}

static void test_keys_and_arguments_that_cannot_work_are_refused_at_once(void) {
    static char pem[KEY_CAP];
    emulator_server_key("", pem, sizeof pem);
    elixir_server *s = (elixir_server *)&s; /* must be set to NULL on failure */
    CHECK_EQ_INT(elixir_server_new(EMULATOR_API_KEY, NULL, NULL, &s), GG_NULL_PARAM);
    CHECK(s == NULL);
    CHECK_EQ_INT(elixir_server_new(NULL, pem, NULL, &s), GG_NULL_PARAM);
    CHECK_EQ_INT(elixir_server_new(EMULATOR_API_KEY, pem, NULL, NULL), GG_NULL_PARAM);
    const char *public_key = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n";
    const char *bad[] = {"", "not a key", public_key, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "\xff\xfe"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        gg_result code = elixir_server_new(EMULATOR_API_KEY, bad[i], NULL, &s);
        CHECK_EQ_INT(code, GG_INVALID_ARGUMENT);
        CHECK(s == NULL);
    }
    CHECK_EQ_INT(elixir_server_new("", pem, NULL, &s), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(elixir_server_new("key\r\nx-evil: 1", pem, NULL, &s), GG_INVALID_ARGUMENT);
    s = server_with("");
    reply r;
    memset(&r, 0, sizeof r);
    CHECK_EQ_INT(elixir_server_request(s, "POST", "/sdk/v2/game-stats", "{not json", on_json, &r, NULL), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(elixir_server_request(s, "BREW", "/sdk/v2/game-stats", NULL, on_json, &r, NULL), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(elixir_server_request(s, "POST", "no-slash", NULL, on_json, &r, NULL), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(elixir_server_request(s, "POST", "/sdk/v2/game-stats", NULL, NULL, &r, NULL), GG_NULL_PARAM);
    CHECK_EQ_INT(elixir_server_request(NULL, "POST", "/sdk/v2/game-stats", NULL, on_json, &r, NULL), GG_NULL_PARAM);
    CHECK_EQ_INT(elixir_server_cancel(s, 12345), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(elixir_server_tick(NULL), 0);
    elixir_server_free(NULL);
    elixir_server_free(s);
    CHECK_EQ_INT(r.calls, 0);
}

/* Worker dispatch: the envelope is read on the callback thread, and the game gets the same
 * data, or the same API error, as in tick mode. */
typedef struct worker_reply {
    reply r;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
} worker_reply;

static void on_worker_json(void *user_data, const gg_error *error, const char *json) {
    worker_reply *w = (worker_reply *)user_data;
    pthread_mutex_lock(&w->lock);
    on_json(&w->r, error, json);
    w->thread = pthread_self();
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

static void worker_submit(elixir_server *s, const char *body, worker_reply *w) {
    memset(&w->r, 0, sizeof w->r);
    CHECK_EQ_INT(elixir_server_request(s, "POST", "/sdk/v2/game-stats", body, on_worker_json, w, NULL), GG_OK);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)WAIT_LIMIT_SECONDS;
    pthread_mutex_lock(&w->lock);
    while (w->r.calls == 0 && pthread_cond_timedwait(&w->cond, &w->lock, &until) == 0) {
    }
    pthread_mutex_unlock(&w->lock);
    CHECK_EQ_INT(w->r.calls, 1);
    CHECK(!pthread_equal(w->thread, pthread_self()));
}

static void test_worker_dispatch_reads_the_envelope_on_its_callback_thread(void) {
    static worker_reply w;
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.cond, NULL);
    elixir_server *s = server_dispatching("", GG_DISPATCH_WORKER);
    worker_submit(s, "{\"tournamentId\": \"t-worker\", \"score\": 77}", &w);
    CHECK_EQ_INT(w.r.code, GG_OK);
    CHECK(strstr(w.r.json, "\"accepted\":true") != NULL && strstr(w.r.json, "\"score\":77") != NULL);
    elixir_server_free(s);
    s = server_dispatching("other", GG_DISPATCH_WORKER); /* a key the service does not know */
    worker_submit(s, "{\"score\":1}", &w);
    CHECK_EQ_INT(w.r.code, GG_API_ERROR);
    CHECK_STR(w.r.api_code, "INVALID_SIGNATURE");
    elixir_server_free(s);
    pthread_mutex_destroy(&w.lock);
    pthread_cond_destroy(&w.cond);
}

static void test_cancel_and_free_answer_each_request_once(void) {
    emulator_control("/_emulator/faults", "{\"latency_ms\": 2000, \"path_prefix\": \"/sdk/v2/game-stats\"}");
    elixir_server *s = server_with("");
    reply cancelled, pending[4];
    memset(&cancelled, 0, sizeof cancelled);
    memset(pending, 0, sizeof pending);
    uint64_t id = 0;
    CHECK_EQ_INT(elixir_server_request(s, "POST", "/sdk/v2/game-stats", "{\"score\":3}", on_json, &cancelled, &id), GG_OK);
    CHECK(id != 0);
    for (int i = 0; i < 4; i++) CHECK_EQ_INT(elixir_server_request(s, "POST", "/sdk/v2/game-stats", "{}", on_json, &pending[i], NULL), GG_OK);
    CHECK_EQ_INT(elixir_server_cancel(s, id), GG_OK);
    tick_until(s, &cancelled.calls, 1);
    CHECK_EQ_INT(cancelled.code, GG_CANCELLED);
    elixir_server_free(s);
    for (int i = 0; i < 4; i++) {
        CHECK_EQ_INT(pending[i].calls, 1);
        CHECK_EQ_INT(pending[i].code, GG_SHUTDOWN);
    }
    CHECK_EQ_INT(cancelled.calls, 1);
    emulator_control("/_emulator/reset", "{}");
    /* The requests freed on the wire are still held by the emulator's latency: let them land
     * before anything counts signed calls again (the next run of this suite). */
    double deadline = gg_now_seconds() + WAIT_LIMIT_SECONDS;
    while (emulator_counter("signed_in_flight") != 0 && gg_now_seconds() < deadline) gg_pause();
    CHECK_EQ_INT(emulator_counter("signed_in_flight"), 0);
}

int main(void) {
    emulator_url = emulator_url_from_env();
    RUN(test_a_signed_score_is_accepted_as_sent);
    RUN(test_a_key_the_service_does_not_know_is_refused);
    RUN(test_a_clock_ten_minutes_off_is_refused);
    RUN(test_keys_and_arguments_that_cannot_work_are_refused_at_once);
    RUN(test_cancel_and_free_answer_each_request_once);
    RUN(test_worker_dispatch_reads_the_envelope_on_its_callback_thread);
    wait_for_threads_to_end();
    return gg_test_summary("c elixir server");
}
