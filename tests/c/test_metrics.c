/* Per-request metrics from C: exactly once per accepted request, right before its own
 * callback; the first byte of an answer the emulator holds 300 ms comes at least that late; a
 * pooled connection has no connect or TLS time; TLS is timed; a rei-key and query values never
 * appear in the path. */
#include "gg_test.h"

#include <pthread.h>

#include "gamegate.h"
#include "gg_emulator.h"

#define MAX_SEEN 16

typedef struct seen {
    pthread_mutex_t lock;
    int count;
    char order[64]; /* 'M' metrics, 'C' the request's callback */
    uint64_t ids[MAX_SEEN];
    gg_request_metrics m[MAX_SEEN];
    char method[MAX_SEEN][16];
    char path[MAX_SEEN][256];
} seen;

static void mark(seen *s, char c) {
    size_t n = strlen(s->order);
    if (n + 1 < sizeof s->order) s->order[n] = c;
}

static void on_metrics(void *user_data, const gg_request_metrics *m) {
    seen *s = (seen *)user_data;
    pthread_mutex_lock(&s->lock);
    CHECK_EQ_INT(m->struct_size, sizeof(gg_request_metrics));
    if (s->count < MAX_SEEN) {
        s->m[s->count] = *m;
        snprintf(s->method[s->count], sizeof s->method[0], "%s", m->method);
        snprintf(s->path[s->count], sizeof s->path[0], "%s", m->path);
        s->ids[s->count] = m->request_id;
    }
    s->count++;
    mark(s, 'M');
    pthread_mutex_unlock(&s->lock);
}

typedef struct call {
    seen *s;
    int calls;
    int code;
} call;

static void note_call(call *c, const gg_error *error) {
    pthread_mutex_lock(&c->s->lock);
    mark(c->s, 'C');
    pthread_mutex_unlock(&c->s->lock);
    c->code = error ? error->code : GG_OK;
    __atomic_add_fetch(&c->calls, 1, __ATOMIC_SEQ_CST);
}

static void on_session(void *user_data, const gg_error *error, const kgen_session *session) {
    (void)session;
    note_call((call *)user_data, error);
}

static void on_elixir_session(void *user_data, const gg_error *error, const elixir_session *session) {
    (void)session;
    note_call((call *)user_data, error);
}

static void on_json(void *user_data, const gg_error *error, const char *json) {
    (void)json;
    note_call((call *)user_data, error);
}

static gg_options *measured_options(const char *url, seen *s, uint32_t dispatch) {
    gg_options *o = gg_options_new();
    CHECK_EQ_INT(gg_options_set_base_url(o, url), GG_OK);
    CHECK_EQ_INT(gg_options_set_dispatch(o, dispatch), GG_OK);
    CHECK_EQ_INT(gg_options_set_worker_threads(o, 1), GG_OK); /* one connection, pooled */
    CHECK_EQ_INT(gg_options_set_metrics_callback(o, on_metrics, s), GG_OK);
    return o;
}

static kgen_client *measured_kgen(const char *url, seen *s, uint32_t dispatch, const char *root_pem) {
    gg_options *o = measured_options(url, s, dispatch);
    if (root_pem) CHECK_EQ_INT(gg_options_add_root_certificates_pem(o, root_pem), GG_OK);
    kgen_client *c = NULL;
    CHECK_EQ_INT(kgen_client_new(EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET, o, &c), GG_OK);
    gg_options_free(o);
    return c;
}

static void init(seen *s) {
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
}

static uint64_t create_one(kgen_client *c, call *r) {
    uint64_t id = 0;
    int before = r->calls;
    CHECK_EQ_INT(kgen_create_session(c, "metrics-player", on_session, r, &id), GG_OK);
    TICK_UNTIL(kgen_client_tick, c, &r->calls, before + 1);
    return id;
}

static void test_once_per_request_right_before_its_callback(void) {
    CHECK_EQ_INT(gg_options_set_metrics_callback(NULL, on_metrics, NULL), GG_NULL_PARAM);
    static seen s;
    init(&s);
    kgen_client *c = measured_kgen(emulator_url, &s, GG_DISPATCH_TICK, NULL);
    call r = {&s, 0, 0};
    uint64_t first = create_one(c, &r);
    uint64_t second = create_one(c, &r);
    for (int i = 0; i < 5; i++) kgen_client_tick(c);
    CHECK_STR(s.order, "MCMC");
    CHECK_EQ_INT(s.count, 2);
    CHECK(s.ids[0] == first && s.ids[1] == second);
    for (int i = 0; i < 2; i++) {
        CHECK_STR(s.method[i], "POST");
        CHECK_STR(s.path[i], "/s2s/session/");
        CHECK_EQ_INT(s.m[i].code, GG_OK);
        CHECK_EQ_INT(s.m[i].http_status, 200);
        CHECK_EQ_INT(s.m[i].attempts, 1);
        CHECK(s.m[i].bytes_sent > 0 && s.m[i].bytes_received > 0);
        CHECK(s.m[i].total_us >= s.m[i].first_byte_us);
    }
    /* The first request opened the connection; the second reused it: no connect, no TLS. */
    CHECK_EQ_INT(s.m[0].connection_reused, 0);
    CHECK_EQ_INT(s.m[1].connection_reused, 1);
    CHECK_EQ_INT(s.m[1].connect_us, 0);
    CHECK_EQ_INT(s.m[1].tls_us, 0);
    CHECK_EQ_INT(s.m[1].dns_us, 0);

    /* A cancelled request is reported once too, with its code. */
    uint64_t id = 0;
    emulator_control("/_emulator/faults", "{\"latency_ms\": 1000, \"times\": 1, \"path_prefix\": \"/s2s/session\"}");
    CHECK_EQ_INT(kgen_create_session(c, "metrics-cancelled", on_session, &r, &id), GG_OK);
    CHECK_EQ_INT(kgen_client_cancel(c, id), GG_OK);
    TICK_UNTIL(kgen_client_tick, c, &r.calls, 3);
    CHECK_EQ_INT(s.count, 3);
    CHECK_EQ_INT(s.m[2].code, GG_CANCELLED);
    CHECK(s.ids[2] == id);
    kgen_client_free(c);
    emulator_control("/_emulator/reset", "{}");
    pthread_mutex_destroy(&s.lock);
}

/* The emulator holds its answer 300 ms before the first byte. */
static void test_the_first_byte_of_a_held_answer_is_timed(void) {
    static seen s;
    init(&s);
    kgen_client *c = measured_kgen(emulator_url, &s, GG_DISPATCH_WORKER, NULL);
    emulator_control("/_emulator/faults", "{\"latency_ms\": 300, \"times\": 1, \"path_prefix\": \"/s2s/session\"}");
    call r = {&s, 0, 0};
    CHECK_EQ_INT(kgen_create_session(c, "metrics-held", on_session, &r, NULL), GG_OK);
    double deadline = gg_now_seconds() + WAIT_LIMIT_SECONDS;
    while (__atomic_load_n(&r.calls, __ATOMIC_SEQ_CST) == 0 && gg_now_seconds() < deadline) gg_pause();
    kgen_client_free(c);
    CHECK_EQ_INT(r.code, GG_OK);
    CHECK_EQ_INT(s.count, 1);
    CHECK(s.m[0].first_byte_us >= 300000);
    CHECK(s.m[0].total_us >= s.m[0].first_byte_us);
    CHECK_STR(s.order, "MC");
    emulator_control("/_emulator/reset", "{}");
    pthread_mutex_destroy(&s.lock);
}

static void test_tls_is_timed(void) {
    static char url[128], ca[4096];
    emulator_tls(url, sizeof url, ca, sizeof ca, NULL, 0);
    static seen s;
    init(&s);
    kgen_client *c = measured_kgen(url, &s, GG_DISPATCH_TICK, ca);
    call r = {&s, 0, 0};
    create_one(c, &r);
    create_one(c, &r);
    kgen_client_free(c);
    CHECK_EQ_INT(r.code, GG_OK);
    CHECK_EQ_INT(s.count, 2);
    CHECK(s.m[0].tls_us > 0);
    CHECK_EQ_INT(s.m[1].tls_us, 0);
    CHECK_EQ_INT(s.m[1].connection_reused, 1);
    pthread_mutex_destroy(&s.lock);
}

/* A rei-key is a credential and a query value may be one: neither is in the path. */
static void test_paths_carry_no_secret(void) {
    static seen s;
    init(&s);
    gg_options *o = measured_options(emulator_url, &s, GG_DISPATCH_TICK);
    elixir_client *e = NULL;
    CHECK_EQ_INT(elixir_client_new(EMULATOR_API_KEY, o, &e), GG_OK);
    gg_options_free(o);
    char reply[512], key[256];
    emulator_call("GET", "/_emulator/elixir/reikey?playerId=metrics-launcher", NULL, reply, sizeof reply);
    json_string(reply, "reikey", key, sizeof key);
    call r = {&s, 0, 0};
    CHECK_EQ_INT(elixir_reikey_sign_in(e, key, on_elixir_session, &r, NULL), GG_OK);
    TICK_UNTIL(elixir_client_tick, e, &r.calls, 1);
    CHECK_EQ_INT(r.code, GG_OK);
    CHECK_EQ_INT(elixir_request(e, "GET", "/sdk/v2/tournaments/?filter=ALL", NULL, on_json, &r, NULL), GG_OK);
    TICK_UNTIL(elixir_client_tick, e, &r.calls, 2);
    elixir_client_free(e);
    CHECK_EQ_INT(s.count, 2);
    CHECK_STR(s.method[0], "GET");
    CHECK(strstr(s.path[0], key) == NULL);
    CHECK(strstr(s.path[0], "/sdk/auth/v2/session/reikey/") != NULL);
    CHECK_STR(s.path[1], "/sdk/v2/tournaments/?filter=*");
    pthread_mutex_destroy(&s.lock);
}

int main(void) {
    emulator_url = emulator_url_from_env();
    RUN(test_once_per_request_right_before_its_callback);
    RUN(test_the_first_byte_of_a_held_answer_is_timed);
    RUN(test_tls_is_timed);
    RUN(test_paths_carry_no_secret);
    wait_for_threads_to_end();
    return gg_test_summary("c metrics");
}
