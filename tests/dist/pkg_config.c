/* A C program built against a GameGate dist folder through pkg-config:
 *   cc pkg_config.c $(pkg-config --cflags --libs gamegate)
 * Creates one KGeN session against the emulator at $GAMEGATE_EMULATOR_URL; exits 0 on success. */
#define _POSIX_C_SOURCE 200809L
#include <gamegate.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int calls;
static int code = -1;

static void on_session(void *user_data, const gg_error *error, const kgen_session *session) {
    (void)user_data;
    calls++;
    code = error ? error->code : GG_OK;
    if (error) fprintf(stderr, "session: %s\n", error->message);
    else printf("pkg-config consumer (%s): session for %s, wallet %s\n", gg_version(), session->user_id, session->wallet_address);
}

int main(void) {
    const char *url = getenv("GAMEGATE_EMULATOR_URL");
    if (!url) return 2;
    gg_options *o = gg_options_new();
    if (gg_options_set_base_url(o, url) != GG_OK) return 1;
    kgen_client *c = NULL;
    if (kgen_client_new("gamegate-test-client", "gamegate-test-secret", o, &c) != GG_OK) return 1;
    gg_options_free(o);
    if (kgen_create_session(c, "dist-pkg-config", on_session, NULL, NULL) != GG_OK) return 1;
    for (int i = 0; i < 6000 && calls == 0; i++) {
        kgen_client_tick(c);
        struct timespec pause = {0, 5 * 1000000};
        nanosleep(&pause, NULL);
    }
    kgen_client_free(c);
    return calls == 1 && code == GG_OK ? 0 : 1;
}
