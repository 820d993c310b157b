/* A game server's match start: create KGeN sessions for a batch of players at once, in worker
 * dispatch (callbacks on library threads), and wait until every player has one.
 * Usage: kgen_batch [players]   (GAMEGATE_EMULATOR_URL points at the emulator; default 200)
 * Run by `cargo xtask test` against the bundled emulator. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gamegate.h"

typedef struct player {
    char user_id[32];
    char wallet[64];
    gg_result result;
} player;

typedef struct match {
    pthread_mutex_t lock;
    pthread_cond_t all_done;
    int remaining;
    int failed;
} match;

typedef struct ticket {
    match *m;
    player *p;
} ticket;

/* Runs on a library thread: copy what we need (the session's strings are borrowed). */
static void on_session(void *user_data, const gg_error *error, const kgen_session *s) {
    ticket *t = (ticket *)user_data;
    if (error) {
        t->p->result = error->code;
        fprintf(stderr, "%s: %s (HTTP %d): %s\n", t->p->user_id, gg_result_name(error->code), error->http_status,
                error->message);
    } else {
        t->p->result = GG_OK;
        snprintf(t->p->wallet, sizeof t->p->wallet, "%s", s->wallet_address);
    }
    pthread_mutex_lock(&t->m->lock);
    if (error) t->m->failed++;
    if (--t->m->remaining == 0) pthread_cond_signal(&t->m->all_done);
    pthread_mutex_unlock(&t->m->lock);
}

int main(int argc, char **argv) {
    const char *url = getenv("GAMEGATE_EMULATOR_URL");
    int count = argc > 1 ? atoi(argv[1]) : 200;
    if (!url || count <= 0) {
        fprintf(stderr, "usage: GAMEGATE_EMULATOR_URL=http://127.0.0.1:PORT kgen_batch [players]\n");
        return 2;
    }

    gg_options *options = gg_options_new();
    gg_result rc = gg_options_set_base_url(options, url);
    if (rc == GG_OK) rc = gg_options_set_dispatch(options, GG_DISPATCH_WORKER);
    if (rc == GG_OK) rc = gg_options_set_worker_threads(options, 16); /* 16 requests in flight */
    kgen_client *kgen = NULL;
    /* A real server reads these from its secret store, never from the game build. */
    if (rc == GG_OK) rc = kgen_client_new("gamegate-test-client", "gamegate-test-secret", options, &kgen);
    gg_options_free(options);
    if (rc != GG_OK) {
        char why[256];
        size_t len = 0;
        gg_last_error_message(why, sizeof why, &len);
        fprintf(stderr, "setup failed: %s\n", why);
        return 1;
    }

    player *players = calloc((size_t)count, sizeof *players);
    ticket *tickets = calloc((size_t)count, sizeof *tickets);
    match m = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, count, 0};
    for (int i = 0; i < count; i++) {
        snprintf(players[i].user_id, sizeof players[i].user_id, "batch-player-%04d", i);
        tickets[i].m = &m;
        tickets[i].p = &players[i];
        rc = kgen_create_session(kgen, players[i].user_id, on_session, &tickets[i], NULL);
        if (rc != GG_OK) { /* refused: no callback will come for this one */
            pthread_mutex_lock(&m.lock);
            m.remaining--;
            m.failed++;
            pthread_mutex_unlock(&m.lock);
            players[i].result = rc;
        }
    }

    pthread_mutex_lock(&m.lock);
    while (m.remaining > 0) pthread_cond_wait(&m.all_done, &m.lock);
    int failed = m.failed;
    pthread_mutex_unlock(&m.lock);

    printf("kgen_batch: %d players, %d sessions, %d failed\n", count, count - failed, failed);
    printf("  %s -> wallet %s\n", players[0].user_id, players[0].wallet);
    printf("  %s -> wallet %s\n", players[count - 1].user_id, players[count - 1].wallet);
    kgen_client_free(kgen);
    free(tickets);
    free(players);
    return failed == 0 ? 0 : 1;
}
