/* Elixir player sign-in through the C ABI, against the emulator at $GAMEGATE_EMULATOR_URL. */
#include "gg_test.h"

#include <pthread.h>

#include "gamegate.h"
#include "gg_emulator.h"

/* Everything a session callback or the listener saw, in order. */
typedef struct flow {
    int calls;
    int code;
    int http_status;
    char api_code[64];
    char message[256];
    char token[256];
    char refresh_token[256];
    char user_id[128];
    char transaction_id[128];
    char json[4096];
    int new_account;
    long long token_life_ms;
    long long token_expiry_ms;
    char order[64]; /* 'L' listener with a session, 'N' listener with NULL, 'C' callback */
    int listener_calls;
} flow;

static void note(flow *f, char c) {
    size_t n = strlen(f->order);
    if (n + 1 < sizeof f->order) f->order[n] = c;
}

static void keep_error(flow *f, const gg_error *e) {
    f->code = e->code;
    f->http_status = e->http_status;
    snprintf(f->api_code, sizeof f->api_code, "%s", e->api_code);
    snprintf(f->message, sizeof f->message, "%s", e->message);
}

static void on_session(void *user_data, const gg_error *error, const elixir_session *s) {
    flow *f = (flow *)user_data;
    f->calls++;
    note(f, 'C');
    if (error) {
        CHECK(s == NULL);
        keep_error(f, error);
        return;
    }
    f->code = GG_OK;
    CHECK_EQ_INT(s->struct_size, sizeof(elixir_session));
    snprintf(f->token, sizeof f->token, "%s", s->token);
    snprintf(f->refresh_token, sizeof f->refresh_token, "%s", s->refresh_token);
    snprintf(f->user_id, sizeof f->user_id, "%s", s->user_id);
    f->new_account = s->new_account;
    f->token_life_ms = s->token_life_ms;
    f->token_expiry_ms = s->token_expiry_ms;
    CHECK(s->ban_reason != NULL && s->user_status != NULL && s->raw_json != NULL);
}

static void on_listener(void *user_data, const elixir_session *s) {
    flow *f = (flow *)user_data;
    f->listener_calls++;
    note(f, s ? 'L' : 'N');
}

static void on_otp(void *user_data, const gg_error *error, const char *transaction_id) {
    flow *f = (flow *)user_data;
    f->calls++;
    if (error) {
        CHECK(transaction_id == NULL);
        keep_error(f, error);
        return;
    }
    f->code = GG_OK;
    snprintf(f->transaction_id, sizeof f->transaction_id, "%s", transaction_id);
}

static void on_done(void *user_data, const gg_error *error) {
    flow *f = (flow *)user_data;
    f->calls++;
    note(f, 'C');
    if (error) keep_error(f, error); else f->code = GG_OK;
}

static void on_json(void *user_data, const gg_error *error, const char *json) {
    flow *f = (flow *)user_data;
    f->calls++;
    if (error) {
        keep_error(f, error);
        return;
    }
    f->code = GG_OK;
    snprintf(f->json, sizeof f->json, "%s", json);
}

static elixir_client *client_with(const char *api_key, uint32_t timeout_ms) {
    gg_options *o = gg_options_new();
    CHECK_EQ_INT(gg_options_set_base_url(o, emulator_url), GG_OK);
    CHECK_EQ_INT(gg_options_set_timeout_ms(o, timeout_ms), GG_OK);
    elixir_client *c = NULL;
    CHECK_EQ_INT(elixir_client_new(api_key, o, &c), GG_OK);
    gg_options_free(o);
    return c;
}

static void tick_until(elixir_client *c, const int *counter, int want) {
    TICK_UNTIL(elixir_client_tick, c, counter, want);
}

static void unique_email(char *out, size_t cap, const char *who) {
    snprintf(out, cap, "%s-%.0f@example.com", who, gg_now_seconds() * 1e6);
}

/* The full e-mail flow: request, read the "e-mailed" code from the emulator, verify. */
static void sign_in(elixir_client *c, const char *email, flow *f) {
    flow otp;
    memset(&otp, 0, sizeof otp);
    CHECK_EQ_INT(elixir_otp_request(c, email, on_otp, &otp, NULL), GG_OK);
    tick_until(c, &otp.calls, 1);
    CHECK_EQ_INT(otp.code, GG_OK);
    CHECK(strncmp(otp.transaction_id, "OTP:", 4) == 0);
    char path[256], reply[512], code[16];
    snprintf(path, sizeof path, "/_emulator/elixir/otp?email=%s", email);
    emulator_call("GET", path, NULL, reply, sizeof reply);
    json_string(reply, "code", code, sizeof code);
    CHECK_EQ_INT(strlen(code), 5);
    memset(f, 0, sizeof *f);
    CHECK_EQ_INT(elixir_otp_verify(c, otp.transaction_id, code, on_session, f, NULL), GG_OK);
    tick_until(c, &f->calls, 1);
}

/* One refresh, waited for. */
static void refresh_now(elixir_client *c, flow *f) {
    memset(f, 0, sizeof *f);
    CHECK_EQ_INT(elixir_session_refresh(c, on_session, f, NULL), GG_OK);
    tick_until(c, &f->calls, 1);
}

/* Listens for session changes on `c`, then signs a new player in: the listener has heard once. */
static void sign_in_listening(elixir_client *c, const char *who, flow *listener, flow *f) {
    memset(listener, 0, sizeof *listener);
    CHECK_EQ_INT(elixir_client_set_session_listener(c, on_listener, listener), GG_OK);
    char email[128];
    unique_email(email, sizeof email, who);
    sign_in(c, email, f);
    CHECK_EQ_INT(f->code, GG_OK);
    CHECK_EQ_INT(listener->listener_calls, 1);
}

/* ---- tests --------------------------------------------------------------------------------- */

static void test_otp_sign_in_stores_the_session_and_fires_the_listener_first(void) {
    elixir_client *c = client_with(EMULATOR_API_KEY, 10000);
    flow f;
    memset(&f, 0, sizeof f);
    CHECK_EQ_INT(elixir_client_set_session_listener(c, on_listener, &f), GG_OK);
    CHECK_EQ_INT(elixir_client_set_device_info(c, "Pixel 9", "device-1234"), GG_OK);
    char email[128];
    unique_email(email, sizeof email, "otp");
    flow result;
    sign_in(c, email, &result);
    CHECK_EQ_INT(result.code, GG_OK);
    CHECK(strlen(result.token) > 10 && strlen(result.refresh_token) > 10 && strlen(result.user_id) > 0);
    CHECK_EQ_INT(result.new_account, 1);
    CHECK(result.token_life_ms > 4294967296LL); /* 64-bit lifetimes survive */
    CHECK_STR(f.order, "L"); /* the listener ran (the callback is recorded in `result`) */
    char token[256];
    size_t len = 0;
    CHECK_EQ_INT(elixir_client_access_token(c, token, sizeof token, &len), GG_OK);
    CHECK_STR(token, result.token);
    CHECK_EQ_INT(elixir_client_access_token(c, token, 4, &len), GG_BUFFER_TOO_SMALL);
    CHECK_EQ_INT(len, strlen(result.token) + 1);
    char device[256], model[64];
    emulator_call("GET", "/_emulator/elixir/device", NULL, device, sizeof device);
    json_string(device, "deviceModel", model, sizeof model);
    CHECK_STR(model, "Pixel 9");

    /* Signing in again with the same address is not a new account. */
    flow again;
    sign_in(c, email, &again);
    CHECK_EQ_INT(again.new_account, 0);
    elixir_client_free(c);
}

static void test_listener_runs_before_the_callback(void) {
    elixir_client *c = client_with(EMULATOR_API_KEY, 10000);
    flow f;
    memset(&f, 0, sizeof f);
    CHECK_EQ_INT(elixir_client_set_session_listener(c, on_listener, &f), GG_OK);
    char reply[256], qr[128];
    emulator_call("POST", "/_emulator/elixir/qr", "{\"email\":\"qr-order@example.com\"}", reply, sizeof reply);
    json_string(reply, "qrValue", qr, sizeof qr);
    CHECK(strncmp(qr, "REIKEY:", 7) == 0);
    CHECK_EQ_INT(elixir_qr_verify(c, qr, on_session, &f, NULL), GG_OK);
    tick_until(c, &f.calls, 1);
    CHECK_EQ_INT(f.code, GG_OK);
    CHECK_STR(f.order, "LC");
    CHECK_STR(f.user_id, ""); /* the QR flow sends no user */
    CHECK_EQ_INT(f.new_account, 0);
    /* A QR value works once. */
    flow twice;
    memset(&twice, 0, sizeof twice);
    CHECK_EQ_INT(elixir_qr_verify(c, qr, on_session, &twice, NULL), GG_OK);
    tick_until(c, &twice.calls, 1);
    CHECK_EQ_INT(twice.code, GG_API_ERROR);
    CHECK_STR(twice.api_code, "1000");
    elixir_client_free(c);
}

static void test_wrong_code_and_wrong_api_key_are_api_errors(void) {
    elixir_client *c = client_with(EMULATOR_API_KEY, 10000);
    flow otp;
    memset(&otp, 0, sizeof otp);
    CHECK_EQ_INT(elixir_otp_request(c, "wrong-code@example.com", on_otp, &otp, NULL), GG_OK);
    tick_until(c, &otp.calls, 1);
    flow f;
    memset(&f, 0, sizeof f);
    CHECK_EQ_INT(elixir_otp_verify(c, otp.transaction_id, "XXXXX", on_session, &f, NULL), GG_OK);
    tick_until(c, &f.calls, 1);
    CHECK_EQ_INT(f.code, GG_API_ERROR);
    CHECK_EQ_INT(f.http_status, 400);
    CHECK_STR(f.api_code, "1000");
    CHECK_STR(f.message, "Invalid Credentials!");
    CHECK(strstr(f.message, "XXXXX") == NULL);
    elixir_client_free(c);

    elixir_client *bad = client_with("not-the-key", 10000);
    memset(&otp, 0, sizeof otp);
    CHECK_EQ_INT(elixir_otp_request(bad, "someone@example.com", on_otp, &otp, NULL), GG_OK);
    tick_until(bad, &otp.calls, 1);
    CHECK_EQ_INT(otp.code, GG_API_ERROR);
    CHECK_STR(otp.api_code, "1001");
    CHECK_STR(otp.message, "Invalid API Key");
    elixir_client_free(bad);
}

static void test_refresh_rotates_and_a_used_token_is_rejected(void) {
    elixir_client *c = client_with(EMULATOR_API_KEY, 10000);
    char email[128];
    unique_email(email, sizeof email, "rotate");
    flow first;
    sign_in(c, email, &first);
    CHECK_EQ_INT(first.code, GG_OK);
    flow refreshed;
    refresh_now(c, &refreshed);
    CHECK_EQ_INT(refreshed.code, GG_OK);
    CHECK(strcmp(refreshed.refresh_token, first.refresh_token) != 0);
    CHECK(strcmp(refreshed.token, first.token) != 0);
    char stored[256];
    CHECK_EQ_INT(elixir_client_refresh_token(c, stored, sizeof stored, NULL), GG_OK);
    CHECK_STR(stored, refreshed.refresh_token);

    /* Another client holding the old (rotated) token: rejected with the string code, and the
     * rejection signs it out (listener with NULL). */
    elixir_client *stale = client_with(EMULATOR_API_KEY, 10000);
    flow listener;
    memset(&listener, 0, sizeof listener);
    CHECK_EQ_INT(elixir_client_set_session_listener(stale, on_listener, &listener), GG_OK);
    CHECK_EQ_INT(elixir_client_restore_session(stale, first.refresh_token), GG_OK);
    flow rejected;
    refresh_now(stale, &rejected);
    CHECK_EQ_INT(rejected.code, GG_API_ERROR);
    CHECK_STR(rejected.api_code, "INVALID_REFRESH_TOKEN");
    CHECK_STR(listener.order, "N");
    CHECK_EQ_INT(elixir_client_refresh_token(stale, stored, sizeof stored, NULL), GG_NOT_SIGNED_IN);
    CHECK_EQ_INT(elixir_session_refresh(stale, on_session, &rejected, NULL), GG_NOT_SIGNED_IN);
    CHECK_EQ_INT(rejected.calls, 1);
    elixir_client_free(stale);
    elixir_client_free(c);
}

/* The server executes a refresh (and rotates the refresh token) but its answer arrives after
 * the caller's timeout: the caller hears GG_TIMEOUT, the answer is still stored (the listener
 * hears the new session), and the next refresh works. Thrown away, it would sign the player
 * out: the next refresh would send the rotated-out token. */
static void test_a_late_refresh_answer_keeps_the_player_signed_in(void) {
    elixir_client *c = client_with(EMULATOR_API_KEY, 500);
    flow listener, first;
    sign_in_listening(c, "late-refresh", &listener, &first);
    emulator_control("/_emulator/faults", "{\"latency_ms\": 1500, \"times\": 1, \"path_prefix\": \"/sdk/auth/v2/session/refresh\"}");
    flow late;
    refresh_now(c, &late);
    CHECK_EQ_INT(late.code, GG_TIMEOUT);
    /* The answer arrives a second later and is stored. */
    tick_until(c, &listener.listener_calls, 2);
    CHECK_STR(listener.order, "LL");
    char stored[256];
    CHECK_EQ_INT(elixir_client_refresh_token(c, stored, sizeof stored, NULL), GG_OK);
    CHECK(strcmp(stored, first.refresh_token) != 0);
    flow next;
    refresh_now(c, &next);
    CHECK_EQ_INT(next.code, GG_OK);
    CHECK_STR(next.api_code, "");
    emulator_control("/_emulator/reset", "{}");
    elixir_client_free(c);
}

static void test_restore_from_a_persisted_token_then_call(void) {
    elixir_client *game = client_with(EMULATOR_API_KEY, 10000);
    char email[128];
    unique_email(email, sizeof email, "restore");
    flow first;
    sign_in(game, email, &first);
    char persisted[256];
    CHECK_EQ_INT(elixir_client_refresh_token(game, persisted, sizeof persisted, NULL), GG_OK);
    elixir_client_free(game); /* the game quits */

    elixir_client *next_launch = client_with(EMULATOR_API_KEY, 10000);
    flow listener;
    memset(&listener, 0, sizeof listener);
    CHECK_EQ_INT(elixir_client_set_session_listener(next_launch, on_listener, &listener), GG_OK);
    CHECK_EQ_INT(elixir_client_restore_session(next_launch, persisted), GG_OK);
    flow info;
    memset(&info, 0, sizeof info);
    CHECK_EQ_INT(elixir_request(next_launch, "GET", "/sdk/v2/userinfo", NULL, on_json, &info, NULL), GG_OK);
    tick_until(next_launch, &info.calls, 1);
    CHECK_EQ_INT(info.code, GG_OK);
    char sub[128], mail[128];
    json_string(info.json, "sub", sub, sizeof sub);
    json_string(info.json, "email", mail, sizeof mail);
    CHECK_STR(sub, first.user_id);
    CHECK_STR(mail, email);
    CHECK_STR(listener.order, "L"); /* refreshed first, and announced */
    elixir_client_free(next_launch);
}

static void test_eight_calls_after_expiry_share_one_refresh(void) {
    /* Tokens that live 30 s are inside the default 60 s refresh margin from the start. */
    emulator_control("/_emulator/config", "{\"token_life_ms\": 30000}");
    elixir_client *c = client_with(EMULATOR_API_KEY, 30000); /* generous: valgrind is slow */
    char email[128];
    unique_email(email, sizeof email, "eight");
    flow f;
    sign_in(c, email, &f);
    emulator_control("/_emulator/config", "{\"token_life_ms\": 30000000000}");
    long long before = emulator_counter("refreshes");
    flow calls[8];
    memset(calls, 0, sizeof calls);
    for (int i = 0; i < 8; i++) CHECK_EQ_INT(elixir_request(c, "GET", "/sdk/v2/userinfo", NULL, on_json, &calls[i], NULL), GG_OK);
    double deadline = gg_now_seconds() + WAIT_LIMIT_SECONDS;
    int done = 0;
    while (done < 8 && gg_now_seconds() < deadline) {
        elixir_client_tick(c);
        done = 0;
        for (int i = 0; i < 8; i++) done += calls[i].calls;
        gg_pause();
    }
    for (int i = 0; i < 8; i++) {
        CHECK_EQ_INT(calls[i].calls, 1);
        CHECK_EQ_INT(calls[i].code, GG_OK);
        if (calls[i].code != GG_OK) fprintf(stderr, "  call %d: %s\n", i, calls[i].message);
    }
    CHECK_EQ_INT(emulator_counter("refreshes") - before, 1);
    elixir_client_free(c);
}

static void test_sign_out_clears_locally_even_without_an_answer(void) {
    elixir_client *c = client_with(EMULATOR_API_KEY, 500);
    char email[128];
    unique_email(email, sizeof email, "signout");
    flow f;
    sign_in(c, email, &f);
    CHECK_EQ_INT(f.code, GG_OK);
    flow listener;
    memset(&listener, 0, sizeof listener);
    CHECK_EQ_INT(elixir_client_set_session_listener(c, on_listener, &listener), GG_OK);
    emulator_control("/_emulator/faults", "{\"latency_ms\": 3000, \"times\": 1, \"path_prefix\": \"/sdk/auth/v2/session/signout\"}");
    CHECK_EQ_INT(elixir_sign_out(c, on_done, &listener, NULL), GG_OK);
    tick_until(c, &listener.calls, 1);
    emulator_control("/_emulator/reset", "{}");
    CHECK_EQ_INT(listener.code, GG_TIMEOUT);
    CHECK_STR(listener.order, "NC");
    char token[256];
    CHECK_EQ_INT(elixir_client_access_token(c, token, sizeof token, NULL), GG_NOT_SIGNED_IN);

    /* And the normal case: the server's answer reaches the callback. */
    sign_in(c, email, &f);
    flow out;
    memset(&out, 0, sizeof out);
    CHECK_EQ_INT(elixir_sign_out(c, on_done, &out, NULL), GG_OK);
    tick_until(c, &out.calls, 1);
    CHECK_EQ_INT(out.code, GG_OK);
    elixir_client_free(c);
}

static void test_calls_that_need_a_session_say_so(void) {
    elixir_client *c = client_with(EMULATOR_API_KEY, 10000);
    flow f;
    memset(&f, 0, sizeof f);
    CHECK_EQ_INT(elixir_sign_out(c, on_done, &f, NULL), GG_NOT_SIGNED_IN);
    CHECK_EQ_INT(elixir_request(c, "GET", "/sdk/v2/userinfo", NULL, on_json, &f, NULL), GG_NOT_SIGNED_IN);
    CHECK_EQ_INT(elixir_session_refresh(c, on_session, &f, NULL), GG_NOT_SIGNED_IN);
    CHECK_EQ_INT(elixir_otp_request(c, NULL, on_otp, &f, NULL), GG_NULL_PARAM);
    CHECK_EQ_INT(elixir_otp_request(c, "a@b.c", NULL, &f, NULL), GG_NULL_PARAM);
    CHECK_EQ_INT(elixir_otp_verify(c, "tx", "\xff\xfe", on_session, &f, NULL), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(elixir_client_restore_session(c, ""), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(elixir_client_new("key\r\n", NULL, NULL), GG_NULL_PARAM);
    elixir_client *x = NULL;
    CHECK_EQ_INT(elixir_client_new("key\r\n", NULL, &x), GG_INVALID_ARGUMENT);
    CHECK(x == NULL);
    elixir_client_free(c);
    CHECK_EQ_INT(f.calls, 0);
}

/* Collects every log line (any thread) and counts those containing `needle`. */
typedef struct log_search {
    pthread_mutex_t lock;
    const char *needle;
    int lines;
    int hits;
} log_search;

static void on_log(void *user_data, int32_t level, const char *message) {
    (void)level;
    log_search *l = (log_search *)user_data;
    pthread_mutex_lock(&l->lock);
    l->lines++;
    if (strstr(message, l->needle)) l->hits++;
    pthread_mutex_unlock(&l->lock);
}

static void test_launcher_reikey_sign_in_and_close(void) {
    elixir_client *c = client_with(EMULATOR_API_KEY, 10000);
    char reply[256], key[128];
    emulator_call("GET", "/_emulator/elixir/reikey?playerId=launcher-7", NULL, reply, sizeof reply);
    json_string(reply, "reikey", key, sizeof key);
    static log_search logs;
    memset(&logs, 0, sizeof logs);
    pthread_mutex_init(&logs.lock, NULL);
    logs.needle = key; /* the key travels in the URL path: it must never reach a log line */
    gg_set_log_callback(GG_LOG_TRACE, on_log, &logs);
    flow f;
    memset(&f, 0, sizeof f);
    CHECK_EQ_INT(elixir_reikey_sign_in(c, key, on_session, &f, NULL), GG_OK);
    tick_until(c, &f.calls, 1);
    CHECK_EQ_INT(f.code, GG_OK);
    CHECK(strlen(f.user_id) > 0);
    flow closed;
    memset(&closed, 0, sizeof closed);
    CHECK_EQ_INT(elixir_reikey_close(c, key, on_done, &closed, NULL), GG_OK);
    tick_until(c, &closed.calls, 1);
    CHECK_EQ_INT(closed.code, GG_OK);
    flow again;
    memset(&again, 0, sizeof again);
    CHECK_EQ_INT(elixir_reikey_sign_in(c, key, on_session, &again, NULL), GG_OK);
    tick_until(c, &again.calls, 1);
    CHECK_EQ_INT(again.code, GG_API_ERROR);
    elixir_client_free(c);
    gg_set_log_callback(GG_LOG_OFF, NULL, NULL);
    CHECK(logs.lines >= 3);
    CHECK_EQ_INT(logs.hits, 0);
    pthread_mutex_destroy(&logs.lock);
}

static void test_free_with_sign_ins_pending(void) {
    emulator_control("/_emulator/faults", "{\"latency_ms\": 1500, \"path_prefix\": \"/sdk/auth/v2/signin\"}");
    elixir_client *c = client_with(EMULATOR_API_KEY, 10000);
    flow listener;
    memset(&listener, 0, sizeof listener);
    CHECK_EQ_INT(elixir_client_set_session_listener(c, on_listener, &listener), GG_OK);
    flow pending[6];
    memset(pending, 0, sizeof pending);
    for (int i = 0; i < 6; i++) CHECK_EQ_INT(elixir_otp_verify(c, "OTP:none", "00000", on_session, &pending[i], NULL), GG_OK);
    elixir_client_free(c);
    for (int i = 0; i < 6; i++) {
        CHECK_EQ_INT(pending[i].calls, 1);
        CHECK_EQ_INT(pending[i].code, GG_SHUTDOWN);
    }
    emulator_control("/_emulator/reset", "{}");
    wait_for_threads_to_end();
    for (int i = 0; i < 6; i++) CHECK_EQ_INT(pending[i].calls, 1);
    CHECK_EQ_INT(listener.listener_calls, 0);
    /* Requests that never left the queue count as finished too: the books balance. */
    gg_stats after = stats_now();
    CHECK_EQ_INT(after.requests_finished, after.requests_started);
}

static void test_background_refresh_keeps_an_idle_session_fresh(void) {
    emulator_control("/_emulator/config", "{\"token_life_ms\": 4000}");
    gg_options *o = gg_options_new();
    CHECK_EQ_INT(gg_options_set_base_url(o, emulator_url), GG_OK);
    CHECK_EQ_INT(gg_options_set_background_refresh(o, 2), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(gg_options_set_background_refresh(o, 1), GG_OK);
    elixir_client *c = NULL;
    CHECK_EQ_INT(elixir_client_new(EMULATOR_API_KEY, o, &c), GG_OK);
    gg_options_free(o);
    flow listener, f;
    sign_in_listening(c, "background", &listener, &f);
    long long before = emulator_counter("refreshes");
    /* No call at all: the game only ticks, and the session is refreshed before it expires. */
    tick_until(c, &listener.listener_calls, 2);
    CHECK(emulator_counter("refreshes") > before);
    char token[256];
    CHECK_EQ_INT(elixir_client_access_token(c, token, sizeof token, NULL), GG_OK);
    CHECK(strcmp(token, f.token) != 0);
    elixir_client_free(c);
    emulator_control("/_emulator/config", "{\"token_life_ms\": 30000000000}");
    wait_for_threads_to_end();
}

/* One connection, held by an authorized call the server answers only after two minutes:
 * cancelling it must close that connection, so the OTP request queued behind it goes out
 * now, not once the held call's two-minute timeout has passed (TICK_UNTIL gives up after 30 s). */
static void test_cancel_aborts_an_elixir_call_on_the_wire(void) {
    gg_options *o = gg_options_new();
    CHECK_EQ_INT(gg_options_set_base_url(o, emulator_url), GG_OK);
    CHECK_EQ_INT(gg_options_set_timeout_ms(o, 120000), GG_OK);
    CHECK_EQ_INT(gg_options_set_worker_threads(o, 1), GG_OK);
    elixir_client *c = NULL;
    CHECK_EQ_INT(elixir_client_new(EMULATOR_API_KEY, o, &c), GG_OK);
    gg_options_free(o);
    char email[128];
    unique_email(email, sizeof email, "cancel-wire");
    flow f;
    sign_in(c, email, &f);
    CHECK_EQ_INT(f.code, GG_OK);
    emulator_control("/_emulator/faults", "{\"latency_ms\": 120000, \"path_prefix\": \"/sdk/v2/friends\"}");
    flow held, queued;
    memset(&held, 0, sizeof held);
    memset(&queued, 0, sizeof queued);
    uint64_t held_id = 0;
    long long arrived = emulator_counter("arrivals");
    CHECK_EQ_INT(elixir_request(c, "GET", "/sdk/v2/friends", NULL, on_json, &held, &held_id), GG_OK);
    /* Cancelled once it is on the wire: the server holds it. */
    double deadline = gg_now_seconds() + WAIT_LIMIT_SECONDS;
    while (emulator_counter("arrivals") == arrived && gg_now_seconds() < deadline) gg_pause();
    CHECK(emulator_counter("arrivals") > arrived);
    CHECK_EQ_INT(elixir_otp_request(c, email, on_otp, &queued, NULL), GG_OK);
    CHECK_EQ_INT(elixir_client_cancel(c, held_id), GG_OK);
    tick_until(c, &queued.calls, 1);
    CHECK_EQ_INT(queued.code, GG_OK);
    CHECK_EQ_INT(held.calls, 1);
    CHECK_EQ_INT(held.code, GG_CANCELLED);
    elixir_client_free(c);
    emulator_control("/_emulator/reset", "{}");
}

/* Two calls wait for the same refresh; one is cancelled meanwhile. When the refresh lands,
 * only the other call goes out: a cancelled flow takes no further step. */
static void test_a_call_cancelled_during_its_refresh_never_goes_out(void) {
    emulator_control("/_emulator/config", "{\"token_life_ms\": 30000}"); /* inside the 60 s margin */
    elixir_client *c = client_with(EMULATOR_API_KEY, 30000);
    char email[128];
    unique_email(email, sizeof email, "cancel-refresh");
    flow f;
    sign_in(c, email, &f);
    emulator_control("/_emulator/config", "{\"token_life_ms\": 30000000000}");
    emulator_control("/_emulator/faults", "{\"latency_ms\": 1000, \"times\": 1, \"path_prefix\": \"/sdk/auth/v2/session/refresh\"}");
    long long calls_before = emulator_counter("authorized_calls");
    flow kept, cancelled, after;
    memset(&kept, 0, sizeof kept);
    memset(&cancelled, 0, sizeof cancelled);
    memset(&after, 0, sizeof after);
    uint64_t cancel_id = 0;
    CHECK_EQ_INT(elixir_request(c, "GET", "/sdk/v2/userinfo", NULL, on_json, &kept, NULL), GG_OK);
    CHECK_EQ_INT(elixir_request(c, "GET", "/sdk/v2/userinfo", NULL, on_json, &cancelled, &cancel_id), GG_OK);
    CHECK_EQ_INT(elixir_client_cancel(c, cancel_id), GG_OK);
    tick_until(c, &kept.calls, 1);
    CHECK_EQ_INT(kept.code, GG_OK);
    CHECK_EQ_INT(cancelled.calls, 1);
    CHECK_EQ_INT(cancelled.code, GG_CANCELLED);
    /* One more call, after the landing: had the cancelled one gone out, it would be counted. */
    CHECK_EQ_INT(elixir_request(c, "GET", "/sdk/v2/userinfo", NULL, on_json, &after, NULL), GG_OK);
    tick_until(c, &after.calls, 1);
    CHECK_EQ_INT(after.code, GG_OK);
    CHECK_EQ_INT(emulator_counter("authorized_calls") - calls_before, 2);
    elixir_client_free(c);
    emulator_control("/_emulator/reset", "{}");
}

/* Library threads a client holds, counted from their spawn (gg_stats), idle and with three
 * sign-ins on the wire: every flow runs on the client's one I/O thread. */
static void check_threads_of_a_client(uint32_t dispatch, uint8_t background, uint64_t expected) {
    emulator_control("/_emulator/faults", "{\"latency_ms\": 2000, \"path_prefix\": \"/sdk/auth/v2/signin\"}");
    wait_for_threads_to_end();
    gg_options *o = gg_options_new();
    CHECK_EQ_INT(gg_options_set_base_url(o, emulator_url), GG_OK);
    CHECK_EQ_INT(gg_options_set_dispatch(o, dispatch), GG_OK);
    CHECK_EQ_INT(gg_options_set_background_refresh(o, background), GG_OK);
    elixir_client *c = NULL;
    CHECK_EQ_INT(elixir_client_new(EMULATOR_API_KEY, o, &c), GG_OK);
    gg_options_free(o);
    CHECK_EQ_INT(stats_now().live_threads, expected);
    /* A restored session: with background refresh on, it is refreshed at once. */
    CHECK_EQ_INT(elixir_client_restore_session(c, "not-a-real-refresh-token"), GG_OK);
    flow pending[3];
    memset(pending, 0, sizeof pending);
    for (int i = 0; i < 3; i++) CHECK_EQ_INT(elixir_otp_verify(c, "OTP:none", "00000", on_session, &pending[i], NULL), GG_OK);
    CHECK_EQ_INT(stats_now().live_threads, expected);
    elixir_client_free(c);
    for (int i = 0; i < 3; i++) CHECK_EQ_INT(pending[i].calls, 1);
    emulator_control("/_emulator/reset", "{}");
}

static void test_a_client_is_one_thread_in_tick_mode_and_two_in_worker_mode(void) {
    check_threads_of_a_client(GG_DISPATCH_TICK, 0, 1);
    check_threads_of_a_client(GG_DISPATCH_WORKER, 0, 2);
    check_threads_of_a_client(GG_DISPATCH_TICK, 1, 1);
    check_threads_of_a_client(GG_DISPATCH_WORKER, 1, 2);
}

/* Sign-in and session flows carry one-time credentials: a 503 is answered, never retried.
 * The player's own GETs are retried. Counted by the emulator. */
static void test_sign_in_flows_are_never_retried(void) {
    emulator_control("/_emulator/reset", "{}");
    elixir_client *c = client_with(EMULATOR_API_KEY, 10000);
    flow f;
    memset(&f, 0, sizeof f);

    long long before = emulator_counter("requests");
    emulator_control("/_emulator/faults", "{\"status\": 503, \"times\": 1, \"path_prefix\": \"/sdk/auth/v2/signin/otp-login\"}");
    CHECK_EQ_INT(elixir_otp_request(c, "no-retry@example.com", on_otp, &f, NULL), GG_OK);
    tick_until(c, &f.calls, 1);
    CHECK_EQ_INT(f.code, GG_HTTP_STATUS);
    CHECK_EQ_INT(f.http_status, 503);
    CHECK_EQ_INT(emulator_counter("requests") - before, 1);

    char email[96];
    unique_email(email, sizeof email, "no-retry");
    flow session;
    memset(&session, 0, sizeof session);
    sign_in(c, email, &session);
    CHECK_EQ_INT(session.code, GG_OK);

    const char *paths[] = {"/sdk/auth/v2/session/refresh", "/sdk/auth/v2/session/signout"};
    for (int i = 0; i < 2; i++) {
        before = emulator_counter("requests");
        char fault[256];
        snprintf(fault, sizeof fault, "{\"status\": 503, \"times\": 1, \"path_prefix\": \"%s\"}", paths[i]);
        emulator_control("/_emulator/faults", fault);
        memset(&f, 0, sizeof f);
        if (i == 0) {
            CHECK_EQ_INT(elixir_session_refresh(c, on_session, &f, NULL), GG_OK);
        } else {
            CHECK_EQ_INT(elixir_sign_out(c, on_done, &f, NULL), GG_OK);
        }
        tick_until(c, &f.calls, 1);
        CHECK_EQ_INT(f.http_status, 503);
        CHECK_EQ_INT(emulator_counter("requests") - before, 1);
    }
    elixir_client_free(c);
    emulator_control("/_emulator/reset", "{}");
}

static void test_authorized_gets_are_retried(void) {
    elixir_client *c = client_with(EMULATOR_API_KEY, 10000);
    char email[96];
    unique_email(email, sizeof email, "get-retry");
    flow f;
    memset(&f, 0, sizeof f);
    sign_in(c, email, &f);
    long long before = emulator_counter("requests");
    emulator_control("/_emulator/faults", "{\"status\": 503, \"times\": 1, \"path_prefix\": \"/sdk/v2/userinfo\"}");
    memset(&f, 0, sizeof f);
    CHECK_EQ_INT(elixir_request(c, "GET", "/sdk/v2/userinfo", NULL, on_json, &f, NULL), GG_OK);
    tick_until(c, &f.calls, 1);
    CHECK_EQ_INT(f.code, GG_OK);
    CHECK_EQ_INT(emulator_counter("requests") - before, 2);
    elixir_client_free(c);
    emulator_control("/_emulator/reset", "{}");
}

/* Session events say why the session changed, before the call's own callback, alongside the
 * listener: signed in, refreshed, signed out, and revoked (a refused refresh token). */
typedef struct events {
    char order[32]; /* 'I' signed in, 'R' refreshed, 'O' signed out, 'X' revoked, 'C' callback */
    int with_session;
    int bad;
} events;

static void on_event(void *user_data, uint32_t event, const elixir_session *s) {
    events *e = (events *)user_data;
    const char *letters = " IROX";
    size_t n = strlen(e->order);
    if (event < 1 || event > 4) {
        e->bad++;
        return;
    }
    if (n + 1 < sizeof e->order) e->order[n] = letters[event];
    if (s) e->with_session++;
    /* A session comes with sign-in and refresh only. */
    if ((s != NULL) != (event == GG_SESSION_SIGNED_IN || event == GG_SESSION_REFRESHED)) e->bad++;
}

static void on_done_after_events(void *user_data, const gg_error *error) {
    events *e = (events *)user_data;
    (void)error;
    size_t n = strlen(e->order);
    if (n + 1 < sizeof e->order) e->order[n] = 'C';
}

static void test_session_events_say_why_the_session_changed(void) {
    CHECK_EQ_INT(elixir_client_set_session_events(NULL, on_event, NULL), GG_NULL_PARAM);
    elixir_client *c = client_with(EMULATOR_API_KEY, 10000);
    static events e;
    memset(&e, 0, sizeof e);
    CHECK_EQ_INT(elixir_client_set_session_events(c, on_event, &e), GG_OK);
    flow listener, f;
    sign_in_listening(c, "events", &listener, &f); /* the listener keeps working beside events */
    refresh_now(c, &f);
    CHECK_EQ_INT(f.code, GG_OK);
    char old_refresh[256];
    CHECK_EQ_INT(elixir_client_refresh_token(c, old_refresh, sizeof old_refresh, NULL), GG_OK);
    refresh_now(c, &f); /* rotates: old_refresh is dead now */
    CHECK_EQ_INT(elixir_sign_out(c, on_done, &f, NULL), GG_OK);
    memset(&f, 0, sizeof f);
    tick_until(c, &f.calls, 1);
    CHECK_STR(e.order, "IRRO");
    CHECK_EQ_INT(e.with_session, 3);
    CHECK_STR(listener.order, "LLLN");

    /* Revoked: the service refuses the stored refresh token. The event comes before the
     * call's own callback. */
    memset(&e, 0, sizeof e);
    CHECK_EQ_INT(elixir_client_restore_session(c, old_refresh), GG_OK);
    CHECK_EQ_INT(elixir_session_refresh(c, on_session, &f, NULL), GG_OK);
    memset(&f, 0, sizeof f);
    tick_until(c, &f.calls, 1);
    CHECK_EQ_INT(f.code, GG_API_ERROR);
    CHECK_STR(e.order, "X");
    /* Removed: no more events. */
    CHECK_EQ_INT(elixir_client_set_session_events(c, NULL, NULL), GG_OK);
    char email[128];
    unique_email(email, sizeof email, "events-off");
    sign_in(c, email, &f);
    CHECK_EQ_INT(f.code, GG_OK);
    CHECK_STR(e.order, "X");
    CHECK_EQ_INT(e.bad, 0);
    elixir_client_free(c);
}

/* The events callback runs before the call's own callback. */
static void test_session_events_come_before_the_callback(void) {
    elixir_client *c = client_with(EMULATOR_API_KEY, 10000);
    static events e;
    memset(&e, 0, sizeof e);
    char email[128];
    unique_email(email, sizeof email, "events-order");
    flow f;
    sign_in(c, email, &f);
    CHECK_EQ_INT(elixir_client_set_session_events(c, on_event, &e), GG_OK);
    int before = (int)strlen(e.order);
    CHECK_EQ_INT(before, 0);
    CHECK_EQ_INT(elixir_sign_out(c, on_done_after_events, &e, NULL), GG_OK);
    double deadline = gg_now_seconds() + WAIT_LIMIT_SECONDS;
    while (strchr(e.order, 'C') == NULL && gg_now_seconds() < deadline) {
        elixir_client_tick(c);
        gg_pause();
    }
    CHECK_STR(e.order, "OC");
    elixir_client_free(c);
}

int main(void) {
    emulator_url = emulator_url_from_env();
    RUN(test_otp_sign_in_stores_the_session_and_fires_the_listener_first);
    RUN(test_listener_runs_before_the_callback);
    RUN(test_session_events_say_why_the_session_changed);
    RUN(test_session_events_come_before_the_callback);
    RUN(test_wrong_code_and_wrong_api_key_are_api_errors);
    RUN(test_refresh_rotates_and_a_used_token_is_rejected);
    RUN(test_a_late_refresh_answer_keeps_the_player_signed_in);
    RUN(test_restore_from_a_persisted_token_then_call);
    RUN(test_eight_calls_after_expiry_share_one_refresh);
    RUN(test_sign_out_clears_locally_even_without_an_answer);
    RUN(test_calls_that_need_a_session_say_so);
    RUN(test_launcher_reikey_sign_in_and_close);
    RUN(test_free_with_sign_ins_pending);
    RUN(test_background_refresh_keeps_an_idle_session_fresh);
    RUN(test_sign_in_flows_are_never_retried);
    RUN(test_authorized_gets_are_retried);
    RUN(test_cancel_aborts_an_elixir_call_on_the_wire);
    RUN(test_a_call_cancelled_during_its_refresh_never_goes_out);
    RUN(test_a_client_is_one_thread_in_tick_mode_and_two_in_worker_mode);
    wait_for_threads_to_end();
    CHECK_EQ_INT(stats_now().live_clients, 0);
    return gg_test_summary("c elixir suite");
}
