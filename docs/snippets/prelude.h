/* What the C snippets in the docs use without declaring: the game's callbacks and values.
 * The test command compiles each snippet marked `<!-- snippet: in-function -->` as the body of
 * a function after this file. */
#include <stdio.h>
#include "gamegate.h"

extern const char *client_id, *client_secret, *api_key, *private_key_pem;
extern const char *transaction_id, *code, *saved_refresh_token;
extern gg_options *options;
extern elixir_client *elixir;

void on_kgen_session(void *user_data, const gg_error *error, const kgen_session *session);
void on_session_changed(void *user_data, const elixir_session *session);
void on_session_event(void *user_data, uint32_t event, const elixir_session *session);
void on_code_sent(void *user_data, const gg_error *error, const char *transaction_id);
void on_signed_in(void *user_data, const gg_error *error, const elixir_session *session);
void on_launch_answer(void *user_data, const gg_error *error, const elixir_session *session);
void on_json(void *user_data, const gg_error *error, const char *json);
void on_signed_out(void *user_data, const gg_error *error);
