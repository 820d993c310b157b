/* The libcurl peer: the same N POST /s2s/session/ requests with C in flight, through the multi
 * interface with keep-alive connections (what a game server would write by hand).
 * usage: bench_curl event|tick CONCURRENCY N BASE_URL [CA_PEM_FILE]
 * event: curl_multi_poll drives transfers as fast as they complete.
 * tick:  curl_multi_perform once per 1 kHz frame, as a game loop would (compare with
 *        GameGate's tick mode). The body is received but not parsed (GameGate parses it). */
#include "bench_common.h"

#include <curl/curl.h>

typedef struct slot {
    CURL *easy;
    int index;
    char body[4096];
    size_t len;
} slot;

static uint64_t *started, *latency;
static int total, submitted, completed, failed;

static size_t on_data(char *data, size_t size, size_t count, void *user) {
    slot *s = (slot *)user;
    size_t n = size * count;
    if (s->len + n < sizeof s->body) memcpy(s->body + s->len, data, n);
    s->len += n;
    return n;
}

static int start_next(CURLM *multi, slot *s) {
    if (submitted >= total) return 0;
    s->index = submitted++;
    s->len = 0;
    started[s->index] = now_ns();
    curl_multi_add_handle(multi, s->easy);
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: bench_curl event|tick CONCURRENCY N BASE_URL [CA_PEM_FILE]\n");
        return 2;
    }
    int event = strcmp(argv[1], "event") == 0;
    int concurrency = atoi(argv[2]);
    total = atoi(argv[3]);
    char url[512];
    snprintf(url, sizeof url, "%s/s2s/session/", argv[4]);
    started = calloc((size_t)total, sizeof *started);
    latency = calloc((size_t)total, sizeof *latency);

    curl_global_init(CURL_GLOBAL_ALL);
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)concurrency);
    struct curl_slist *headers = NULL;
    headers = curl_slist_append(headers, "content-type: application/json");
    headers = curl_slist_append(headers, "accept: application/json");
    headers = curl_slist_append(headers, "x-client-id: bench-client");
    headers = curl_slist_append(headers, "x-client-secret: bench-secret");
    slot *slots = calloc((size_t)concurrency, sizeof *slots);
    for (int i = 0; i < concurrency; i++) {
        CURL *e = curl_easy_init();
        curl_easy_setopt(e, CURLOPT_URL, url);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, KGEN_BODY);
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &slots[i]);
        curl_easy_setopt(e, CURLOPT_PRIVATE, &slots[i]);
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
        curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
        if (argc > 5) curl_easy_setopt(e, CURLOPT_CAINFO, argv[5]);
        slots[i].easy = e;
    }

    double cpu_before = process_cpu_us();
    uint64_t start = now_ns();
    for (int i = 0; i < concurrency; i++) start_next(multi, &slots[i]);
    while (completed < total) {
        int running = 0;
        curl_multi_perform(multi, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(multi, &left))) {
            if (msg->msg != CURLMSG_DONE) continue;
            slot *s;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
            long status = 0;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
            latency[s->index] = now_ns() - started[s->index];
            if ((msg->data.result != CURLE_OK || status != 200) && failed++ < 3)
                fprintf(stderr, "bench_curl: %s (HTTP %ld)\n", curl_easy_strerror(msg->data.result), status);
            completed++;
            curl_multi_remove_handle(multi, s->easy);
            start_next(multi, s); /* the same easy handle keeps its connection alive */
        }
        if (event) {
            curl_multi_poll(multi, NULL, 0, 100, NULL);
        } else {
            wait_for_next_frame(start, 1000000);
        }
    }
    uint64_t elapsed = now_ns() - start;
    double cpu = process_cpu_us() - cpu_before;
    for (int i = 0; i < concurrency; i++) curl_easy_cleanup(slots[i].easy);
    curl_slist_free_all(headers);
    curl_multi_cleanup(multi);
    curl_global_cleanup();
    report(latency, total, elapsed, failed, cpu, -1);
    return failed ? 1 : 0;
}
