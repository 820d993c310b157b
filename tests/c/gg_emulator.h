/* Talking to the emulator's development endpoints from a C test, through GameGate itself
 * (kgen_request on a throw-away client). Include after gg_test.h and gamegate.h. */
#ifndef GG_EMULATOR_H
#define GG_EMULATOR_H

#define EMULATOR_CLIENT_ID "gamegate-test-client"
#define EMULATOR_CLIENT_SECRET "gamegate-test-secret"
#define EMULATOR_API_KEY "gamegate-test-api-key"
#define WAIT_LIMIT_SECONDS 30.0

static const char *emulator_url;

typedef struct emulator_reply {
    int calls;
    int code;
    char json[4096];
} emulator_reply;

static inline void on_emulator_reply(void *user_data, const gg_error *error, const char *json) {
    emulator_reply *r = (emulator_reply *)user_data;
    r->calls++;
    r->code = error ? error->code : GG_OK;
    snprintf(r->json, sizeof r->json, "%s", json ? json : "");
}

/* Ticks `client` with `tick_fn` until *counter reaches `want`; fails the test after
 * WAIT_LIMIT_SECONDS. A macro because each service has its own client type. */
#define TICK_UNTIL(tick_fn, client, counter, want)                                                    \
    do {                                                                                              \
        double gg_deadline_ = gg_now_seconds() + WAIT_LIMIT_SECONDS;                                  \
        while (*(counter) < (want)) {                                                                 \
            if (gg_now_seconds() > gg_deadline_) {                                                    \
                fprintf(stderr, "  timed out waiting for %d callbacks (have %d)\n", (int)(want), *(counter)); \
                gg_test_failed_checks++;                                                              \
                break;                                                                                \
            }                                                                                         \
            tick_fn(client);                                                                          \
            gg_pause();                                                                               \
        }                                                                                             \
    } while (0)

/* An Elixir client of the emulator at `url` (timeout and requests in flight; 0 keeps the default). */
static inline elixir_client *emulator_elixir_client(const char *url, uint32_t timeout_ms, uint32_t in_flight) {
    gg_options *o = gg_options_new();
    CHECK_EQ_INT(gg_options_set_base_url(o, url), GG_OK);
    if (timeout_ms) CHECK_EQ_INT(gg_options_set_timeout_ms(o, timeout_ms), GG_OK);
    if (in_flight) CHECK_EQ_INT(gg_options_set_worker_threads(o, in_flight), GG_OK);
    elixir_client *c = NULL;
    CHECK_EQ_INT(elixir_client_new(EMULATOR_API_KEY, o, &c), GG_OK);
    gg_options_free(o);
    return c;
}

/* Sends one development request and waits for it; returns the reply JSON in `out`. */
static inline void emulator_call(const char *method, const char *path, const char *body, char *out, size_t cap) {
    gg_options *o = gg_options_new();
    CHECK_EQ_INT(gg_options_set_base_url(o, emulator_url), GG_OK);
    kgen_client *c = NULL;
    CHECK_EQ_INT(kgen_client_new(EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET, o, &c), GG_OK);
    gg_options_free(o);
    emulator_reply r;
    memset(&r, 0, sizeof r);
    CHECK_EQ_INT(kgen_request(c, method, path, body, on_emulator_reply, &r, NULL), GG_OK);
    TICK_UNTIL(kgen_client_tick, c, &r.calls, 1);
    CHECK_EQ_INT(r.calls, 1);
    CHECK_EQ_INT(r.code, GG_OK);
    kgen_client_free(c);
    if (out) snprintf(out, cap, "%s", r.json);
}

static inline void emulator_control(const char *path, const char *body) {
    emulator_call("POST", path, body, NULL, 0);
}

/* The string value of "key" in a flat JSON object (no escapes needed for emulator values). */
static inline void json_string(const char *json, const char *key, char *out, size_t cap) {
    char pattern[128];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *at = strstr(json, pattern);
    out[0] = '\0';
    if (!at) return;
    at += strlen(pattern);
    size_t n = 0;
    while (at[n] && at[n] != '"' && n + 1 < cap) n++;
    memcpy(out, at, n);
    out[n] = '\0';
}

/* The string value of "key" in a JSON object, with its \n and \" escapes undone (PEM text). */
static inline void json_text(const char *json, const char *key, char *out, size_t cap) {
    char pattern[128];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *at = strstr(json, pattern);
    size_t n = 0;
    for (at = at ? at + strlen(pattern) : ""; *at && *at != '"' && n + 1 < cap; at++) {
        if (at[0] == '\\' && (at[1] == 'n' || at[1] == '"' || at[1] == '\\')) {
            out[n++] = at[1] == 'n' ? '\n' : at[1];
            at++;
        } else {
            out[n++] = *at;
        }
    }
    out[n] = '\0';
}

/* The emulator's test key for signed server calls ("" for the one it verifies with, "other"
 * for one it does not know), as PEM text. */
static inline void emulator_server_key(const char *which, char *pem, size_t cap) {
    char path[128], json[4096];
    snprintf(path, sizeof path, "/_emulator/elixir/server-key?which=%s", which);
    emulator_call("GET", path, NULL, json, sizeof json);
    json_text(json, "private_key_pem", pem, cap);
    CHECK(strstr(pem, "-----BEGIN PRIVATE KEY-----\n") == pem);
}

/* The emulator's HTTPS listener: its URL (https://localhost:PORT), the CA that signed it, and
 * (when `wrong_host_url` is not NULL) the same listener under a name its certificate lacks. */
static inline void emulator_tls(char *url, size_t url_cap, char *ca_pem, size_t ca_cap, char *wrong_host_url, size_t wrong_cap) {
    char reply[4096];
    emulator_call("GET", "/_emulator/tls", NULL, reply, sizeof reply);
    json_string(reply, "url", url, url_cap);
    if (wrong_host_url) json_string(reply, "wrong_host_url", wrong_host_url, wrong_cap);
    json_text(reply, "ca_pem", ca_pem, ca_cap);
    CHECK(strncmp(url, "https://localhost:", 18) == 0);
    CHECK(strstr(ca_pem, "-----BEGIN CERTIFICATE-----\n") != NULL);
}

/* One more string field of /_emulator/tls ("revocation_held_url"). */
static inline void emulator_tls_field(const char *key, char *out, size_t cap) {
    char reply[4096];
    emulator_call("GET", "/_emulator/tls", NULL, reply, sizeof reply);
    json_string(reply, key, out, cap);
    CHECK(strncmp(out, "https://localhost:", 18) == 0);
}

/* The integer value of "key" in a flat JSON object, or -1. */
static inline long long json_int(const char *json, const char *key) {
    char pattern[128];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *at = strstr(json, pattern);
    return at ? atoll(at + strlen(pattern)) : -1;
}

/* One of the emulator's counters ("requests" counts every service request, faulted ones too). */
static inline long long emulator_counter(const char *name) {
    char reply[1024];
    emulator_call("GET", "/_emulator/counters", NULL, reply, sizeof reply);
    return json_int(reply, name);
}

static inline gg_stats stats_now(void) {
    gg_stats s;
    memset(&s, 0, sizeof s);
    s.struct_size = sizeof s;
    CHECK_EQ_INT(gg_get_stats(&s), GG_OK);
    return s;
}

/* Waits until every library thread has ended (workers finish their I/O on their own). */
static inline void wait_for_threads_to_end(void) {
    double deadline = gg_now_seconds() + WAIT_LIMIT_SECONDS;
    while (stats_now().live_threads != 0) {
        if (gg_now_seconds() > deadline) {
            fprintf(stderr, "  library threads still running after %.0f s\n", WAIT_LIMIT_SECONDS);
            gg_test_failed_checks++;
            return;
        }
        gg_pause();
    }
}

static inline const char *emulator_url_from_env(void) {
    const char *url = getenv("GAMEGATE_EMULATOR_URL");
    if (!url || !*url) {
        fprintf(stderr, "set GAMEGATE_EMULATOR_URL to a running gamegate-emulator\n");
        exit(2);
    }
    return url;
}

#endif
