/* The first answer a player waits for, over a delayed link (cargo xtask bench runs it through a
 * forwarder that holds every byte 50 ms each way): one KGeN session call, best of 3.
 * usage: first_call gamegate|curl BASE_URL CA_PEM_FILE RTT_MS
 * gamegate: cold (a new client's first call), warm (its second call, on the kept-alive
 *           connection) and prepared (a new client, kgen_client_prepare, the call after the
 *           connection had time to open);
 * curl:     cold (a new easy handle's first perform: libcurl's own cold start).
 * Prints one line of JSON with each figure in microseconds. */
#include "bench_common.h"

#include <pthread.h>

#include "gamegate.h"

#ifdef FIRST_CALL_CURL
#include <curl/curl.h>
#endif

#define TRIES 3

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t answered = PTHREAD_COND_INITIALIZER;
static int done;
static int failed;

static void on_session(void *user_data, const gg_error *error, const kgen_session *session) {
    (void)user_data;
    (void)session;
    pthread_mutex_lock(&lock);
    if (error) {
        fprintf(stderr, "first_call: %s: %s\n", gg_result_name(error->code), error->message);
        failed = 1;
    }
    done = 1;
    pthread_cond_signal(&answered);
    pthread_mutex_unlock(&lock);
}

static kgen_client *new_client(const char *url, const char *ca_file) {
    FILE *f = fopen(ca_file, "rb");
    static char pem[16384];
    size_t n = f ? fread(pem, 1, sizeof pem - 1, f) : 0;
    if (f) fclose(f);
    pem[n] = 0;
    gg_options *o = gg_options_new();
    gg_options_set_base_url(o, url);
    gg_options_set_dispatch(o, GG_DISPATCH_WORKER);
    gg_options_set_timeout_ms(o, 20000);
    gg_options_add_root_certificates_pem(o, pem);
    kgen_client *c = NULL;
    if (kgen_client_new("bench-client", "bench-secret", o, &c) != GG_OK) {
        fprintf(stderr, "first_call: client refused\n");
        exit(1);
    }
    gg_options_free(o);
    return c;
}

/* One call, in microseconds from the call to its answer. */
static double one_call(kgen_client *c) {
    pthread_mutex_lock(&lock);
    done = 0;
    pthread_mutex_unlock(&lock);
    uint64_t start = now_ns();
    if (kgen_create_session(c, "bench-player", on_session, NULL, NULL) != GG_OK) exit(1);
    pthread_mutex_lock(&lock);
    while (!done) pthread_cond_wait(&answered, &lock);
    pthread_mutex_unlock(&lock);
    if (failed) exit(1);
    return (double)(now_ns() - start) / 1000.0;
}

static double best(double a, double b) { return a < b ? a : b; }

static void pause_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static int gamegate(const char *url, const char *ca, long rtt_ms) {
    double cold = 1e18, warm = 1e18, prepared = 1e18;
    for (int i = 0; i < TRIES; i++) {
        kgen_client *c = new_client(url, ca);
        cold = best(cold, one_call(c));
        warm = best(warm, one_call(c));
        kgen_client_free(c);

        kgen_client *p = new_client(url, ca);
        kgen_client_prepare(p);
        pause_ms(6 * rtt_ms); /* the sign-in screen is up: the connection has time to open */
        prepared = best(prepared, one_call(p));
        kgen_client_free(p);
    }
    printf("{\"cold_us\":%.0f,\"warm_us\":%.0f,\"prepared_us\":%.0f}\n", cold, warm, prepared);
    return 0;
}

#ifdef FIRST_CALL_CURL
static size_t discard(char *data, size_t size, size_t count, void *user) {
    (void)data;
    (void)user;
    return size * count;
}

static int curl_cold(const char *url, const char *ca) {
    char target[512];
    snprintf(target, sizeof target, "%s/s2s/session/", url);
    curl_global_init(CURL_GLOBAL_ALL);
    struct curl_slist *headers = NULL;
    headers = curl_slist_append(headers, "content-type: application/json");
    headers = curl_slist_append(headers, "x-client-id: bench-client");
    headers = curl_slist_append(headers, "x-client-secret: bench-secret");
    double cold = 1e18;
    for (int i = 0; i < TRIES; i++) {
        CURL *easy = curl_easy_init();
        curl_easy_setopt(easy, CURLOPT_URL, target);
        curl_easy_setopt(easy, CURLOPT_CAINFO, ca);
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, "{\"user_id\":\"bench-player\"}");
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
        uint64_t start = now_ns();
        if (curl_easy_perform(easy) != CURLE_OK) exit(1);
        cold = best(cold, (double)(now_ns() - start) / 1000.0);
        curl_easy_cleanup(easy);
    }
    curl_slist_free_all(headers);
    printf("{\"cold_us\":%.0f}\n", cold);
    return 0;
}
#endif

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: first_call gamegate|curl BASE_URL CA_PEM_FILE RTT_MS\n");
        return 2;
    }
#ifdef FIRST_CALL_CURL
    if (strcmp(argv[1], "curl") == 0) return curl_cold(argv[2], argv[3]);
#endif
    return gamegate(argv[2], argv[3], atol(argv[4]));
}
