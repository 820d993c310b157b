/* GameGate demo: a game server gets a KGeN session for a player through the C ABI.
 * Run with `cargo xtask demo` (starts the bundled emulator; no credentials needed). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gamegate.h"

typedef struct step {
    int done;
    int failed;
} step;

static void print_error(const char *what, const gg_error *e) {
    fprintf(stderr, "  %s failed: %s (HTTP %d, api code \"%s\"): %s\n", what, gg_result_name(e->code), e->http_status,
            e->api_code, e->message);
}

/* Shows the first characters of a token only: a demo should not print credentials either. */
static void print_masked(const char *label, const char *token) {
    printf("  %-22s %.6s... (%zu chars)\n", label, token, strlen(token));
}

static void on_session(void *user_data, const gg_error *error, const kgen_session *s) {
    step *st = (step *)user_data;
    st->done = 1;
    if (error) {
        print_error("kgen_create_session", error);
        st->failed = 1;
        return;
    }
    printf("  %-22s %s\n", "user_id", s->user_id);
    printf("  %-22s %s\n", "session_id", s->session_id);
    printf("  %-22s %s\n", "wallet_address", s->wallet_address);
    printf("  %-22s %s\n", "namespaced user", s->namespaced_third_party_user_id);
    printf("  %-22s %s\n", "is_new_user", s->is_new_user ? "yes" : "no");
    printf("  %-22s %lld\n", "level (from profile)", (long long)s->level);
    printf("  %-22s %s (unix ms %lld)\n", "session_start_time", s->session_start_time, (long long)s->session_start_unix_ms);
    print_masked("access_token", s->access_token);
    print_masked("refresh_token", s->refresh_token);
}

static void on_json(void *user_data, const gg_error *error, const char *json) {
    step *st = (step *)user_data;
    st->done = 1;
    if (error) {
        print_error("kgen_request", error);
        st->failed = 1;
        return;
    }
    printf("  %s\n", json);
}

/* The game loop: tick once per "frame" until the step's callback ran. */
static int run_frames(kgen_client *client, step *st) {
    struct timespec frame = {0, 16 * 1000 * 1000};
    for (int i = 0; i < 1000 && !st->done; i++) {
        kgen_client_tick(client);
        nanosleep(&frame, NULL);
    }
    return st->done && !st->failed;
}

int main(void) {
    const char *url = getenv("GAMEGATE_EMULATOR_URL");
    if (!url) {
        fprintf(stderr, "GAMEGATE_EMULATOR_URL is not set; run `cargo xtask demo`\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* keep step output in order with the emulator log */
    printf("GameGate %s\n", gg_version());

    gg_options *options = gg_options_new();
    if (gg_options_set_base_url(options, url) != GG_OK) return 1;
    kgen_client *kgen = NULL;
    int rc = kgen_client_new("gamegate-test-client", "gamegate-test-secret", options, &kgen);
    gg_options_free(options);
    if (rc != GG_OK) {
        fprintf(stderr, "kgen_client_new: %s\n", gg_result_name(rc));
        return 1;
    }

    char player[64];
    snprintf(player, sizeof player, "demo-player-%ld", (long)time(NULL));
    printf("\n[1] KGeN: create a session for %s\n", player);
    kgen_profile *profile = kgen_profile_new();
    kgen_profile_set_text(profile, "name", "Demo Player");
    kgen_profile_set_int(profile, "level", 7);
    step first = {0, 0};
    rc = kgen_create_session_with_profile(kgen, player, profile, on_session, &first, NULL);
    kgen_profile_free(profile);
    if (rc != GG_OK || !run_frames(kgen, &first)) return 1;

    printf("\n[2] KGeN: the same player again (same wallet, not new)\n");
    step again = {0, 0};
    if (kgen_create_session(kgen, player, on_session, &again, NULL) != GG_OK || !run_frames(kgen, &again)) return 1;

    printf("\n[3] KGeN: any other S2S call through kgen_request\n");
    step events = {0, 0};
    if (kgen_request(kgen, "GET", "/s2s/loyalty/rewardable-events", NULL, on_json, &events, NULL) != GG_OK ||
        !run_frames(kgen, &events))
        return 1;

    kgen_client_free(kgen);
    printf("\ndone.\n");
    return 0;
}
