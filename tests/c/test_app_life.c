/* The player's session through the app's life, from C: connections idle past the limit are
 * never reused, a resume or a network change retires pooled connections, offline requests
 * fail at once without sending anything, retries wait for the network, and Retry-After is
 * waited out (429 / 503) and reported in gg_error.retry_after_ms.
 *
 * The emulator's /_faults/forget-idle/ behaves like a carrier NAT: a connection idle for
 * 150 ms or more is forgotten, and a request sent on it is never answered (no FIN, no RST).
 * The tests let a connection sit idle for 300 ms on purpose: that idle time is what is under
 * test, not a wait for something to happen. */
#include "gg_test.h"

#include <pthread.h>
#include <stddef.h>

#include "gamegate.h"
#include "gg_emulator.h"

typedef struct outcome {
    int calls;
    int code;
    int http_status;
    long long retry_after_ms;
    char message[512];
} outcome;

static void record(outcome *o, const gg_error *error) {
    o->calls++;
    o->code = error ? error->code : GG_OK;
    o->http_status = error ? error->http_status : 0;
    o->retry_after_ms = -1;
    snprintf(o->message, sizeof o->message, "%s", error ? error->message : "");
    /* An appended field is read only when struct_size covers it, as a binding must. */
    if (error && error->struct_size >= offsetof(gg_error, retry_after_ms) + sizeof(int64_t)) o->retry_after_ms = error->retry_after_ms;
}

static void on_session(void *user_data, const gg_error *error, const kgen_session *session) {
    (void)session;
    record((outcome *)user_data, error);
}

static void on_json(void *user_data, const gg_error *error, const char *json) {
    (void)json;
    record((outcome *)user_data, error);
}

static void on_otp(void *user_data, const gg_error *error, const char *transaction_id) {
    (void)transaction_id;
    record((outcome *)user_data, error);
}

static kgen_client *kgen_at(const char *url, uint32_t timeout_ms, long max_idle_ms, uint32_t retries) {
    gg_options *o = gg_options_new();
    CHECK_EQ_INT(gg_options_set_base_url(o, url), GG_OK);
    CHECK_EQ_INT(gg_options_set_timeout_ms(o, timeout_ms), GG_OK);
    CHECK_EQ_INT(gg_options_set_retries(o, retries, retries ? 5 : 0), GG_OK);
    CHECK_EQ_INT(gg_options_set_worker_threads(o, 1), GG_OK); /* one connection, pooled */
    if (max_idle_ms >= 0) CHECK_EQ_INT(gg_options_set_max_idle_ms(o, (uint32_t)max_idle_ms), GG_OK);
    kgen_client *c = NULL;
    CHECK_EQ_INT(kgen_client_new(EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET, o, &c), GG_OK);
    gg_options_free(o);
    return c;
}

static void create_one(kgen_client *c, outcome *o) {
    memset(o, 0, sizeof *o);
    CHECK_EQ_INT(kgen_create_session(c, "app-life-player", on_session, o, NULL), GG_OK);
    TICK_UNTIL(kgen_client_tick, c, &o->calls, 1);
    CHECK_EQ_INT(o->calls, 1);
}

static void let_the_connection_sit_idle(void) {
    struct timespec idle = {0, 300 * 1000000L};
    nanosleep(&idle, NULL);
}

static void forget_idle_url(char *url, size_t cap) {
    snprintf(url, cap, "%s/_faults/forget-idle", emulator_url);
}

/* ---- the idle limit ------------------------------------------------------------------- */

static void test_max_idle_is_an_option(void) {
    CHECK_EQ_INT(gg_options_set_max_idle_ms(NULL, 1000), GG_NULL_PARAM);
    gg_options *o = gg_options_new();
    CHECK_EQ_INT(gg_options_set_max_idle_ms(o, 0), GG_OK); /* 0: never reuse */
    CHECK_EQ_INT(gg_options_set_max_idle_ms(o, 60000), GG_OK);
    gg_options_free(o);
}

/* Without a short enough limit the forgotten connection is reused and the request times out
 * (this is what the fault does); with one, the request goes out on a fresh connection. */
static void test_a_connection_idle_past_the_limit_is_not_reused(void) {
    char url[256];
    forget_idle_url(url, sizeof url);
    outcome o;

    kgen_client *reusing = kgen_at(url, 600, -1, 0);
    create_one(reusing, &o);
    CHECK_EQ_INT(o.code, GG_OK);
    let_the_connection_sit_idle();
    create_one(reusing, &o);
    CHECK_EQ_INT(o.code, GG_TIMEOUT);
    kgen_client_free(reusing);

    kgen_client *c = kgen_at(url, 5000, 100, 0);
    create_one(c, &o);
    CHECK_EQ_INT(o.code, GG_OK);
    long long connections = emulator_counter("connections");
    let_the_connection_sit_idle();
    create_one(c, &o);
    CHECK_EQ_INT(o.code, GG_OK);
    CHECK_EQ_INT(emulator_counter("connections") - connections, 1);
    /* Within the limit the connection is reused. */
    connections = emulator_counter("connections");
    create_one(c, &o);
    CHECK_EQ_INT(o.code, GG_OK);
    CHECK_EQ_INT(emulator_counter("connections"), connections);
    kgen_client_free(c);
}

/* ---- resume and network changes ----------------------------------------------------------- */

static void test_statuses_are_range_checked(void) {
    CHECK_EQ_INT(gg_set_application_status(2), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(gg_set_network_status(3), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(gg_set_application_status(GG_APP_FOREGROUND), GG_OK);
    CHECK_EQ_INT(gg_set_network_status(GG_NET_UNKNOWN), GG_OK);
}

/* The default limit (60 s) would reuse the forgotten connection; the resume retires it. */
static void pooled_connection_retired_by(void (*report)(void)) {
    char url[256];
    forget_idle_url(url, sizeof url);
    kgen_client *c = kgen_at(url, 5000, -1, 0);
    outcome o;
    create_one(c, &o);
    CHECK_EQ_INT(o.code, GG_OK);
    let_the_connection_sit_idle();
    report();
    long long connections = emulator_counter("connections");
    create_one(c, &o);
    CHECK_EQ_INT(o.code, GG_OK);
    CHECK_EQ_INT(emulator_counter("connections") - connections, 1);
    kgen_client_free(c);
}

static void suspend_and_resume(void) {
    CHECK_EQ_INT(gg_set_application_status(GG_APP_BACKGROUND), GG_OK);
    CHECK_EQ_INT(gg_set_application_status(GG_APP_FOREGROUND), GG_OK);
}

static void online_again(void) {
    CHECK_EQ_INT(gg_set_network_status(GG_NET_ONLINE), GG_OK); /* a repeated ONLINE counts */
}

static void test_a_resume_retires_pooled_connections(void) {
    pooled_connection_retired_by(suspend_and_resume);
}

static void test_a_network_change_retires_pooled_connections(void) {
    pooled_connection_retired_by(online_again);
}

/* ---- offline ------------------------------------------------------------------------------ */

static void test_offline_requests_fail_at_once_and_send_nothing(void) {
    kgen_client *k = kgen_at(emulator_url, 5000, -1, 2);
    elixir_client *e = emulator_elixir_client(emulator_url, 0, 0);
    long long arrivals = emulator_counter("arrivals");

    CHECK_EQ_INT(gg_set_network_status(GG_NET_OFFLINE), GG_OK);
    outcome session, otp;
    memset(&session, 0, sizeof session);
    memset(&otp, 0, sizeof otp);
    CHECK_EQ_INT(kgen_create_session(k, "offline-player", on_session, &session, NULL), GG_OK);
    CHECK_EQ_INT(elixir_otp_request(e, "offline@example.com", on_otp, &otp, NULL), GG_OK);
    TICK_UNTIL(kgen_client_tick, k, &session.calls, 1);
    TICK_UNTIL(elixir_client_tick, e, &otp.calls, 1);
    CHECK_EQ_INT(gg_set_network_status(GG_NET_ONLINE), GG_OK);
    CHECK_EQ_INT(session.code, GG_NETWORK);
    CHECK(strstr(session.message, "offline") != NULL);
    CHECK_EQ_INT(otp.code, GG_NETWORK);
    CHECK_EQ_INT(emulator_counter("arrivals"), arrivals);

    /* Online again: the same client works. */
    create_one(k, &session);
    CHECK_EQ_INT(session.code, GG_OK);
    elixir_client_free(e);
    kgen_client_free(k);
}

typedef struct log_watch {
    pthread_mutex_t lock;
    int parked;      /* "the retry waits for the network" */
    long long delay; /* the last "retry N of M in D ms" */
} log_watch;

static void on_log(void *user_data, int32_t level, const char *message) {
    log_watch *w = (log_watch *)user_data;
    (void)level;
    pthread_mutex_lock(&w->lock);
    if (strstr(message, "waits for the network")) w->parked++;
    const char *in = strstr(message, " in ");
    if (strstr(message, "transient failure") && in) w->delay = atoll(in + 4);
    pthread_mutex_unlock(&w->lock);
}

static int parked_count(log_watch *w) {
    pthread_mutex_lock(&w->lock);
    int n = w->parked;
    pthread_mutex_unlock(&w->lock);
    return n;
}

/* A 503 asks for 3 s; the device goes offline meanwhile: the retry waits for the network
 * instead of going out, and goes out once the network is back. */
static void test_a_retry_waits_for_the_network(void) {
    static log_watch w;
    memset(&w, 0, sizeof w);
    pthread_mutex_init(&w.lock, NULL);
    gg_set_log_callback(GG_LOG_DEBUG, on_log, &w);
    emulator_control("/_emulator/faults", "{\"status\": 503, \"times\": 1, \"path_prefix\": \"/s2s/session\", \"retry_after\": \"3\"}");
    long long arrivals = emulator_counter("arrivals");
    kgen_client *c = kgen_at(emulator_url, 20000, -1, 2);
    outcome o;
    memset(&o, 0, sizeof o);
    CHECK_EQ_INT(kgen_create_session(c, "patient-player", on_session, &o, NULL), GG_OK);
    double deadline = gg_now_seconds() + WAIT_LIMIT_SECONDS;
    while (emulator_counter("arrivals") == arrivals && gg_now_seconds() < deadline) gg_pause();
    CHECK_EQ_INT(gg_set_network_status(GG_NET_OFFLINE), GG_OK);
    while (parked_count(&w) == 0 && gg_now_seconds() < deadline) {
        kgen_client_tick(c);
        gg_pause();
    }
    CHECK_EQ_INT(parked_count(&w), 1);
    CHECK_EQ_INT(o.calls, 0);
    CHECK_EQ_INT(gg_set_network_status(GG_NET_ONLINE), GG_OK);
    TICK_UNTIL(kgen_client_tick, c, &o.calls, 1);
    CHECK_EQ_INT(o.code, GG_OK);
    CHECK_EQ_INT(emulator_counter("arrivals") - arrivals, 2);
    kgen_client_free(c);
    gg_set_log_callback(GG_LOG_OFF, NULL, NULL);
    pthread_mutex_destroy(&w.lock);
}

/* ---- Retry-After ---------------------------------------------------------------------------- */

static void test_retry_after_is_waited_out_and_reported(void) {
    static log_watch w;
    memset(&w, 0, sizeof w);
    pthread_mutex_init(&w.lock, NULL);
    gg_set_log_callback(GG_LOG_DEBUG, on_log, &w);
    kgen_client *c = kgen_at(emulator_url, 3000, -1, 2);
    outcome o;

    /* A 429 asking for 1 s: the retry is scheduled no sooner, and succeeds. */
    long long arrivals = emulator_counter("arrivals");
    emulator_control("/_emulator/faults", "{\"status\": 429, \"times\": 1, \"path_prefix\": \"/s2s/session\", \"retry_after\": \"1\"}");
    create_one(c, &o);
    CHECK_EQ_INT(o.code, GG_OK);
    CHECK_EQ_INT(emulator_counter("arrivals") - arrivals, 2);
    pthread_mutex_lock(&w.lock);
    CHECK(w.delay >= 1000);
    pthread_mutex_unlock(&w.lock);

    /* A wait longer than the request's time: the answer stands at once, with the wait. */
    arrivals = emulator_counter("arrivals");
    emulator_control("/_emulator/faults", "{\"status\": 429, \"times\": 1, \"path_prefix\": \"/s2s/session\", \"retry_after\": \"30\"}");
    create_one(c, &o);
    CHECK_EQ_INT(o.code, GG_HTTP_STATUS);
    CHECK_EQ_INT(o.http_status, 429);
    CHECK_EQ_INT(o.retry_after_ms, 30000);
    CHECK_EQ_INT(emulator_counter("arrivals") - arrivals, 1);

    /* A POST is never sent twice, but the game still learns when to try again. */
    arrivals = emulator_counter("arrivals");
    emulator_control("/_emulator/faults", "{\"status\": 503, \"times\": 1, \"path_prefix\": \"/s2s/scores\", \"retry_after\": \"2\"}");
    memset(&o, 0, sizeof o);
    CHECK_EQ_INT(kgen_request(c, "POST", "/s2s/scores", "{}", on_json, &o, NULL), GG_OK);
    TICK_UNTIL(kgen_client_tick, c, &o.calls, 1);
    CHECK_EQ_INT(o.code, GG_HTTP_STATUS);
    CHECK_EQ_INT(o.retry_after_ms, 2000);
    CHECK_EQ_INT(emulator_counter("arrivals") - arrivals, 1);

    /* Without Retry-After: 0. */
    emulator_control("/_emulator/faults", "{\"status\": 500, \"times\": 1, \"path_prefix\": \"/s2s/session\"}");
    create_one(c, &o);
    CHECK_EQ_INT(o.http_status, 500);
    CHECK_EQ_INT(o.retry_after_ms, 0);
    kgen_client_free(c);

    /* Elixir's envelope on a 429: GG_API_ERROR, with the wait. */
    elixir_client *e = emulator_elixir_client(emulator_url, 0, 0);
    emulator_control("/_emulator/faults",
                     "{\"status\": 429, \"times\": 1, \"path_prefix\": \"/sdk/auth/v2/signin/otp-login\", \"retry_after\": \"5\", "
                     "\"body\": \"{\\\"code\\\":-1,\\\"success\\\":false,\\\"error\\\":{\\\"status\\\":429,\\\"code\\\":\\\"RATE_LIMITED\\\",\\\"message\\\":\\\"slow down\\\"}}\"}");
    memset(&o, 0, sizeof o);
    CHECK_EQ_INT(elixir_otp_request(e, "busy@example.com", on_otp, &o, NULL), GG_OK);
    TICK_UNTIL(elixir_client_tick, e, &o.calls, 1);
    CHECK_EQ_INT(o.code, GG_API_ERROR);
    CHECK_EQ_INT(o.http_status, 429);
    CHECK_EQ_INT(o.retry_after_ms, 5000);
    elixir_client_free(e);
    emulator_control("/_emulator/reset", "{}");
    gg_set_log_callback(GG_LOG_OFF, NULL, NULL);
    pthread_mutex_destroy(&w.lock);
}

/* ---- prepare: the next call finds its connection open ------------------------------------- */

static unsigned long long opened(void) {
    return stats_now().connections_opened;
}

static void wait_until_opened(unsigned long long want) {
    double deadline = gg_now_seconds() + WAIT_LIMIT_SECONDS;
    while (opened() < want && gg_now_seconds() < deadline) gg_pause();
}

static void test_a_prepared_connection_carries_the_first_call(void) {
    CHECK_EQ_INT(kgen_client_prepare(NULL), GG_NULL_PARAM);
    CHECK_EQ_INT(elixir_client_prepare(NULL), GG_NULL_PARAM);
    CHECK_EQ_INT(elixir_server_prepare(NULL), GG_NULL_PARAM);
    kgen_client *c = kgen_at(emulator_url, 5000, -1, 0);
    unsigned long long before = opened();
    CHECK_EQ_INT(kgen_client_prepare(c), GG_OK);
    CHECK_EQ_INT(kgen_client_prepare(c), GG_OK); /* twice: harmless */
    wait_until_opened(before + 1);
    outcome o;
    create_one(c, &o); /* commands are taken in order: both prepares came first */
    CHECK_EQ_INT(o.code, GG_OK);
    CHECK_EQ_INT(opened() - before, 1);
    create_one(c, &o);
    CHECK_EQ_INT(opened() - before, 1);
    kgen_client_free(c);

    /* Elixir's sign-in screen: prepared, then the code is asked for on that connection. */
    elixir_client *e = emulator_elixir_client(emulator_url, 0, 1);
    before = opened();
    CHECK_EQ_INT(elixir_client_prepare(e), GG_OK);
    wait_until_opened(before + 1);
    memset(&o, 0, sizeof o);
    CHECK_EQ_INT(elixir_otp_request(e, "prepared@example.com", on_otp, &o, NULL), GG_OK);
    TICK_UNTIL(elixir_client_tick, e, &o.calls, 1);
    CHECK_EQ_INT(o.code, GG_OK);
    CHECK_EQ_INT(opened() - before, 1);
    elixir_client_free(e);
}

static void test_a_prepared_connection_past_the_idle_limit_is_not_used(void) {
    kgen_client *c = kgen_at(emulator_url, 5000, 100, 0);
    unsigned long long before = opened();
    CHECK_EQ_INT(kgen_client_prepare(c), GG_OK);
    wait_until_opened(before + 1);
    let_the_connection_sit_idle();
    outcome o;
    create_one(c, &o);
    CHECK_EQ_INT(o.code, GG_OK);
    CHECK_EQ_INT(opened() - before, 2);
    kgen_client_free(c);
}

int main(void) {
    emulator_url = emulator_url_from_env();
    RUN(test_max_idle_is_an_option);
    RUN(test_a_connection_idle_past_the_limit_is_not_reused);
    RUN(test_statuses_are_range_checked);
    RUN(test_a_resume_retires_pooled_connections);
    RUN(test_a_network_change_retires_pooled_connections);
    RUN(test_offline_requests_fail_at_once_and_send_nothing);
    RUN(test_a_retry_waits_for_the_network);
    RUN(test_retry_after_is_waited_out_and_reported);
    RUN(test_a_prepared_connection_carries_the_first_call);
    RUN(test_a_prepared_connection_past_the_idle_limit_is_not_used);
    wait_for_threads_to_end();
    return gg_test_summary("c app life");
}
