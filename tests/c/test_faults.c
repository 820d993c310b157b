/* GameGate against servers that misbehave on purpose (the emulator's /_faults/<case>/ paths,
 * at the socket level) and against real TLS: each case gives the documented code, exactly one
 * callback, and (under valgrind) no leak. */
#include "gg_test.h"

#include <pthread.h>

#include "gamegate.h"
#include "gg_emulator.h"

typedef struct outcome {
    int calls;
    int code;
    int http_status;
    char user_id[128];
    char message[512];
} outcome;

static void on_session(void *user_data, const gg_error *error, const kgen_session *s) {
    outcome *o = (outcome *)user_data;
    o->calls++;
    o->code = error ? error->code : GG_OK;
    o->http_status = error ? error->http_status : 0;
    snprintf(o->message, sizeof o->message, "%s", error ? error->message : "");
    snprintf(o->user_id, sizeof o->user_id, "%s", s ? s->user_id : "");
}

static void on_otp(void *user_data, const gg_error *error, const char *transaction_id) {
    outcome *o = (outcome *)user_data;
    (void)transaction_id;
    o->calls++;
    o->code = error ? error->code : GG_OK;
    o->http_status = error ? error->http_status : 0;
}

static gg_options *options_for(const char *url, uint32_t timeout_ms, const char *root_pem) {
    gg_options *o = gg_options_new();
    CHECK_EQ_INT(gg_options_set_base_url(o, url), GG_OK);
    CHECK_EQ_INT(gg_options_set_timeout_ms(o, timeout_ms), GG_OK);
    CHECK_EQ_INT(gg_options_set_retries(o, 0, 0), GG_OK); /* one attempt: the fault itself is under test */
    if (root_pem) CHECK_EQ_INT(gg_options_add_root_certificates_pem(o, root_pem), GG_OK);
    return o;
}

/* One session request against `url`; checks that exactly one callback comes, even after more ticks. */
static void session_from(const char *url, uint32_t timeout_ms, const char *root_pem, outcome *out) {
    gg_options *o = options_for(url, timeout_ms, root_pem);
    kgen_client *c = NULL;
    CHECK_EQ_INT(kgen_client_new(EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET, o, &c), GG_OK);
    gg_options_free(o);
    memset(out, 0, sizeof *out);
    CHECK_EQ_INT(kgen_create_session(c, "fault-player", on_session, out, NULL), GG_OK);
    TICK_UNTIL(kgen_client_tick, c, &out->calls, 1);
    for (int i = 0; i < 10; i++) kgen_client_tick(c);
    CHECK_EQ_INT(out->calls, 1);
    kgen_client_free(c);
}

static void fault_url(const char *fault, char *out, size_t cap) {
    snprintf(out, cap, "%s/_faults/%s", emulator_url, fault);
}

static void expect_fault(const char *fault, int code, int http_status) {
    char url[256];
    fault_url(fault, url, sizeof url);
    outcome o;
    session_from(url, 5000, NULL, &o);
    if (o.code != code || o.http_status != http_status) fprintf(stderr, "  case %s: %s (HTTP %d) %s\n", fault, gg_result_name(o.code), o.http_status, o.message);
    CHECK_EQ_INT(o.code, code);
    CHECK_EQ_INT(o.http_status, http_status);
    CHECK(o.message[0] != '\0');
}

static void test_connection_failures_are_network_errors(void) {
    expect_fault("close-without-answer", GG_NETWORK, 0);
    expect_fault("reset-mid-headers", GG_NETWORK, 0);
    expect_fault("truncated-body", GG_NETWORK, 200);
    outcome o;
    session_from("http://127.0.0.1:1", 5000, NULL, &o); /* refused: nothing listens there */
    CHECK_EQ_INT(o.code, GG_NETWORK);
}

static void test_headers_slower_than_the_timeout_time_out(void) {
    char url[256];
    fault_url("slow-headers", url, sizeof url);
    outcome o;
    session_from(url, 500, NULL, &o);
    CHECK_EQ_INT(o.code, GG_TIMEOUT);
}

static void test_a_64_mib_body_is_refused_with_bounded_memory(void) {
    long before = resident_kib();
    expect_fault("huge-body", GG_BAD_RESPONSE, 200);
    long after = resident_kib();
    if (before < 0 || after < 0) {
        printf("  64 MiB body refused; resident memory not measured here\n");
        return;
    }
    printf("  64 MiB body refused; resident memory grew by %ld KiB\n", after - before);
    /* The cap is 1 MiB: memory must not follow the body (valgrind inflates RSS: not checked there). */
    if (!getenv("GG_UNDER_VALGRIND")) CHECK(after - before < 16 * 1024);
}

static void test_unusable_bodies_are_bad_responses(void) {
    expect_fault("invalid-json", GG_BAD_RESPONSE, 200);
    expect_fault("wrong-types", GG_BAD_RESPONSE, 200);
    expect_fault("html-500", GG_HTTP_STATUS, 500);

    /* The same through Elixir's envelope parsing. */
    const char *cases[] = {"invalid-json", "wrong-types", "html-500"};
    const int codes[] = {GG_BAD_RESPONSE, GG_BAD_RESPONSE, GG_HTTP_STATUS};
    for (int i = 0; i < 3; i++) {
        char url[256];
        fault_url(cases[i], url, sizeof url);
        gg_options *o = options_for(url, 5000, NULL);
        elixir_client *c = NULL;
        CHECK_EQ_INT(elixir_client_new(EMULATOR_API_KEY, o, &c), GG_OK);
        gg_options_free(o);
        outcome r;
        memset(&r, 0, sizeof r);
        CHECK_EQ_INT(elixir_otp_request(c, "fault@example.com", on_otp, &r, NULL), GG_OK);
        TICK_UNTIL(elixir_client_tick, c, &r.calls, 1);
        CHECK_EQ_INT(r.calls, 1);
        CHECK_EQ_INT(r.code, codes[i]);
        CHECK_EQ_INT(r.http_status, i < 2 ? 200 : 500); /* an answer arrived: its status is kept */
        elixir_client_free(c);
    }
}

/* The body arrives in 30 pieces, 30 ms apart: the I/O thread sleeps between them. A connection
 * still watched for writability after its request went out would wake it without end on
 * Windows (a busy loop); the wake-ups, not the time, are counted. */
static void test_a_trickling_answer_lets_the_io_thread_sleep(void) {
    char url[256];
    fault_url("trickle", url, sizeof url);
    unsigned long long before = stats_now().io_wakeups;
    outcome o;
    session_from(url, 10000, NULL, &o);
    unsigned long long wakeups = stats_now().io_wakeups - before;
    printf("  30 pieces: %llu I/O thread wake-ups\n", wakeups);
    CHECK_EQ_INT(o.code, GG_OK);
    CHECK_STR(o.user_id, "fault-player");
    CHECK(wakeups <= 3 * 30 + 20);
}

static void on_json(void *user_data, const gg_error *error, const char *json) {
    outcome *o = (outcome *)user_data;
    (void)json;
    o->calls++;
    o->code = error ? error->code : GG_OK;
    snprintf(o->message, sizeof o->message, "%s", error ? error->message : "");
}

/* The emulator answers the first request of each connection and closes the connection on a
 * later one after reading it. A request the server may have acted on is never sent again,
 * unless it is repeatable (session creation is create-or-retrieve) and retries are left. */
static void test_a_request_the_server_may_have_received_is_not_sent_twice(void) {
    char url[256];
    fault_url("drop-reused", url, sizeof url);
    for (int retries = 0; retries <= 2; retries += 2) {
        gg_options *o = options_for(url, 5000, NULL);
        CHECK_EQ_INT(gg_options_set_retries(o, (uint32_t)retries, 1), GG_OK);
        CHECK_EQ_INT(gg_options_set_worker_threads(o, 1), GG_OK); /* one connection, reused */
        kgen_client *c = NULL;
        CHECK_EQ_INT(kgen_client_new(EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET, o, &c), GG_OK);
        gg_options_free(o);
        long long before = emulator_counter("arrivals");
        outcome first, second;
        memset(&first, 0, sizeof first);
        memset(&second, 0, sizeof second);
        CHECK_EQ_INT(kgen_create_session(c, "fault-player", on_session, &first, NULL), GG_OK);
        TICK_UNTIL(kgen_client_tick, c, &first.calls, 1);
        CHECK_EQ_INT(first.code, GG_OK);
        if (retries == 0) {
            /* Not repeatable: one arrival, and the game is told it may have been processed. */
            CHECK_EQ_INT(kgen_request(c, "POST", "/game/scores", "{\"score\":1}", on_json, &second, NULL), GG_OK);
            TICK_UNTIL(kgen_client_tick, c, &second.calls, 1);
            CHECK_EQ_INT(second.code, GG_NETWORK);
            CHECK(strstr(second.message, "may have been processed") != NULL);
            CHECK_EQ_INT(emulator_counter("arrivals") - before, 2);
        } else {
            /* Repeatable, with retries left: sent again on a fresh connection, once. */
            CHECK_EQ_INT(kgen_create_session(c, "fault-player", on_session, &second, NULL), GG_OK);
            TICK_UNTIL(kgen_client_tick, c, &second.calls, 1);
            CHECK_EQ_INT(second.code, GG_OK);
            CHECK_EQ_INT(emulator_counter("arrivals") - before, 3);
        }
        kgen_client_free(c);
    }
}

/* Chunked framing with bare LF line ends (RFC 9112 §2.2) and interim answers carrying header
 * fields (RFC 9110 §15.2) are read too, at once, not waited on until the timeout. */
static void test_chunked_and_gzip_bodies_are_read(void) {
    const char *cases[] = {"chunked", "gzip", "chunked-bare-lf", "continue-with-fields"};
    for (int i = 0; i < 4; i++) {
        char url[256];
        fault_url(cases[i], url, sizeof url);
        outcome o;
        session_from(url, 5000, NULL, &o);
        CHECK_EQ_INT(o.code, GG_OK);
        CHECK_STR(o.user_id, "fault-player");
    }
}

static void test_a_redirect_is_never_followed(void) {
    long long before = emulator_counter("kgen_sessions");
    expect_fault("redirect-to-http", GG_HTTP_STATUS, 302);
    CHECK_EQ_INT(emulator_counter("kgen_sessions"), before);
}

/* ---- TLS ------------------------------------------------------------------------------ */

typedef struct tls_info {
    char url[128];
    char wrong_host_url[128];
    char ca_pem[4096];
} tls_info;

/* The emulator's HTTPS address and CA, with the JSON "\n" escapes of the PEM undone. */
static void tls_from_emulator(tls_info *t) {
    emulator_tls(t->url, sizeof t->url, t->ca_pem, sizeof t->ca_pem, t->wrong_host_url, sizeof t->wrong_host_url);
}

static void test_tls_with_a_custom_root(void) {
    static tls_info t;
    tls_from_emulator(&t);
    outcome o;
    session_from(t.url, 5000, t.ca_pem, &o);
    CHECK_EQ_INT(o.code, GG_OK);
    CHECK_STR(o.user_id, "fault-player");
}

static void test_tls_refuses_an_untrusted_certificate(void) {
    static tls_info t;
    tls_from_emulator(&t);
    outcome o;
    session_from(t.url, 5000, NULL, &o); /* only the bundled Mozilla roots: our test CA is not among them */
    CHECK_EQ_INT(o.code, GG_TLS);
    CHECK(strstr(o.message, "TLS") != NULL);
}

static void test_tls_refuses_a_wrong_host_name(void) {
    static tls_info t;
    tls_from_emulator(&t);
    outcome o;
    session_from(t.wrong_host_url, 5000, t.ca_pem, &o); /* the certificate names localhost, not 127.0.0.1 */
    CHECK_EQ_INT(o.code, GG_TLS);
}

static void test_https_never_follows_a_redirect_to_plain_http(void) {
    static tls_info t;
    tls_from_emulator(&t);
    char url[256];
    snprintf(url, sizeof url, "%s/_faults/redirect-to-http", t.url);
    long long before = emulator_counter("kgen_sessions");
    outcome o;
    session_from(url, 5000, t.ca_pem, &o);
    CHECK_EQ_INT(o.code, GG_HTTP_STATUS);
    CHECK_EQ_INT(o.http_status, 302);
    CHECK_EQ_INT(emulator_counter("kgen_sessions"), before);
}

int main(void) {
    emulator_url = emulator_url_from_env();
    RUN(test_connection_failures_are_network_errors);
    RUN(test_headers_slower_than_the_timeout_time_out);
    RUN(test_a_trickling_answer_lets_the_io_thread_sleep);
    RUN(test_a_request_the_server_may_have_received_is_not_sent_twice);
    RUN(test_a_64_mib_body_is_refused_with_bounded_memory);
    RUN(test_unusable_bodies_are_bad_responses);
    RUN(test_chunked_and_gzip_bodies_are_read);
    RUN(test_a_redirect_is_never_followed);
    RUN(test_tls_with_a_custom_root);
    RUN(test_tls_refuses_an_untrusted_certificate);
    RUN(test_tls_refuses_a_wrong_host_name);
    RUN(test_https_never_follows_a_redirect_to_plain_http);
    wait_for_threads_to_end();
    return gg_test_summary("c faults");
}
