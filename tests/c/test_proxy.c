/* Requests through a real HTTP proxy (tinyproxy, started by the test command on loopback) in
 * front of the emulator: HTTPS through a CONNECT tunnel, proxy authentication required and
 * given, a proxy that refuses the tunnel, a proxy that is down, NO_PROXY, and the proxy's
 * password kept out of every log line and error message.
 *   GAMEGATE_PROXY_URL       an open proxy              http://127.0.0.1:P
 *   GAMEGATE_PROXY_AUTH_URL  one that wants Basic auth  http://127.0.0.1:P (credentials below)
 *   GAMEGATE_PROXY_DENY_URL  one that tunnels to port 443 only */
#define _POSIX_C_SOURCE 200809L
#include "gg_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gamegate.h"
#include "gg_emulator.h"

#define PROXY_USER "gamegate-proxy-user"
#define PROXY_PASSWORD "proxy-secret.pass_42"
#define PROXY_PASSWORD_ENCODED "proxy-secret%2Epass_42" /* percent-decoded by the library */

static char tls_url[128], ca_pem[4096];
static const char *open_proxy, *auth_proxy, *deny_proxy;

static struct {
    pthread_mutex_t lock;
    char text[1 << 16];
    size_t len;
} seen = {PTHREAD_MUTEX_INITIALIZER, {0}, 0};

static void keep(const char *text) {
    pthread_mutex_lock(&seen.lock);
    size_t n = strlen(text);
    if (seen.len + n + 2 < sizeof seen.text) {
        memcpy(seen.text + seen.len, text, n);
        seen.len += n;
        seen.text[seen.len++] = '\n';
        seen.text[seen.len] = '\0';
    }
    pthread_mutex_unlock(&seen.lock);
}

static void on_log(void *user_data, int32_t level, const char *message) {
    (void)user_data;
    (void)level;
    keep(message);
}

typedef struct outcome {
    int calls;
    int code;
    int http_status;
    char message[512];
} outcome;

static void on_session(void *user_data, const gg_error *error, const kgen_session *s) {
    (void)s;
    outcome *o = (outcome *)user_data;
    o->calls++;
    o->code = error ? error->code : GG_OK;
    o->http_status = error ? error->http_status : 0;
    snprintf(o->message, sizeof o->message, "%s", error ? error->message : "");
    if (error) keep(error->message);
}

static const char *required_env(const char *name) {
    const char *value = getenv(name);
    if (!value || !*value) {
        fprintf(stderr, "set %s (cargo xtask test starts tinyproxy and sets it)\n", name);
        exit(2);
    }
    return value;
}

/* A loopback port with nothing listening on it. */
static int dead_port(void) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    CHECK_EQ_INT(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    CHECK_EQ_INT(getsockname(s, (struct sockaddr *)&a, &len), 0);
    close(s);
    return ntohs(a.sin_port);
}

/* A KGeN session from `url` through `proxy` (NULL: none; "env": from the environment). */
static void session_through(const char *url, const char *proxy, outcome *o) {
    gg_options *opts = gg_options_new();
    CHECK_EQ_INT(gg_options_set_base_url(opts, url), GG_OK);
    CHECK_EQ_INT(gg_options_set_timeout_ms(opts, 10000), GG_OK);
    CHECK_EQ_INT(gg_options_set_retries(opts, 0, 0), GG_OK);
    if (strncmp(url, "https:", 6) == 0) CHECK_EQ_INT(gg_options_add_root_certificates_pem(opts, ca_pem), GG_OK);
    if (proxy && strcmp(proxy, "env") == 0) {
        CHECK_EQ_INT(gg_options_set_proxy_from_environment(opts, 1), GG_OK);
    } else if (proxy) {
        CHECK_EQ_INT(gg_options_set_proxy(opts, proxy), GG_OK);
    }
    kgen_client *c = NULL;
    CHECK_EQ_INT(kgen_client_new(EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET, opts, &c), GG_OK);
    gg_options_free(opts);
    memset(o, 0, sizeof *o);
    CHECK_EQ_INT(kgen_create_session(c, "proxy-player", on_session, o, NULL), GG_OK);
    TICK_UNTIL(kgen_client_tick, c, &o->calls, 1);
    kgen_client_free(c);
}

/* "http://user:password@host:port" from "http://host:port". */
static void with_credentials(const char *proxy, const char *credentials, char *out, size_t cap) {
    snprintf(out, cap, "http://%s@%s", credentials, proxy + strlen("http://"));
}

/* ---- tests --------------------------------------------------------------------------------- */

static void test_https_goes_through_a_connect_tunnel(void) {
    outcome o;
    session_through(tls_url, open_proxy, &o);
    CHECK_EQ_INT(o.code, GG_OK);
    if (o.code != GG_OK) fprintf(stderr, "  %s\n", o.message);
    /* Pooled: a second request on the same client goes through the tunnel already open. */
    session_through(tls_url, open_proxy, &o);
    CHECK_EQ_INT(o.code, GG_OK);
}

static void test_plain_http_goes_to_the_proxy_in_absolute_form(void) {
    outcome o;
    session_through(emulator_url, open_proxy, &o);
    CHECK_EQ_INT(o.code, GG_OK);
    if (o.code != GG_OK) fprintf(stderr, "  %s\n", o.message);
}

static void test_proxy_authentication_required_and_given(void) {
    outcome o;
    session_through(tls_url, auth_proxy, &o);
    CHECK_EQ_INT(o.code, GG_HTTP_STATUS);
    CHECK_EQ_INT(o.http_status, 407);
    CHECK(strstr(o.message, "proxy") != NULL);
    char url[256];
    with_credentials(auth_proxy, PROXY_USER ":wrong-password", url, sizeof url);
    session_through(tls_url, url, &o);
    CHECK_EQ_INT(o.code, GG_HTTP_STATUS);
    CHECK(o.http_status == 407 || o.http_status == 401); /* tinyproxy answers wrong credentials with 401 */
    CHECK(strstr(o.message, "authentication") != NULL);
    with_credentials(auth_proxy, PROXY_USER ":" PROXY_PASSWORD_ENCODED, url, sizeof url);
    session_through(tls_url, url, &o);
    CHECK_EQ_INT(o.code, GG_OK);
    if (o.code != GG_OK) fprintf(stderr, "  %s\n", o.message);
}

static void test_a_proxy_that_refuses_the_tunnel_says_so(void) {
    outcome o;
    session_through(tls_url, deny_proxy, &o);
    CHECK_EQ_INT(o.code, GG_HTTP_STATUS);
    CHECK_EQ_INT(o.http_status, 403);
    CHECK(strstr(o.message, "proxy") != NULL);
}

/* Nothing may reach the service around a proxy that is down: the emulator counts arrivals. */
static void test_a_proxy_that_is_down_fails_and_nothing_bypasses_it(void) {
    char dead[64];
    snprintf(dead, sizeof dead, "http://127.0.0.1:%d", dead_port());
    long long before = emulator_counter("arrivals");
    outcome o;
    session_through(tls_url, dead, &o);
    CHECK_EQ_INT(o.code, GG_NETWORK);
    CHECK(strstr(o.message, "proxy") != NULL);
    session_through(emulator_url, dead, &o);
    CHECK_EQ_INT(o.code, GG_NETWORK);
    CHECK_EQ_INT(emulator_counter("arrivals") - before, 0);
}

static void test_the_environment_is_read_as_curl_reads_it(void) {
    char dead[64];
    snprintf(dead, sizeof dead, "http://127.0.0.1:%d", dead_port());
    outcome o;
    setenv("HTTPS_PROXY", dead, 1);
    unsetenv("NO_PROXY");
    unsetenv("no_proxy");
    session_through(tls_url, "env", &o);
    CHECK_EQ_INT(o.code, GG_NETWORK); /* the dead proxy was used */
    setenv("NO_PROXY", "example.com, localhost", 1);
    session_through(tls_url, "env", &o);
    CHECK_EQ_INT(o.code, GG_OK); /* localhost is exempt: straight to the service */
    unsetenv("NO_PROXY");
    setenv("https_proxy", open_proxy, 1); /* lowercase wins over HTTPS_PROXY, as in curl */
    session_through(tls_url, "env", &o);
    CHECK_EQ_INT(o.code, GG_OK);
    session_through(tls_url, NULL, &o); /* without the option the environment is ignored */
    CHECK_EQ_INT(o.code, GG_OK);
    unsetenv("https_proxy");
    unsetenv("HTTPS_PROXY");
}

static void test_bad_proxy_urls_are_refused_without_repeating_them(void) {
    gg_options *opts = gg_options_new();
    const char *bad[] = {"https://u:" PROXY_PASSWORD "@proxy:8080", "socks5://proxy:1080", "http://u:" PROXY_PASSWORD "@proxy:99999",
                         "http://proxy:8080/path", "\xff"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK_EQ_INT(gg_options_set_proxy(opts, bad[i]), GG_INVALID_ARGUMENT);
        char why[512];
        size_t len = 0;
        if (gg_last_error_message(why, sizeof why, &len) == GG_OK) keep(why);
    }
    CHECK_EQ_INT(gg_options_set_proxy(opts, NULL), GG_OK);
    CHECK_EQ_INT(gg_options_set_proxy(opts, ""), GG_OK);
    CHECK_EQ_INT(gg_options_set_proxy_from_environment(opts, 2), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(gg_options_set_proxy(NULL, "http://p:1"), GG_NULL_PARAM);
    gg_options_free(opts);
}

int main(void) {
    emulator_url = emulator_url_from_env();
    open_proxy = required_env("GAMEGATE_PROXY_URL");
    auth_proxy = required_env("GAMEGATE_PROXY_AUTH_URL");
    deny_proxy = required_env("GAMEGATE_PROXY_DENY_URL");
    emulator_tls(tls_url, sizeof tls_url, ca_pem, sizeof ca_pem, NULL, 0);
    gg_set_log_callback(GG_LOG_TRACE, on_log, NULL);
    RUN(test_https_goes_through_a_connect_tunnel);
    RUN(test_plain_http_goes_to_the_proxy_in_absolute_form);
    RUN(test_proxy_authentication_required_and_given);
    RUN(test_a_proxy_that_refuses_the_tunnel_says_so);
    RUN(test_a_proxy_that_is_down_fails_and_nothing_bypasses_it);
    RUN(test_the_environment_is_read_as_curl_reads_it);
    RUN(test_bad_proxy_urls_are_refused_without_repeating_them);
    wait_for_threads_to_end();
    gg_set_log_callback(GG_LOG_OFF, NULL, NULL);
    /* The password, raw, percent-encoded and as the Basic credential, is nowhere. */
    pthread_mutex_lock(&seen.lock);
    const char *secrets[] = {PROXY_PASSWORD, PROXY_PASSWORD_ENCODED, "Z2FtZWdhdGUtcHJveHktdXNlcjpwcm94eS1zZWNyZXQucGFzc180Mg=="};
    for (size_t i = 0; i < sizeof secrets / sizeof *secrets; i++) {
        if (strstr(seen.text, secrets[i])) {
            fprintf(stderr, "  the proxy password appears in the output (%zu)\n", i);
            gg_test_failed_checks++;
        }
    }
    CHECK(seen.len > 100);
    if (gg_test_failed_checks) fprintf(stderr, "log lines and error messages seen:\n%s", seen.text);
    pthread_mutex_unlock(&seen.lock);
    return gg_test_summary("c proxy");
}
