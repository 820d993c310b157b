/* The smallest useful game server: one KGeN session. Linked statically against libgamegate.a
 * with --gc-sections to measure what GameGate adds to a program. */
#include <stdio.h>

#include "gamegate.h"

static void on_session(void *user_data, const gg_error *error, const kgen_session *s) {
    *(int *)user_data = 1;
    printf("%s\n", error ? error->message : s->wallet_address);
}

int main(int argc, char **argv) {
    gg_options *options = gg_options_new();
    if (argc > 1) gg_options_set_base_url(options, argv[1]);
    kgen_client *kgen = NULL;
    if (kgen_client_new("client-id", "client-secret", options, &kgen) != GG_OK) return 1;
    gg_options_free(options);
    int done = 0;
    kgen_create_session(kgen, "player-42", on_session, &done, NULL);
    while (!done) kgen_client_tick(kgen);
    kgen_client_free(kgen);
    return 0;
}
