/* GameGate demo, all through the C ABI against the bundled emulator (no credentials needed):
 * a game server gets a KGeN session for a player, then a game client signs the player in to
 * Elixir with an e-mail code, refreshes, makes an authorized call and signs out.
 * Run with `cargo xtask demo`. */
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
        print_error("request", error);
        st->failed = 1;
        return;
    }
    printf("  %s\n", json);
}

/* The game loop: tick once per "frame" until the step's callback ran. */
static int run_frames(kgen_client *kgen, elixir_client *elixir, step *st) {
    struct timespec frame = {0, 16 * 1000 * 1000};
    for (int i = 0; i < 1000 && !st->done; i++) {
        if (kgen) kgen_client_tick(kgen);
        if (elixir) elixir_client_tick(elixir);
        nanosleep(&frame, NULL);
    }
    return st->done && !st->failed;
}

/* ---- Elixir ---- */

typedef struct otp_step {
    step st;
    char transaction_id[128];
} otp_step;

static void on_otp(void *user_data, const gg_error *error, const char *transaction_id) {
    otp_step *o = (otp_step *)user_data;
    o->st.done = 1;
    if (error) {
        print_error("elixir_otp_request", error);
        o->st.failed = 1;
        return;
    }
    snprintf(o->transaction_id, sizeof o->transaction_id, "%s", transaction_id);
    printf("  code e-mailed; transaction %s\n", transaction_id);
}

static void on_elixir_session(void *user_data, const gg_error *error, const elixir_session *s) {
    step *st = (step *)user_data;
    st->done = 1;
    if (error) {
        print_error("sign-in", error);
        st->failed = 1;
        return;
    }
    printf("  %-22s %s\n", "user_id", s->user_id[0] ? s->user_id : "(not sent by this flow)");
    printf("  %-22s %s\n", "new_account", s->new_account ? "yes" : "no");
    printf("  %-22s %lld (epoch ms; life %lld ms)\n", "token_expiry_ms", (long long)s->token_expiry_ms, (long long)s->token_life_ms);
    print_masked("token", s->token);
    print_masked("refresh_token", s->refresh_token);
}

static void on_session_changed(void *user_data, const elixir_session *s) {
    (void)user_data;
    if (s) printf("  (listener) session stored; persist its refresh token for the next launch\n");
    else printf("  (listener) signed out\n");
}

static void on_done(void *user_data, const gg_error *error) {
    step *st = (step *)user_data;
    st->done = 1;
    if (error) {
        print_error("sign-out", error);
        st->failed = 1;
        return;
    }
    printf("  the server closed the session\n");
}

typedef struct reply_step {
    step st;
    char json[512];
} reply_step;

static void on_reply(void *user_data, const gg_error *error, const char *json) {
    reply_step *r = (reply_step *)user_data;
    r->st.done = 1;
    r->st.failed = error != NULL;
    snprintf(r->json, sizeof r->json, "%s", json ? json : "");
}

/* The emulator "e-mails" the code to its console and to a development endpoint; a real game
 * asks the player to type it in. */
static int read_emailed_code(kgen_client *any, const char *email, char *code, size_t cap) {
    char path[256];
    snprintf(path, sizeof path, "/_emulator/elixir/otp?email=%s", email);
    reply_step r;
    memset(&r, 0, sizeof r);
    if (kgen_request(any, "GET", path, NULL, on_reply, &r, NULL) != GG_OK || !run_frames(any, NULL, &r.st)) return 0;
    const char *at = strstr(r.json, "\"code\":\"");
    if (!at) return 0;
    snprintf(code, cap, "%.5s", at + 8);
    return 1;
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
    if (rc != GG_OK || !run_frames(kgen, NULL, &first)) return 1;

    printf("\n[2] KGeN: the same player again (same wallet, not new)\n");
    step again = {0, 0};
    if (kgen_create_session(kgen, player, on_session, &again, NULL) != GG_OK || !run_frames(kgen, NULL, &again)) return 1;

    printf("\n[3] KGeN: any other S2S call through kgen_request\n");
    step events = {0, 0};
    if (kgen_request(kgen, "GET", "/s2s/loyalty/rewardable-events", NULL, on_json, &events, NULL) != GG_OK ||
        !run_frames(kgen, NULL, &events))
        return 1;

    /* ---- Elixir: the game client side ---- */
    options = gg_options_new();
    gg_options_set_base_url(options, url);
    elixir_client *elixir = NULL;
    rc = elixir_client_new("gamegate-test-api-key", options, &elixir);
    gg_options_free(options);
    if (rc != GG_OK) {
        fprintf(stderr, "elixir_client_new: %s\n", gg_result_name(rc));
        return 1;
    }
    elixir_client_set_session_listener(elixir, on_session_changed, NULL);
    elixir_client_set_device_info(elixir, "GameGate demo", "demo-device-0001");
    /* The sign-in screen is open: connect (DNS, TCP, TLS) before the player taps. */
    elixir_client_prepare(elixir);

    char email[96];
    snprintf(email, sizeof email, "%s@example.com", player);
    printf("\n[4] Elixir: e-mail a sign-in code to %s\n", email);
    otp_step otp;
    memset(&otp, 0, sizeof otp);
    if (elixir_otp_request(elixir, email, on_otp, &otp, NULL) != GG_OK || !run_frames(NULL, elixir, &otp.st)) return 1;

    char code[8];
    if (!read_emailed_code(kgen, email, code, sizeof code)) return 1;
    /* The player is typing the code, minutes after it was sent: open a connection again. */
    elixir_client_prepare(elixir);
    printf("\n[5] Elixir: verify the code the player typed in (%zu characters)\n", strlen(code));
    step verified = {0, 0};
    if (elixir_otp_verify(elixir, otp.transaction_id, code, on_elixir_session, &verified, NULL) != GG_OK ||
        !run_frames(NULL, elixir, &verified))
        return 1;

    printf("\n[6] Elixir: refresh the session (the refresh token rotates)\n");
    step refreshed = {0, 0};
    if (elixir_session_refresh(elixir, on_elixir_session, &refreshed, NULL) != GG_OK || !run_frames(NULL, elixir, &refreshed))
        return 1;

    printf("\n[7] Elixir: an authorized call on the player's behalf (GET /sdk/v2/userinfo)\n");
    step info = {0, 0};
    if (elixir_request(elixir, "GET", "/sdk/v2/userinfo", NULL, on_json, &info, NULL) != GG_OK || !run_frames(NULL, elixir, &info))
        return 1;

    printf("\n[8] Elixir: sign out\n");
    step out = {0, 0};
    if (elixir_sign_out(elixir, on_done, &out, NULL) != GG_OK || !run_frames(NULL, elixir, &out)) return 1;

    elixir_client_free(elixir);
    kgen_client_free(kgen);
    printf("\ndone.\n");
    return 0;
}
