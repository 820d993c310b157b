/* Every flow of both services with the log at TRACE, collecting every log line and every
 * error message; then each secret that passed through (client secret, API key, KGeN and
 * Elixir access and refresh tokens, the OTP code, the QR value, the rei-key, every line of a
 * signed-call private key) is searched for. */
#include "gg_test.h"

#include <pthread.h>

#include "gamegate.h"
#include "gg_emulator.h"

#define MAX_SECRETS 96

static struct {
    pthread_mutex_t lock;
    char *text; /* every log line and error message, newline-separated */
    size_t len, cap;
    int lines;
} seen = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, 0};

static char secrets[MAX_SECRETS][1024];
static const char *secret_names[MAX_SECRETS];
static int secret_count;

static void keep_text(const char *text) {
    pthread_mutex_lock(&seen.lock);
    size_t n = strlen(text);
    if (seen.len + n + 2 > seen.cap) {
        seen.cap = (seen.len + n + 2) * 2;
        seen.text = realloc(seen.text, seen.cap);
    }
    memcpy(seen.text + seen.len, text, n);
    seen.len += n;
    seen.text[seen.len++] = '\n';
    seen.text[seen.len] = '\0';
    pthread_mutex_unlock(&seen.lock);
}

static void keep_secret(const char *name, const char *value) {
    if (!value || strlen(value) < 5 || secret_count == MAX_SECRETS) return;
    snprintf(secrets[secret_count], sizeof secrets[0], "%s", value);
    secret_names[secret_count++] = name;
}

static void on_log(void *user_data, int32_t level, const char *message) {
    (void)user_data;
    (void)level;
    keep_text(message);
    pthread_mutex_lock(&seen.lock);
    seen.lines++;
    pthread_mutex_unlock(&seen.lock);
}

typedef struct step {
    int calls;
    int code;
    char value[2048];
} step;

/* Counts the callback and records its outcome, keeping an error's texts for the search.
 * Returns 1 when the call succeeded. */
static int arrived(step *st, const gg_error *e) {
    st->calls++;
    st->code = e ? e->code : GG_OK;
    if (e) {
        keep_text(e->message);
        keep_text(e->api_code);
    }
    return e == NULL;
}

static void on_kgen(void *u, const gg_error *e, const kgen_session *s) {
    if (!arrived((step *)u, e)) return;
    keep_secret("kgen access token", s->access_token);
    keep_secret("kgen refresh token", s->refresh_token);
}

static void on_elixir(void *u, const gg_error *e, const elixir_session *s) {
    step *st = (step *)u;
    if (!arrived(st, e)) return;
    keep_secret("elixir access token", s->token);
    keep_secret("elixir refresh token", s->refresh_token);
    snprintf(st->value, sizeof st->value, "%s", s->refresh_token);
}

static void on_text(void *u, const gg_error *e, const char *text) {
    step *st = (step *)u;
    if (arrived(st, e)) snprintf(st->value, sizeof st->value, "%s", text);
}

static void on_done(void *u, const gg_error *e) {
    arrived((step *)u, e);
}

static gg_options *options(void) {
    gg_options *o = gg_options_new();
    CHECK_EQ_INT(gg_options_set_base_url(o, emulator_url), GG_OK);
    return o;
}

/* The reason the last refused call gave, kept with the rest. */
static void keep_refusal(void) {
    char why[1024];
    size_t len = 0;
    if (gg_last_error_message(why, sizeof why, &len) == GG_OK) keep_text(why);
}

#define KGEN_STEP(call, st)                                              \
    do {                                                                 \
        memset(&(st), 0, sizeof(st));                                    \
        CHECK_EQ_INT(call, GG_OK);                                       \
        TICK_UNTIL(kgen_client_tick, kgen, &(st).calls, 1);              \
    } while (0)

#define ELIXIR_STEP(call, st)                                            \
    do {                                                                 \
        memset(&(st), 0, sizeof(st));                                    \
        CHECK_EQ_INT(call, GG_OK);                                       \
        TICK_UNTIL(elixir_client_tick, elixir, &(st).calls, 1);          \
    } while (0)

static void run_every_kgen_flow(void) {
    gg_options *o = options();
    kgen_client *kgen = NULL;
    CHECK_EQ_INT(kgen_client_new(EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET, o, &kgen), GG_OK);
    step st;
    kgen_profile *p = kgen_profile_new();
    CHECK_EQ_INT(kgen_profile_set_text(p, "email", "secret-test@example.com"), GG_OK);
    KGEN_STEP(kgen_create_session_with_profile(kgen, "secret-player", p, on_kgen, &st, NULL), st);
    CHECK_EQ_INT(st.code, GG_OK);
    kgen_profile_free(p);
    KGEN_STEP(kgen_request(kgen, "GET", "/s2s/loyalty/rewardable-events", NULL, on_text, &st, NULL), st);
    CHECK_EQ_INT(st.code, GG_OK);
    CHECK_EQ_INT(kgen_request(kgen, "BREW", "/s2s/coffee", NULL, on_text, &st, NULL), GG_INVALID_ARGUMENT);
    keep_refusal();
    kgen_client_free(kgen);

    /* A wrong secret: the 401's message must not echo what was sent. */
    kgen_client *wrong = NULL;
    CHECK_EQ_INT(kgen_client_new(EMULATOR_CLIENT_ID, "wrong-secret-value-123", o, &wrong), GG_OK);
    keep_secret("wrong client secret", "wrong-secret-value-123");
    kgen = wrong;
    KGEN_STEP(kgen_create_session(kgen, "secret-player", on_kgen, &st, NULL), st);
    CHECK_EQ_INT(st.code, GG_HTTP_STATUS);
    kgen_client_free(wrong);
    gg_options_free(o);
}

static void run_every_elixir_flow(void) {
    gg_options *o = options();
    elixir_client *elixir = NULL;
    CHECK_EQ_INT(elixir_client_new(EMULATOR_API_KEY, o, &elixir), GG_OK);
    step st, tx;
    char reply[4096], code[32], path[256];

    /* E-mail code: a wrong one first, then the right one. */
    const char *email = "secrets-flow@example.com";
    ELIXIR_STEP(elixir_otp_request(elixir, email, on_text, &tx, NULL), tx);
    snprintf(path, sizeof path, "/_emulator/elixir/otp?email=%s", email);
    emulator_call("GET", path, NULL, reply, sizeof reply);
    json_string(reply, "code", code, sizeof code);
    keep_secret("otp code", code);
    ELIXIR_STEP(elixir_otp_verify(elixir, tx.value, "ZZZZZ", on_elixir, &st, NULL), st);
    CHECK_EQ_INT(st.code, GG_API_ERROR);
    ELIXIR_STEP(elixir_otp_request(elixir, email, on_text, &tx, NULL), tx);
    emulator_call("GET", path, NULL, reply, sizeof reply);
    json_string(reply, "code", code, sizeof code);
    keep_secret("otp code", code);
    ELIXIR_STEP(elixir_otp_verify(elixir, tx.value, code, on_elixir, &st, NULL), st);
    CHECK_EQ_INT(st.code, GG_OK);

    ELIXIR_STEP(elixir_session_refresh(elixir, on_elixir, &st, NULL), st);
    CHECK_EQ_INT(st.code, GG_OK);
    char persisted[2048];
    snprintf(persisted, sizeof persisted, "%s", st.value);
    ELIXIR_STEP(elixir_request(elixir, "GET", "/sdk/v2/userinfo", NULL, on_text, &st, NULL), st);
    CHECK_EQ_INT(st.code, GG_OK);

    /* Next launch: a restored session refreshes before its call. */
    elixir_client *next = NULL;
    CHECK_EQ_INT(elixir_client_new(EMULATOR_API_KEY, o, &next), GG_OK);
    elixir_client *first = elixir;
    elixir = next;
    CHECK_EQ_INT(elixir_client_restore_session(elixir, persisted), GG_OK);
    ELIXIR_STEP(elixir_request(elixir, "GET", "/sdk/v2/userinfo", NULL, on_text, &st, NULL), st);
    CHECK_EQ_INT(st.code, GG_OK);
    /* The rotated-away token, used again: rejected, and the rejection must not quote it. */
    CHECK_EQ_INT(elixir_client_restore_session(elixir, persisted), GG_OK);
    ELIXIR_STEP(elixir_session_refresh(elixir, on_elixir, &st, NULL), st);
    CHECK_EQ_INT(st.code, GG_API_ERROR);
    elixir_client_free(elixir);
    elixir = first;

    ELIXIR_STEP(elixir_sign_out(elixir, on_done, &st, NULL), st);

    /* QR and launcher rei-key. */
    char qr[256], key[256];
    emulator_call("POST", "/_emulator/elixir/qr", "{\"email\":\"secrets-qr@example.com\"}", reply, sizeof reply);
    json_string(reply, "qrValue", qr, sizeof qr);
    keep_secret("qr value", qr);
    ELIXIR_STEP(elixir_qr_verify(elixir, qr, on_elixir, &st, NULL), st);
    CHECK_EQ_INT(st.code, GG_OK);
    emulator_call("GET", "/_emulator/elixir/reikey?playerId=secrets-launcher", NULL, reply, sizeof reply);
    json_string(reply, "reikey", key, sizeof key);
    keep_secret("rei-key", key);
    ELIXIR_STEP(elixir_reikey_sign_in(elixir, key, on_elixir, &st, NULL), st);
    CHECK_EQ_INT(st.code, GG_OK);
    ELIXIR_STEP(elixir_reikey_close(elixir, key, on_done, &st, NULL), st);
    ELIXIR_STEP(elixir_reikey_sign_in(elixir, key, on_elixir, &st, NULL), st); /* closed: an error */
    CHECK(st.code != GG_OK);
    elixir_client_free(elixir);

    /* A wrong API key. */
    elixir_client *wrong = NULL;
    CHECK_EQ_INT(elixir_client_new("wrong-api-key-456", o, &wrong), GG_OK);
    keep_secret("wrong api key", "wrong-api-key-456");
    elixir = wrong;
    ELIXIR_STEP(elixir_otp_request(elixir, email, on_text, &tx, NULL), tx);
    CHECK_EQ_INT(tx.code, GG_API_ERROR);
    elixir_client_free(wrong);
    gg_options_free(o);
}

/* Each base64 line of a PEM key is a secret of its own: any of them in a log would leak it. */
static void keep_key_lines(const char *name, const char *pem) {
    const char *line = pem;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        if (n >= 16 && strncmp(line, "-----", 5) != 0) {
            char text[128];
            snprintf(text, sizeof text, "%.*s", (int)n, line);
            keep_secret(name, text);
        }
        line += n + (end ? 1 : 0);
    }
}

/* One signed call with the key `pem`, which must end with `expected`. */
static void signed_call(const gg_options *o, const char *pem, const char *body, int expected) {
    elixir_server *server = NULL;
    CHECK_EQ_INT(elixir_server_new(EMULATOR_API_KEY, pem, o, &server), GG_OK);
    step st;
    memset(&st, 0, sizeof st);
    CHECK_EQ_INT(elixir_server_request(server, "POST", "/sdk/v2/game-stats", body, on_text, &st, NULL), GG_OK);
    TICK_UNTIL(elixir_server_tick, server, &st.calls, 1);
    CHECK_EQ_INT(st.code, expected);
    elixir_server_free(server);
}

static void run_every_server_flow(void) {
    static char pem[4096], other[4096], broken[4096];
    emulator_server_key("", pem, sizeof pem);
    emulator_server_key("other", other, sizeof other);
    keep_key_lines("server private key", pem);
    keep_key_lines("unknown server private key", other);
    gg_options *o = options();
    signed_call(o, pem, "{\"score\": 7}", GG_OK);
    signed_call(o, other, "{}", GG_API_ERROR);
    elixir_server *server = NULL;
    /* A key broken in its middle is refused, and the refusal quotes none of it. */
    snprintf(broken, sizeof broken, "%s", pem);
    broken[strlen(broken) / 2] = '*';
    CHECK_EQ_INT(elixir_server_new(EMULATOR_API_KEY, broken, o, &server), GG_INVALID_ARGUMENT);
    keep_refusal();
    gg_options_free(o);
}

static void test_no_secret_reaches_a_log_line_or_an_error_message(void) {
    keep_secret("client secret", EMULATOR_CLIENT_SECRET);
    keep_secret("api key", EMULATOR_API_KEY);
    gg_set_log_callback(GG_LOG_TRACE, on_log, NULL);
    run_every_kgen_flow();
    run_every_elixir_flow();
    run_every_server_flow();
    wait_for_threads_to_end();
    gg_set_log_callback(GG_LOG_OFF, NULL, NULL);

    pthread_mutex_lock(&seen.lock);
    printf("  searched %d log lines and the error messages (%zu bytes) for %d secrets\n", seen.lines, seen.len, secret_count);
    CHECK(seen.lines > 20);
    CHECK(secret_count >= 12);
    for (int i = 0; i < secret_count; i++) {
        if (strstr(seen.text, secrets[i])) {
            fprintf(stderr, "  the %s appears in the output\n", secret_names[i]);
            gg_test_failed_checks++;
        }
    }
    pthread_mutex_unlock(&seen.lock);
    free(seen.text);
}

int main(void) {
    emulator_url = emulator_url_from_env();
    RUN(test_no_secret_reaches_a_log_line_or_an_error_message);
    return gg_test_summary("c secrets");
}
