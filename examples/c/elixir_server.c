/* A game server at the end of a match: submits each player's score to Elixir with a signed
 * server-side call (elixir_server_request), in worker dispatch, and waits for every answer.
 * usage: elixir_server PRIVATE_KEY_PEM_FILE    (base URL from $GAMEGATE_EMULATOR_URL, else
 * production; API key from $ELIXIR_API_KEY, else the emulator's test key)
 * The private key belongs on servers only: never ship it inside a game build. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gamegate.h"

#define PLAYERS 5

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t answered = PTHREAD_COND_INITIALIZER;
static int answers, accepted;

static void on_score(void *user_data, const gg_error *error, const char *json) {
    const char *player = (const char *)user_data;
    if (error) {
        fprintf(stderr, "  %s: %s (HTTP %d, api code \"%s\"): %s\n", player, gg_result_name(error->code), error->http_status,
                error->api_code, error->message);
    } else {
        printf("  %s: %s\n", player, json);
    }
    pthread_mutex_lock(&lock);
    answers++;
    if (!error) accepted++;
    pthread_cond_signal(&answered);
    pthread_mutex_unlock(&lock);
}

/* The whole file, NUL-terminated; the caller wipes and frees it. */
static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *text = calloc(16384, 1);
    *len = text ? fread(text, 1, 16383, f) : 0;
    fclose(f);
    return text;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: elixir_server PRIVATE_KEY_PEM_FILE\n");
        return 2;
    }
    size_t key_len = 0;
    char *key = read_file(argv[1], &key_len);
    if (!key) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 1;
    }
    const char *api_key = getenv("ELIXIR_API_KEY") ? getenv("ELIXIR_API_KEY") : "gamegate-test-api-key";
    gg_options *options = gg_options_new();
    if (getenv("GAMEGATE_EMULATOR_URL")) gg_options_set_base_url(options, getenv("GAMEGATE_EMULATOR_URL"));
    gg_options_set_dispatch(options, GG_DISPATCH_WORKER);
    elixir_server *server = NULL;
    gg_result created = elixir_server_new(api_key, key, options, &server);
    /* The library keeps its own (wiped) copy of the key: this one goes now. */
    memset(key, 0, key_len);
    free(key);
    gg_options_free(options);
    if (created != GG_OK) {
        char why[256];
        size_t why_len = 0;
        gg_last_error_message(why, sizeof why, &why_len);
        fprintf(stderr, "elixir_server_new: %s: %s\n", gg_result_name(created), why);
        return 1;
    }

    static const char *players[PLAYERS] = {"player-ana", "player-bo", "player-cy", "player-di", "player-ed"};
    printf("submitting %d scores for match m-42\n", PLAYERS);
    for (int i = 0; i < PLAYERS; i++) {
        char body[256];
        snprintf(body, sizeof body, "{\"matchId\":\"m-42\",\"playerId\":\"%s\",\"score\":%d}", players[i], 1000 + 137 * i);
        if (elixir_server_request(server, "POST", "/sdk/v2/game-stats", body, on_score, (void *)players[i], NULL) != GG_OK) {
            fprintf(stderr, "could not submit the score of %s\n", players[i]);
            return 1;
        }
    }
    pthread_mutex_lock(&lock);
    while (answers < PLAYERS) pthread_cond_wait(&answered, &lock);
    int ok = accepted;
    pthread_mutex_unlock(&lock);
    elixir_server_free(server);
    printf("%d of %d scores accepted\n", ok, PLAYERS);
    return ok == PLAYERS ? 0 : 1;
}
