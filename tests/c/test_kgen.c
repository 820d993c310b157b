/* The C ABI from C: options, KGeN sessions, dispatch, cancel, free, bad input.
 * Runs against the emulator at $GAMEGATE_EMULATOR_URL with its default test credentials. */
#include "gg_test.h"

#include <pthread.h>

#include "gamegate.h"
#include "gg_emulator.h"

#define CLIENT_ID EMULATOR_CLIENT_ID
#define CLIENT_SECRET EMULATOR_CLIENT_SECRET

/* ---- helpers -------------------------------------------------------------------------- */

typedef struct session_result {
    int calls;
    int code; /* GG_OK when the session arrived */
    int http_status;
    char api_code[64];
    char message[512];
    char user_id[512];
    char namespaced[600];
    char wallet[128];
    char email[128];
    char raw_head[32];
    int is_new_user;
    long long level;
    long long start_ms;
    unsigned struct_size;
    pthread_t thread;
    int access_token_empty;
} session_result;

static void copy_text(char *dst, size_t cap, const char *src) {
    snprintf(dst, cap, "%s", src ? src : "(null)");
}

static void on_session(void *user_data, const gg_error *error, const kgen_session *session) {
    session_result *r = (session_result *)user_data;
    r->calls++;
    r->thread = pthread_self();
    if (error) {
        CHECK(session == NULL);
        CHECK(error->message != NULL && error->api_code != NULL);
        CHECK_EQ_INT(error->struct_size, sizeof(gg_error));
        r->code = error->code;
        r->http_status = error->http_status;
        copy_text(r->api_code, sizeof r->api_code, error->api_code);
        copy_text(r->message, sizeof r->message, error->message);
        return;
    }
    CHECK(session != NULL);
    r->code = GG_OK;
    r->struct_size = session->struct_size;
    copy_text(r->user_id, sizeof r->user_id, session->user_id);
    copy_text(r->namespaced, sizeof r->namespaced, session->namespaced_third_party_user_id);
    copy_text(r->wallet, sizeof r->wallet, session->wallet_address);
    copy_text(r->email, sizeof r->email, session->email);
    copy_text(r->raw_head, sizeof r->raw_head, session->raw_json);
    r->is_new_user = session->is_new_user;
    r->level = session->level;
    r->start_ms = session->session_start_unix_ms;
    r->access_token_empty = session->access_token[0] == '\0';
    /* Strings are never NULL, even for fields the server sent as null. */
    CHECK(session->indigg_id != NULL && session->indigg_id[0] == '\0');
    CHECK(session->refresh_token != NULL && session->session_id != NULL);
}

typedef struct json_result {
    int calls;
    int code;
    int http_status;
    char json[4096];
} json_result;

static void on_json(void *user_data, const gg_error *error, const char *json) {
    json_result *r = (json_result *)user_data;
    r->calls++;
    if (error) {
        CHECK(json == NULL);
        r->code = error->code;
        r->http_status = error->http_status;
    } else {
        CHECK(json != NULL);
        r->code = GG_OK;
        copy_text(r->json, sizeof r->json, json);
    }
}

static gg_options *options_for(const char *url, uint32_t dispatch, uint32_t timeout_ms) {
    gg_options *o = gg_options_new();
    CHECK(o != NULL);
    CHECK_EQ_INT(gg_options_set_base_url(o, url), GG_OK);
    CHECK_EQ_INT(gg_options_set_dispatch(o, dispatch), GG_OK);
    CHECK_EQ_INT(gg_options_set_timeout_ms(o, timeout_ms), GG_OK);
    return o;
}

static kgen_client *client_for(const char *url, uint32_t dispatch, uint32_t timeout_ms) {
    gg_options *o = options_for(url, dispatch, timeout_ms);
    kgen_client *c = NULL;
    CHECK_EQ_INT(kgen_client_new(CLIENT_ID, CLIENT_SECRET, o, &c), GG_OK);
    gg_options_free(o);
    CHECK(c != NULL);
    return c;
}

/* Ticks until *counter reaches want; fails the test after WAIT_LIMIT_SECONDS. */
static void tick_until(kgen_client *c, const int *counter, int want) {
    TICK_UNTIL(kgen_client_tick, c, counter, want);
}

static void create_one(kgen_client *c, const char *user_id, session_result *r) {
    memset(r, 0, sizeof *r);
    CHECK_EQ_INT(kgen_create_session(c, user_id, on_session, r, NULL), GG_OK);
    tick_until(c, &r->calls, 1);
    CHECK_EQ_INT(r->calls, 1);
}

/* ---- library basics ------------------------------------------------------------------- */

static void test_version_and_result_names(void) {
    char expected[64];
    snprintf(expected, sizeof expected, "%d.%d.%d", GG_VERSION_MAJOR, GG_VERSION_MINOR, GG_VERSION_PATCH);
    CHECK_STR(gg_version(), expected);
    CHECK_STR(gg_result_name(GG_OK), "GG_OK");
    CHECK_STR(gg_result_name(GG_TIMEOUT), "GG_TIMEOUT");
    CHECK_STR(gg_result_name(GG_INTERNAL), "GG_INTERNAL");
    CHECK_STR(gg_result_name(-5), "GG_UNKNOWN");
    CHECK_STR(gg_result_name(1000000), "GG_UNKNOWN");
}

static int plain_http_warnings; /* written on the creating thread, inside kgen_client_new */

static void count_plain_http_warnings(void *user_data, int32_t level, const char *message) {
    (void)user_data;
    if (level == GG_LOG_WARN && strstr(message, "plain http:// to 10.0.2.2") != NULL) plain_http_warnings++;
}

/* A real request over plain HTTP to this machine's LAN address (the test command serves the
   emulator there too): refused by default, sent once allowed. */
static void test_plain_http_reaches_a_lan_host_once_allowed(void) {
    const char *lan = getenv("GAMEGATE_EMULATOR_LAN_URL");
    if (lan == NULL) {
        fprintf(stderr, "set GAMEGATE_EMULATOR_LAN_URL (cargo xtask test does) to the emulator's LAN URL\n");
        CHECK(lan != NULL);
        return;
    }
    gg_options *o = options_for(lan, GG_DISPATCH_TICK, 10000);
    kgen_client *c = NULL;
    CHECK_EQ_INT(kgen_client_new(CLIENT_ID, CLIENT_SECRET, o, &c), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(gg_options_set_allow_plain_http(o, 1), GG_OK);
    CHECK_EQ_INT(kgen_client_new(CLIENT_ID, CLIENT_SECRET, o, &c), GG_OK);
    gg_options_free(o);
    session_result r;
    create_one(c, "lan-player", &r);
    CHECK_EQ_INT(r.code, GG_OK);
    kgen_client_free(c);
}

static void test_options_reject_bad_values(void) {
    gg_options *o = gg_options_new();
    /* Plain HTTP beyond loopback: the setter takes it, the client refuses it. */
    CHECK_EQ_INT(gg_options_set_base_url(o, "http://example.com"), GG_OK);
    kgen_client *refused = (kgen_client *)0x1;
    CHECK_EQ_INT(kgen_client_new(CLIENT_ID, CLIENT_SECRET, o, &refused), GG_INVALID_ARGUMENT);
    CHECK(refused == NULL);
    char message[512];
    size_t len = 0;
    CHECK_EQ_INT(gg_last_error_message(message, sizeof message, &len), GG_OK);
    CHECK(strstr(message, "loopback") != NULL);
    CHECK_EQ_INT(len, strlen(message) + 1);
    CHECK_EQ_INT(gg_last_error_message(message, 3, &len), GG_BUFFER_TOO_SMALL);
    CHECK_EQ_INT(gg_last_error_message(NULL, 0, &len), GG_BUFFER_TOO_SMALL);
    CHECK(len > 3);

    CHECK_EQ_INT(gg_options_set_base_url(o, "https://stage-platform-protocols.kgen.io"), GG_OK);
    CHECK_EQ_INT(gg_options_set_base_url(o, "http://127.0.0.1:1"), GG_OK);
    CHECK_EQ_INT(gg_options_set_base_url(o, "gopher://127.0.0.1"), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(gg_options_set_base_url(o, NULL), GG_NULL_PARAM);
    CHECK_EQ_INT(gg_options_set_base_url(NULL, "https://a.b"), GG_NULL_PARAM);
    CHECK_EQ_INT(gg_options_set_base_url(o, "https://\xff\xfe"), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(gg_options_set_dispatch(o, 7), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(gg_options_set_dispatch(o, GG_DISPATCH_WORKER), GG_OK);
    CHECK_EQ_INT(gg_options_set_worker_threads(o, 0), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(gg_options_set_worker_threads(o, 100000), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(gg_options_set_timeout_ms(o, 0), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(gg_options_set_max_body_bytes(o, 0), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(gg_options_add_root_certificates_pem(o, "not a certificate"), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(gg_options_set_user_agent(o, "game/1.0\r\nx-evil: 1"), GG_INVALID_ARGUMENT);
    /* Plain HTTP to a LAN host (an Android emulator's 10.0.2.2): only once allowed, for
       development, whichever setter comes first; the client warns when it is created. */
    CHECK_EQ_INT(gg_options_set_base_url(o, "http://10.0.2.2:8910"), GG_OK);
    kgen_client *lan = NULL;
    CHECK_EQ_INT(kgen_client_new(CLIENT_ID, CLIENT_SECRET, o, &lan), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(gg_options_set_allow_plain_http(o, 2), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(gg_options_set_allow_plain_http(NULL, 1), GG_NULL_PARAM);
    CHECK_EQ_INT(gg_options_set_allow_plain_http(o, 1), GG_OK);
    gg_set_log_callback(GG_LOG_WARN, count_plain_http_warnings, NULL);
    CHECK_EQ_INT(kgen_client_new(CLIENT_ID, CLIENT_SECRET, o, &lan), GG_OK);
    gg_set_log_callback(GG_LOG_OFF, NULL, NULL);
    CHECK_EQ_INT(plain_http_warnings, 1);
    kgen_client_free(lan);
    gg_options_free(o);
    gg_options_free(NULL);
}

static void test_client_new_checks_arguments(void) {
    kgen_client *c = (kgen_client *)0x1;
    CHECK_EQ_INT(kgen_client_new(NULL, CLIENT_SECRET, NULL, &c), GG_NULL_PARAM);
    CHECK(c == NULL);
    CHECK_EQ_INT(kgen_client_new(CLIENT_ID, NULL, NULL, &c), GG_NULL_PARAM);
    CHECK_EQ_INT(kgen_client_new(CLIENT_ID, CLIENT_SECRET, NULL, NULL), GG_NULL_PARAM);
    CHECK_EQ_INT(kgen_client_new("", CLIENT_SECRET, NULL, &c), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(kgen_client_new("id\xc3\x28", CLIENT_SECRET, NULL, &c), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(kgen_client_new(CLIENT_ID, "secret\r\nx-injected: 1", NULL, &c), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(kgen_client_new("id\n", CLIENT_SECRET, NULL, &c), GG_INVALID_ARGUMENT);
    CHECK(c == NULL);
    /* The refusal message names the problem, never the secret. */
    char message[512];
    CHECK_EQ_INT(gg_last_error_message(message, sizeof message, NULL), GG_OK);
    CHECK(strstr(message, "control character") != NULL);
    CHECK(strstr(message, "x-injected") == NULL);

    gg_options *o = gg_options_new();
    CHECK_EQ_INT(kgen_client_new(CLIENT_ID, CLIENT_SECRET, o, &c), GG_OK); /* production URL */
    kgen_client_free(c);
    gg_options_free(o);
    kgen_client_free(NULL);
    CHECK_EQ_INT(kgen_client_tick(NULL), 0);
    CHECK_EQ_INT(kgen_client_cancel(NULL, 1), GG_NULL_PARAM);
}

/* ---- sessions --------------------------------------------------------------------------- */

static void test_create_session_twice_keeps_the_wallet(void) {
    kgen_client *c = client_for(emulator_url, GG_DISPATCH_TICK, 10000);
    session_result first, second;
    char user_id[64]; /* unique per run: the emulator remembers players */
    snprintf(user_id, sizeof user_id, "player-%.0f", gg_now_seconds() * 1e6);
    create_one(c, user_id, &first);
    CHECK_EQ_INT(first.code, GG_OK);
    CHECK_EQ_INT(first.struct_size, sizeof(kgen_session));
    CHECK_STR(first.user_id, user_id);
    char namespaced[128];
    snprintf(namespaced, sizeof namespaced, "%s#%s", CLIENT_ID, user_id);
    CHECK_STR(first.namespaced, namespaced);
    CHECK(strncmp(first.wallet, "0x", 2) == 0 && strlen(first.wallet) == 42);
    CHECK_EQ_INT(first.is_new_user, 1);
    CHECK(first.start_ms > 1700000000000LL); /* parsed from Go's time format */
    CHECK(first.raw_head[0] == '{');
    CHECK_EQ_INT(first.access_token_empty, 0);
    CHECK(pthread_equal(first.thread, pthread_self()));

    create_one(c, user_id, &second);
    CHECK_EQ_INT(second.code, GG_OK);
    CHECK_EQ_INT(second.is_new_user, 0);
    CHECK_STR(second.wallet, first.wallet);
    kgen_client_free(c);
}

static void test_tick_mode_calls_back_only_inside_tick(void) {
    kgen_client *c = client_for(emulator_url, GG_DISPATCH_TICK, 10000);
    session_result r;
    memset(&r, 0, sizeof r);
    uint64_t id = 0;
    gg_stats before = stats_now();
    CHECK_EQ_INT(kgen_create_session(c, "player-tick-only", on_session, &r, &id), GG_OK);
    CHECK(id != 0);
    /* Wait until the worker has finished the exchange: still no callback without a tick. */
    double deadline = gg_now_seconds() + WAIT_LIMIT_SECONDS;
    while (stats_now().requests_finished <= before.requests_finished && gg_now_seconds() < deadline) gg_pause();
    CHECK_EQ_INT(r.calls, 0);
    CHECK_EQ_INT(kgen_client_tick(c), 1);
    CHECK_EQ_INT(r.calls, 1);
    CHECK(pthread_equal(r.thread, pthread_self()));
    CHECK_EQ_INT(kgen_client_tick(c), 0);
    CHECK_EQ_INT(kgen_client_cancel(c, id), GG_INVALID_ARGUMENT); /* already delivered */
    kgen_client_free(c);
}

/* A tick inside one of the client's own callbacks runs nothing, and says GG_REENTRANT. */
typedef struct nested_tick {
    kgen_client *client;
    int calls;
    uint32_t inner_ran;
    char inner_message[256];
} nested_tick;

static void on_session_tick_inside(void *user_data, const gg_error *error, const kgen_session *session) {
    (void)error;
    (void)session;
    nested_tick *n = (nested_tick *)user_data;
    n->calls++;
    n->inner_ran = kgen_client_tick(n->client);
    CHECK_EQ_INT(gg_last_error_message(n->inner_message, sizeof n->inner_message, NULL), GG_OK);
}

static void test_a_tick_inside_a_callback_runs_nothing_and_says_reentrant(void) {
    nested_tick n;
    memset(&n, 0, sizeof n);
    n.client = client_for(emulator_url, GG_DISPATCH_TICK, 10000);
    session_result other;
    memset(&other, 0, sizeof other);
    CHECK_EQ_INT(kgen_create_session(n.client, "player-nested-1", on_session_tick_inside, &n, NULL), GG_OK);
    CHECK_EQ_INT(kgen_create_session(n.client, "player-nested-2", on_session, &other, NULL), GG_OK);
    double deadline = gg_now_seconds() + WAIT_LIMIT_SECONDS;
    while ((n.calls == 0 || other.calls == 0) && gg_now_seconds() < deadline) {
        kgen_client_tick(n.client);
        gg_pause();
    }
    CHECK_EQ_INT(n.calls, 1);
    CHECK_EQ_INT(other.calls, 1);
    CHECK_EQ_INT((int)n.inner_ran, 0);
    CHECK(strstr(n.inner_message, "GG_REENTRANT") != NULL);
    kgen_client_free(n.client);
}

static void test_profile_fields_are_sent(void) {
    kgen_client *c = client_for(emulator_url, GG_DISPATCH_TICK, 10000);
    kgen_profile *p = kgen_profile_new();
    CHECK_EQ_INT(kgen_profile_set_text(p, "email", "player@example.com"), GG_OK);
    CHECK_EQ_INT(kgen_profile_set_int(p, "level", 42), GG_OK);
    CHECK_EQ_INT(kgen_profile_set_flag(p, "fb_login", 1), GG_OK);
    CHECK_EQ_INT(kgen_profile_set_text(p, "user_id", "hijack"), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(kgen_profile_set_text(p, "no_such_field", "x"), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(kgen_profile_set_int(p, "email", 1), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(kgen_profile_set_flag(p, "fb_login", 2), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(kgen_profile_set_text(NULL, "email", "x"), GG_NULL_PARAM);
    session_result r;
    memset(&r, 0, sizeof r);
    CHECK_EQ_INT(kgen_create_session_with_profile(c, "player-profile", p, on_session, &r, NULL), GG_OK);
    kgen_profile_free(p); /* copied by the call */
    kgen_profile_free(NULL);
    tick_until(c, &r.calls, 1);
    CHECK_EQ_INT(r.code, GG_OK);
    CHECK_STR(r.email, "player@example.com");
    CHECK_EQ_INT(r.level, 42);
    kgen_client_free(c);
}

static void test_json_hostile_user_ids_round_trip(void) {
    const char *ids[] = {
        "quote\"back\\slash",
        "new\nline\ttab",
        "{\"user_id\":\"someone-else\"}",
        "unicode-\xc3\xa9\xe6\x97\xa5\xf0\x9f\x8e\xae",
        "</script><script>alert(1)</script>",
    };
    kgen_client *c = client_for(emulator_url, GG_DISPATCH_TICK, 10000);
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        session_result r;
        create_one(c, ids[i], &r);
        CHECK_EQ_INT(r.code, GG_OK);
        CHECK_STR(r.user_id, ids[i]);
    }
    kgen_client_free(c);
}

static void test_bad_arguments_never_call_back(void) {
    kgen_client *c = client_for(emulator_url, GG_DISPATCH_TICK, 10000);
    session_result r;
    memset(&r, 0, sizeof r);
    CHECK_EQ_INT(kgen_create_session(NULL, "p", on_session, &r, NULL), GG_NULL_PARAM);
    CHECK_EQ_INT(kgen_create_session(c, NULL, on_session, &r, NULL), GG_NULL_PARAM);
    CHECK_EQ_INT(kgen_create_session(c, "p", NULL, &r, NULL), GG_NULL_PARAM);
    CHECK_EQ_INT(kgen_create_session(c, "", on_session, &r, NULL), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(kgen_create_session(c, "bad\xff utf8", on_session, &r, NULL), GG_INVALID_ARGUMENT);
    json_result j;
    memset(&j, 0, sizeof j);
    CHECK_EQ_INT(kgen_request(c, "BREW", "/s2s/session", NULL, on_json, &j, NULL), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(kgen_request(c, "GET", "s2s/no-slash", NULL, on_json, &j, NULL), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(kgen_request(c, "GET", "/a b", NULL, on_json, &j, NULL), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(kgen_request(c, "POST", "/s2s/x", "{not json", on_json, &j, NULL), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(kgen_request(c, NULL, "/s2s/x", NULL, on_json, &j, NULL), GG_NULL_PARAM);
    CHECK_EQ_INT(kgen_request(c, "GET", "/s2s/x", NULL, NULL, &j, NULL), GG_NULL_PARAM);
    kgen_client_free(c); /* would deliver anything pending */
    CHECK_EQ_INT(r.calls, 0);
    CHECK_EQ_INT(j.calls, 0);
}

static void test_generic_request(void) {
    kgen_client *c = client_for(emulator_url, GG_DISPATCH_TICK, 10000);
    json_result r;
    memset(&r, 0, sizeof r);
    CHECK_EQ_INT(kgen_request(c, "GET", "/s2s/loyalty/rewardable-events", NULL, on_json, &r, NULL), GG_OK);
    tick_until(c, &r.calls, 1);
    CHECK_EQ_INT(r.code, GG_OK);
    CHECK(strstr(r.json, "\"events\"") != NULL);
    memset(&r, 0, sizeof r);
    CHECK_EQ_INT(kgen_request(c, "GET", "/s2s/no-such-endpoint", NULL, on_json, &r, NULL), GG_OK);
    tick_until(c, &r.calls, 1);
    CHECK_EQ_INT(r.code, GG_HTTP_STATUS);
    CHECK_EQ_INT(r.http_status, 404);
    kgen_client_free(c);
}

/* ---- failures --------------------------------------------------------------------------- */

static void test_wrong_credentials_are_http_401_without_the_secret(void) {
    gg_options *o = options_for(emulator_url, GG_DISPATCH_TICK, 10000);
    kgen_client *c = NULL;
    CHECK_EQ_INT(kgen_client_new(CLIENT_ID, "wrong-secret-value-XYZ", o, &c), GG_OK);
    gg_options_free(o);
    session_result r;
    create_one(c, "player-wrong-creds", &r);
    CHECK_EQ_INT(r.code, GG_HTTP_STATUS);
    CHECK_EQ_INT(r.http_status, 401);
    CHECK_STR(r.api_code, "UN_AUTHORIZED");
    CHECK(strlen(r.message) > 0);
    CHECK(strstr(r.message, "wrong-secret-value-XYZ") == NULL);
    kgen_client_free(c);
}

static void test_server_down_is_a_network_error(void) {
    kgen_client *c = client_for("http://127.0.0.1:1", GG_DISPATCH_TICK, 5000);
    session_result r;
    create_one(c, "player-no-server", &r);
    CHECK_EQ_INT(r.code, GG_NETWORK);
    CHECK_EQ_INT(r.http_status, 0);
    kgen_client_free(c);
}

static void test_slow_server_times_out(void) {
    emulator_control("/_emulator/faults", "{\"latency_ms\": 3000, \"times\": 1, \"path_prefix\": \"/s2s/session\"}");
    kgen_client *c = client_for(emulator_url, GG_DISPATCH_TICK, 300);
    session_result r;
    create_one(c, "player-timeout", &r);
    CHECK_EQ_INT(r.code, GG_TIMEOUT);
    kgen_client_free(c);
    emulator_control("/_emulator/reset", "{}");
}

static void test_server_errors_keep_status_and_message(void) {
    /* Every attempt (retries included) gets the 503 until the reset below. */
    emulator_control("/_emulator/faults",
                     "{\"status\": 503, \"path_prefix\": \"/s2s/session\", \"body\": \"{\\\"message\\\":\\\"maintenance\\\"}\"}");
    kgen_client *c = client_for(emulator_url, GG_DISPATCH_TICK, 10000);
    session_result r;
    create_one(c, "player-503", &r);
    CHECK_EQ_INT(r.code, GG_HTTP_STATUS);
    CHECK_EQ_INT(r.http_status, 503);
    CHECK_STR(r.message, "maintenance");
    emulator_control("/_emulator/reset", "{}");

    emulator_control("/_emulator/faults", "{\"status\": 500, \"times\": 1, \"path_prefix\": \"/s2s/session\", \"body\": \"<html>oops</html>\"}");
    create_one(c, "player-500", &r);
    CHECK_EQ_INT(r.code, GG_HTTP_STATUS);
    CHECK_EQ_INT(r.http_status, 500);
    CHECK(strstr(r.message, "oops") != NULL);

    emulator_control("/_emulator/faults", "{\"status\": 200, \"times\": 1, \"path_prefix\": \"/s2s/session\", \"body\": \"not json at all\"}");
    create_one(c, "player-garbage", &r);
    CHECK_EQ_INT(r.code, GG_BAD_RESPONSE);
    kgen_client_free(c);
}

static void test_oversized_body_is_a_bad_response(void) {
    gg_options *o = options_for(emulator_url, GG_DISPATCH_TICK, 10000);
    CHECK_EQ_INT(gg_options_set_max_body_bytes(o, 100), GG_OK); /* a session is ~1 KiB */
    kgen_client *c = NULL;
    CHECK_EQ_INT(kgen_client_new(CLIENT_ID, CLIENT_SECRET, o, &c), GG_OK);
    gg_options_free(o);
    session_result r;
    create_one(c, "player-big-body", &r);
    CHECK_EQ_INT(r.code, GG_BAD_RESPONSE);
    kgen_client_free(c);
}

/* ---- cancel and free -------------------------------------------------------------------- */

static void test_cancel_delivers_cancelled_once(void) {
    emulator_control("/_emulator/faults", "{\"latency_ms\": 1500, \"times\": 1, \"path_prefix\": \"/s2s/session\"}");
    kgen_client *c = client_for(emulator_url, GG_DISPATCH_TICK, 10000);
    gg_stats before = stats_now();
    session_result r;
    memset(&r, 0, sizeof r);
    uint64_t id = 0;
    CHECK_EQ_INT(kgen_create_session(c, "player-cancel", on_session, &r, &id), GG_OK);
    CHECK_EQ_INT(kgen_client_cancel(c, id), GG_OK);
    CHECK_EQ_INT(kgen_client_cancel(c, id), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(kgen_client_cancel(c, 987654321), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(r.calls, 0); /* tick mode: delivered by the next tick */
    tick_until(c, &r.calls, 1);
    CHECK_EQ_INT(r.code, GG_CANCELLED);
    /* Let the worker's own result arrive, then tick: it must be dropped, not delivered. */
    double deadline = gg_now_seconds() + WAIT_LIMIT_SECONDS;
    while (stats_now().requests_finished <= before.requests_finished && gg_now_seconds() < deadline) gg_pause();
    kgen_client_tick(c);
    kgen_client_tick(c);
    CHECK_EQ_INT(r.calls, 1);
    kgen_client_free(c);
    emulator_control("/_emulator/reset", "{}");
}

/* One connection, held by a request the server answers only after two minutes: cancelling it
 * must close that connection, so the request queued behind it goes out now, not once the
 * first one's two-minute timeout has passed (TICK_UNTIL gives up after 30 s). The slow path
 * is only the held request's, whether or not it reached the server before the cancel. */
static void test_cancel_frees_the_connection_for_the_next_request(void) {
    emulator_control("/_emulator/faults", "{\"latency_ms\": 120000, \"path_prefix\": \"/s2s/held\"}");
    gg_options *o = options_for(emulator_url, GG_DISPATCH_TICK, 120000);
    CHECK_EQ_INT(gg_options_set_worker_threads(o, 1), GG_OK);
    kgen_client *c = NULL;
    CHECK_EQ_INT(kgen_client_new(CLIENT_ID, CLIENT_SECRET, o, &c), GG_OK);
    gg_options_free(o);
    json_result held;
    session_result queued;
    memset(&held, 0, sizeof held);
    memset(&queued, 0, sizeof queued);
    uint64_t held_id = 0;
    CHECK_EQ_INT(kgen_request(c, "GET", "/s2s/held", NULL, on_json, &held, &held_id), GG_OK);
    CHECK_EQ_INT(kgen_create_session(c, "player-queued", on_session, &queued, NULL), GG_OK);
    CHECK_EQ_INT(kgen_client_cancel(c, held_id), GG_OK);
    tick_until(c, &queued.calls, 1);
    CHECK_EQ_INT(queued.code, GG_OK);
    CHECK_STR(queued.user_id, "player-queued");
    CHECK_EQ_INT(held.calls, 1);
    CHECK_EQ_INT(held.code, GG_CANCELLED);
    kgen_client_free(c);
    emulator_control("/_emulator/reset", "{}");
}

/* Library threads a client holds, counted from their spawn (gg_stats), idle and with eight
 * sessions on the wire: every request runs on the client's one I/O thread. */
static void check_threads_of_a_client(uint32_t dispatch, uint64_t expected) {
    emulator_control("/_emulator/faults", "{\"latency_ms\": 2000, \"path_prefix\": \"/s2s/session\"}");
    wait_for_threads_to_end();
    kgen_client *c = client_for(emulator_url, dispatch, 10000);
    CHECK_EQ_INT(stats_now().live_threads, expected);
    session_result pending[8];
    memset(pending, 0, sizeof pending);
    for (int i = 0; i < 8; i++) CHECK_EQ_INT(kgen_create_session(c, "player-threads", on_session, &pending[i], NULL), GG_OK);
    CHECK_EQ_INT(stats_now().live_threads, expected);
    kgen_client_free(c);
    for (int i = 0; i < 8; i++) CHECK_EQ_INT(pending[i].calls, 1);
    emulator_control("/_emulator/reset", "{}");
}

static void test_a_client_is_one_thread_in_tick_mode_and_two_in_worker_mode(void) {
    check_threads_of_a_client(GG_DISPATCH_TICK, 1);
    check_threads_of_a_client(GG_DISPATCH_WORKER, 2);
}

#define PENDING_COUNT 100

static void test_free_with_100_pending_answers_each_once(void) {
    emulator_control("/_emulator/faults", "{\"latency_ms\": 1000, \"path_prefix\": \"/s2s/session\"}");
    kgen_client *c = client_for(emulator_url, GG_DISPATCH_TICK, 10000);
    static session_result results[PENDING_COUNT];
    memset(results, 0, sizeof results);
    uint64_t ids[PENDING_COUNT];
    for (int i = 0; i < PENDING_COUNT; i++) {
        CHECK_EQ_INT(kgen_create_session(c, "player-pending", on_session, &results[i], &ids[i]), GG_OK);
        for (int j = 0; j < i; j++) CHECK(ids[j] != ids[i]);
    }
    double started = gg_now_seconds();
    kgen_client_free(c);
    double took = gg_now_seconds() - started;
    for (int i = 0; i < PENDING_COUNT; i++) {
        CHECK_EQ_INT(results[i].calls, 1);
        CHECK_EQ_INT(results[i].code, GG_SHUTDOWN);
        CHECK(pthread_equal(results[i].thread, pthread_self()));
    }
    (void)took; /* printed by the benchmark, never asserted */
    emulator_control("/_emulator/reset", "{}");
    /* Workers blocked in the slow exchanges end on their own; nothing calls back after free. */
    wait_for_threads_to_end();
    for (int i = 0; i < PENDING_COUNT; i++) CHECK_EQ_INT(results[i].calls, 1);
}

typedef struct free_in_callback {
    kgen_client *client;
    int calls;
    int freed;
    session_result other;
} free_in_callback;

static void on_session_then_free(void *user_data, const gg_error *error, const kgen_session *session) {
    (void)session;
    free_in_callback *f = (free_in_callback *)user_data;
    f->calls++;
    CHECK(error == NULL);
    CHECK_EQ_INT(kgen_client_tick(f->client), 0); /* re-entrant tick runs nothing */
    kgen_client_free(f->client);
    f->freed = 1;
}

static void test_free_from_inside_a_tick_callback(void) {
    emulator_control("/_emulator/faults", "{\"latency_ms\": 2000, \"times\": 1, \"path_prefix\": \"/s2s/session\"}");
    free_in_callback f;
    memset(&f, 0, sizeof f);
    gg_options *o = options_for(emulator_url, GG_DISPATCH_TICK, 10000);
    CHECK_EQ_INT(gg_options_set_worker_threads(o, 1), GG_OK);
    CHECK_EQ_INT(kgen_client_new(CLIENT_ID, CLIENT_SECRET, o, &f.client), GG_OK);
    gg_options_free(o);
    /* The slow one is still on the wire when the fast one's callback frees the client. */
    CHECK_EQ_INT(kgen_create_session(f.client, "player-slow", on_session, &f.other, NULL), GG_OK);
    emulator_control("/_emulator/reset", "{}");
    gg_options *o2 = options_for(emulator_url, GG_DISPATCH_TICK, 10000);
    kgen_client *fast = NULL;
    CHECK_EQ_INT(kgen_client_new(CLIENT_ID, CLIENT_SECRET, o2, &fast), GG_OK);
    gg_options_free(o2);
    /* A second client frees itself from its own callback while a request is pending on it. */
    free_in_callback g;
    memset(&g, 0, sizeof g);
    g.client = fast;
    CHECK_EQ_INT(kgen_create_session(fast, "player-fast", on_session_then_free, &g, NULL), GG_OK);
    CHECK_EQ_INT(kgen_create_session(fast, "player-fast-2", on_session, &g.other, NULL), GG_OK);
    double deadline = gg_now_seconds() + WAIT_LIMIT_SECONDS;
    while (!g.freed && gg_now_seconds() < deadline) {
        kgen_client_tick(fast);
        gg_pause();
    }
    CHECK_EQ_INT(g.calls, 1);
    CHECK_EQ_INT(g.freed, 1);
    /* The other request was answered exactly once: by its result or by GG_SHUTDOWN. */
    CHECK_EQ_INT(g.other.calls, 1);
    CHECK(g.other.code == GG_OK || g.other.code == GG_SHUTDOWN);
    kgen_client_free(f.client);
    CHECK_EQ_INT(f.other.calls, 1);
    CHECK_EQ_INT(f.other.code, GG_SHUTDOWN);
    wait_for_threads_to_end();
}

/* ---- worker dispatch -------------------------------------------------------------------- */

typedef struct worker_wait {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    session_result result;
    kgen_client *free_me;
    int done;
} worker_wait;

static void on_worker_session(void *user_data, const gg_error *error, const kgen_session *session) {
    worker_wait *w = (worker_wait *)user_data;
    on_session(&w->result, error, session);
    if (w->free_me) kgen_client_free(w->free_me); /* from the library's own callback thread */
    pthread_mutex_lock(&w->lock);
    w->done = 1;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

static void wait_worker(worker_wait *w) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)WAIT_LIMIT_SECONDS;
    pthread_mutex_lock(&w->lock);
    while (!w->done) {
        if (pthread_cond_timedwait(&w->cond, &w->lock, &until) != 0) break;
    }
    pthread_mutex_unlock(&w->lock);
    CHECK_EQ_INT(w->done, 1);
}

static void test_worker_mode_calls_back_on_a_library_thread(void) {
    kgen_client *c = client_for(emulator_url, GG_DISPATCH_WORKER, 10000);
    worker_wait w;
    memset(&w, 0, sizeof w);
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.cond, NULL);
    CHECK_EQ_INT(kgen_create_session(c, "player-worker", on_worker_session, &w, NULL), GG_OK);
    wait_worker(&w);
    CHECK_EQ_INT(w.result.calls, 1);
    CHECK_EQ_INT(w.result.code, GG_OK);
    CHECK(!pthread_equal(w.result.thread, pthread_self()));
    CHECK_EQ_INT(kgen_client_tick(c), 0);
    kgen_client_free(c);
    CHECK_EQ_INT(w.result.calls, 1);

    /* Freeing the client from inside its own worker-mode callback. */
    worker_wait w2;
    memset(&w2, 0, sizeof w2);
    pthread_mutex_init(&w2.lock, NULL);
    pthread_cond_init(&w2.cond, NULL);
    w2.free_me = client_for(emulator_url, GG_DISPATCH_WORKER, 10000);
    CHECK_EQ_INT(kgen_create_session(w2.free_me, "player-worker-free", on_worker_session, &w2, NULL), GG_OK);
    wait_worker(&w2);
    CHECK_EQ_INT(w2.result.calls, 1);
    wait_for_threads_to_end();
    pthread_mutex_destroy(&w.lock);
    pthread_cond_destroy(&w.cond);
    pthread_mutex_destroy(&w2.lock);
    pthread_cond_destroy(&w2.cond);
}

/* Worker dispatch: callbacks run on the client's callback thread, never its I/O thread, so a
 * request made while a callback takes its time (a game server writing to its database) goes
 * out at once: the emulator sees it arrive while the callback is still running. */
typedef struct slow_callback {
    kgen_client *client;
    int arrived_during; /* the second request reached the server during the first callback */
    emulator_reply second;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int calls;
} slow_callback;

static void on_slow_session(void *user_data, const gg_error *error, const kgen_session *session) {
    slow_callback *s = (slow_callback *)user_data;
    (void)session;
    CHECK(error == NULL);
    long long before = emulator_counter("arrivals");
    CHECK_EQ_INT(kgen_request(s->client, "GET", "/s2s/loyalty/rewardable-events", NULL, on_emulator_reply, &s->second, NULL), GG_OK);
    /* Up to 2 s of "work", watching for the request on the server meanwhile. */
    double until = gg_now_seconds() + 2.0;
    while (gg_now_seconds() < until && !s->arrived_during) {
        if (emulator_counter("arrivals") > before) s->arrived_during = 1;
        gg_pause();
    }
    pthread_mutex_lock(&s->lock);
    s->calls++;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

static void test_a_request_made_during_a_slow_worker_callback_goes_out_at_once(void) {
    static slow_callback s;
    memset(&s, 0, sizeof s);
    pthread_mutex_init(&s.lock, NULL);
    pthread_cond_init(&s.cond, NULL);
    s.client = client_for(emulator_url, GG_DISPATCH_WORKER, 10000);
    CHECK_EQ_INT(kgen_create_session(s.client, "player-slow-callback", on_slow_session, &s, NULL), GG_OK);
    pthread_mutex_lock(&s.lock);
    while (s.calls == 0) pthread_cond_wait(&s.cond, &s.lock);
    pthread_mutex_unlock(&s.lock);
    CHECK_EQ_INT(s.arrived_during, 1);
    double deadline = gg_now_seconds() + WAIT_LIMIT_SECONDS;
    while (__atomic_load_n(&s.second.calls, __ATOMIC_SEQ_CST) == 0 && gg_now_seconds() < deadline) gg_pause();
    kgen_client_free(s.client);
    CHECK_EQ_INT(s.second.calls, 1);
    CHECK_EQ_INT(s.second.code, GG_OK);
    pthread_mutex_destroy(&s.lock);
    pthread_cond_destroy(&s.cond);
}

/* A tick budget spreads a burst of answers over frames: one callback at least per tick. */
static void on_session_taking_a_while(void *user_data, const gg_error *error, const kgen_session *session) {
    /* The callback's own work: 300 us of it (a busy loop: a sleep that short rounds to nothing
     * on Windows). */
    double until = gg_now_seconds() + 300e-6;
    while (gg_now_seconds() < until) {
    }
    on_session(user_data, error, session);
}

static void test_a_tick_budget_spreads_callbacks_over_ticks(void) {
    gg_options *o = options_for(emulator_url, GG_DISPATCH_TICK, 10000);
    CHECK_EQ_INT(gg_options_set_tick_budget_us(NULL, 100), GG_NULL_PARAM);
    CHECK_EQ_INT(gg_options_set_tick_budget_us(o, 100), GG_OK);
    kgen_client *c = NULL;
    CHECK_EQ_INT(kgen_client_new(CLIENT_ID, CLIENT_SECRET, o, &c), GG_OK);
    gg_options_free(o);
    session_result r[5];
    memset(r, 0, sizeof r);
    unsigned long long finished = stats_now().requests_finished;
    for (int i = 0; i < 5; i++) CHECK_EQ_INT(kgen_create_session(c, "player-budget", on_session_taking_a_while, &r[i], NULL), GG_OK);
    double deadline = gg_now_seconds() + WAIT_LIMIT_SECONDS;
    while (stats_now().requests_finished - finished < 5 && gg_now_seconds() < deadline) gg_pause();
    /* All five are ready; each tick spends its 100 us budget on one 300 us callback. */
    CHECK_EQ_INT(kgen_client_tick(c), 1);
    CHECK_EQ_INT(kgen_client_tick(c), 1);
    int delivered = 2;
    for (int i = 0; i < 10 && delivered < 5; i++) delivered += (int)kgen_client_tick(c);
    CHECK_EQ_INT(delivered, 5);
    for (int i = 0; i < 5; i++) CHECK_EQ_INT(r[i].calls, 1);
    kgen_client_free(c);
}

/* ---- log capture, for the retry and logging tests ------------------------------------------ */

typedef struct log_capture {
    pthread_mutex_t lock;
    int lines;
    int leaked;
    int retries; /* "transient failure ... retry" lines */
} log_capture;

static void on_log(void *user_data, int32_t level, const char *message) {
    log_capture *l = (log_capture *)user_data;
    pthread_mutex_lock(&l->lock);
    l->lines++;
    if (level < GG_LOG_ERROR || level > GG_LOG_TRACE) l->leaked++;
    if (strstr(message, CLIENT_SECRET) || strstr(message, "kgen-at-") || strstr(message, "kgen-rt-")) l->leaked++;
    if (strstr(message, "transient failure")) l->retries++;
    pthread_mutex_unlock(&l->lock);
}

/* ---- retries ------------------------------------------------------------------------------ */

static kgen_client *client_with_retries(const char *url, uint32_t max_retries, uint32_t base_delay_ms) {
    gg_options *o = options_for(url, GG_DISPATCH_TICK, 10000);
    CHECK_EQ_INT(gg_options_set_retries(o, max_retries, base_delay_ms), GG_OK);
    kgen_client *c = NULL;
    CHECK_EQ_INT(kgen_client_new(CLIENT_ID, CLIENT_SECRET, o, &c), GG_OK);
    gg_options_free(o);
    return c;
}

static void test_retry_options_are_checked(void) {
    gg_options *o = gg_options_new();
    CHECK_EQ_INT(gg_options_set_retries(o, 11, 100), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(gg_options_set_retries(o, 1, 0), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(gg_options_set_retries(o, 0, 0), GG_OK);
    CHECK_EQ_INT(gg_options_set_retries(o, 10, 60000), GG_OK);
    CHECK_EQ_INT(gg_options_set_retries(NULL, 1, 1), GG_NULL_PARAM);
    gg_options_free(o);
}

static void test_session_creation_retries_transient_failures(void) {
    emulator_control("/_emulator/reset", "{}");
    kgen_client *c = client_with_retries(emulator_url, 2, 5);
    session_result r;

    /* Two 503s, then the real answer: three attempts, one callback, success. */
    long long before = emulator_counter("requests");
    emulator_control("/_emulator/faults", "{\"status\": 503, \"times\": 2, \"path_prefix\": \"/s2s/session\"}");
    create_one(c, "player-retried", &r);
    CHECK_EQ_INT(r.code, GG_OK);
    CHECK_EQ_INT(emulator_counter("requests") - before, 3);

    /* More failures than retries: the last answer comes back after 1 + 2 attempts. */
    before = emulator_counter("requests");
    emulator_control("/_emulator/faults", "{\"status\": 502, \"times\": 10, \"path_prefix\": \"/s2s/session\"}");
    create_one(c, "player-502", &r);
    CHECK_EQ_INT(r.code, GG_HTTP_STATUS);
    CHECK_EQ_INT(r.http_status, 502);
    CHECK_EQ_INT(emulator_counter("requests") - before, 3);
    emulator_control("/_emulator/reset", "{}");

    /* Not transient: a 500 or a 401 is answered at once. */
    before = emulator_counter("requests");
    emulator_control("/_emulator/faults", "{\"status\": 500, \"times\": 1, \"path_prefix\": \"/s2s/session\"}");
    create_one(c, "player-500-once", &r);
    CHECK_EQ_INT(r.http_status, 500);
    CHECK_EQ_INT(emulator_counter("requests") - before, 1);
    kgen_client_free(c);

    /* Retries off: one attempt. */
    kgen_client *once = client_with_retries(emulator_url, 0, 0);
    before = emulator_counter("requests");
    emulator_control("/_emulator/faults", "{\"status\": 504, \"times\": 1, \"path_prefix\": \"/s2s/session\"}");
    create_one(once, "player-504", &r);
    CHECK_EQ_INT(r.http_status, 504);
    CHECK_EQ_INT(emulator_counter("requests") - before, 1);
    kgen_client_free(once);
    emulator_control("/_emulator/reset", "{}");
}

static void test_generic_gets_retry_but_posts_do_not(void) {
    kgen_client *c = client_with_retries(emulator_url, 3, 5);
    emulator_reply r;
    long long before = emulator_counter("requests");
    emulator_control("/_emulator/faults", "{\"status\": 503, \"times\": 1, \"path_prefix\": \"/s2s/loyalty\"}");
    memset(&r, 0, sizeof r);
    CHECK_EQ_INT(kgen_request(c, "GET", "/s2s/loyalty/rewardable-events", NULL, on_emulator_reply, &r, NULL), GG_OK);
    tick_until(c, &r.calls, 1);
    CHECK_EQ_INT(r.code, GG_OK);
    CHECK_EQ_INT(emulator_counter("requests") - before, 2);

    before = emulator_counter("requests");
    emulator_control("/_emulator/faults", "{\"status\": 503, \"times\": 1, \"path_prefix\": \"/s2s/loyalty\"}");
    memset(&r, 0, sizeof r);
    CHECK_EQ_INT(kgen_request(c, "POST", "/s2s/loyalty/rewardable-events", "{}", on_emulator_reply, &r, NULL), GG_OK);
    tick_until(c, &r.calls, 1);
    CHECK_EQ_INT(r.code, GG_HTTP_STATUS);
    CHECK_EQ_INT(emulator_counter("requests") - before, 1);
    kgen_client_free(c);
    emulator_control("/_emulator/reset", "{}");
}

static void test_refused_connections_are_retried_within_the_timeout(void) {
    static log_capture l;
    memset(&l, 0, sizeof l);
    pthread_mutex_init(&l.lock, NULL);
    gg_set_log_callback(GG_LOG_DEBUG, on_log, &l);
    kgen_client *c = client_with_retries("http://127.0.0.1:1", 3, 1);
    session_result r;
    create_one(c, "player-refused", &r);
    CHECK_EQ_INT(r.code, GG_NETWORK);
    kgen_client_free(c);
    gg_set_log_callback(GG_LOG_OFF, NULL, NULL);
    pthread_mutex_lock(&l.lock);
    CHECK_EQ_INT(l.retries, 3);
    CHECK_EQ_INT(l.leaked, 0);
    pthread_mutex_unlock(&l.lock);
    pthread_mutex_destroy(&l.lock);
}

/* ---- logging ---------------------------------------------------------------------------- */

static void test_log_lines_arrive_without_secrets(void) {
    static log_capture l;
    memset(&l, 0, sizeof l);
    pthread_mutex_init(&l.lock, NULL);
    gg_set_log_callback(GG_LOG_TRACE, on_log, &l);
    kgen_client *c = client_for(emulator_url, GG_DISPATCH_TICK, 10000);
    session_result r;
    create_one(c, "player-logged", &r);
    CHECK_EQ_INT(r.code, GG_OK);
    kgen_client_free(c);
    gg_set_log_callback(GG_LOG_OFF, NULL, NULL);
    pthread_mutex_lock(&l.lock);
    CHECK(l.lines > 0);
    CHECK_EQ_INT(l.leaked, 0);
    pthread_mutex_unlock(&l.lock);
    pthread_mutex_destroy(&l.lock);
}

int main(void) {
    emulator_url = emulator_url_from_env();
    RUN(test_version_and_result_names);
    RUN(test_options_reject_bad_values);
    RUN(test_plain_http_reaches_a_lan_host_once_allowed);
    RUN(test_client_new_checks_arguments);
    RUN(test_create_session_twice_keeps_the_wallet);
    RUN(test_tick_mode_calls_back_only_inside_tick);
    RUN(test_a_tick_inside_a_callback_runs_nothing_and_says_reentrant);
    RUN(test_profile_fields_are_sent);
    RUN(test_json_hostile_user_ids_round_trip);
    RUN(test_bad_arguments_never_call_back);
    RUN(test_generic_request);
    RUN(test_wrong_credentials_are_http_401_without_the_secret);
    RUN(test_server_down_is_a_network_error);
    RUN(test_slow_server_times_out);
    RUN(test_server_errors_keep_status_and_message);
    RUN(test_oversized_body_is_a_bad_response);
    RUN(test_cancel_delivers_cancelled_once);
    RUN(test_cancel_frees_the_connection_for_the_next_request);
    RUN(test_a_client_is_one_thread_in_tick_mode_and_two_in_worker_mode);
    RUN(test_free_with_100_pending_answers_each_once);
    RUN(test_free_from_inside_a_tick_callback);
    RUN(test_worker_mode_calls_back_on_a_library_thread);
    RUN(test_a_request_made_during_a_slow_worker_callback_goes_out_at_once);
    RUN(test_a_tick_budget_spreads_callbacks_over_ticks);
    RUN(test_log_lines_arrive_without_secrets);
    RUN(test_retry_options_are_checked);
    RUN(test_session_creation_retries_transient_failures);
    RUN(test_generic_gets_retry_but_posts_do_not);
    RUN(test_refused_connections_are_retried_within_the_timeout);
    wait_for_threads_to_end();
    CHECK_EQ_INT(stats_now().live_clients, 0);
    return gg_test_summary("c kgen suite");
}
