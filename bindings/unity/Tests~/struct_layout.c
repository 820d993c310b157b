/* Prints C's view of every struct that crosses into C#: "struct sizeof N" and
 * "struct field offset" lines. The C# layout test compares them with Marshal.SizeOf/OffsetOf. */
#include <stddef.h>
#include <stdio.h>

#include "gamegate.h"

#define SIZE(s) printf(#s " sizeof %zu\n", sizeof(s))
#define FIELD(s, f) printf(#s " " #f " %zu\n", offsetof(s, f))

int main(void) {
    SIZE(gg_error);
    FIELD(gg_error, struct_size); FIELD(gg_error, code); FIELD(gg_error, http_status);
    FIELD(gg_error, api_code); FIELD(gg_error, message); FIELD(gg_error, retry_after_ms);

    SIZE(gg_request_metrics);
    FIELD(gg_request_metrics, struct_size); FIELD(gg_request_metrics, request_id); FIELD(gg_request_metrics, method);
    FIELD(gg_request_metrics, path); FIELD(gg_request_metrics, code); FIELD(gg_request_metrics, http_status);
    FIELD(gg_request_metrics, attempts); FIELD(gg_request_metrics, connection_reused); FIELD(gg_request_metrics, dns_us);
    FIELD(gg_request_metrics, connect_us); FIELD(gg_request_metrics, tls_us); FIELD(gg_request_metrics, first_byte_us);
    FIELD(gg_request_metrics, total_us); FIELD(gg_request_metrics, bytes_sent); FIELD(gg_request_metrics, bytes_received);

    SIZE(gg_stats);
    FIELD(gg_stats, struct_size); FIELD(gg_stats, live_clients); FIELD(gg_stats, live_threads);
    FIELD(gg_stats, requests_started); FIELD(gg_stats, requests_finished); FIELD(gg_stats, io_wakeups);
    FIELD(gg_stats, connections_opened);

    SIZE(elixir_session);
    FIELD(elixir_session, struct_size); FIELD(elixir_session, token); FIELD(elixir_session, token_expiry_ms);
    FIELD(elixir_session, token_life_ms); FIELD(elixir_session, refresh_token); FIELD(elixir_session, user_id);
    FIELD(elixir_session, user_status); FIELD(elixir_session, ban_reason); FIELD(elixir_session, new_account);
    FIELD(elixir_session, raw_json);

    SIZE(kgen_session);
    FIELD(kgen_session, struct_size); FIELD(kgen_session, session_id); FIELD(kgen_session, user_id);
    FIELD(kgen_session, name); FIELD(kgen_session, username); FIELD(kgen_session, email);
    FIELD(kgen_session, device_id); FIELD(kgen_session, phonenumber); FIELD(kgen_session, level);
    FIELD(kgen_session, rank); FIELD(kgen_session, date_joined); FIELD(kgen_session, playertag);
    FIELD(kgen_session, location); FIELD(kgen_session, location_name); FIELD(kgen_session, device_model);
    FIELD(kgen_session, screen_height); FIELD(kgen_session, screen_width); FIELD(kgen_session, os_name);
    FIELD(kgen_session, os_version); FIELD(kgen_session, browser_name); FIELD(kgen_session, app_version);
    FIELD(kgen_session, fb_login); FIELD(kgen_session, google_login); FIELD(kgen_session, indigg_id);
    FIELD(kgen_session, indigg_wallet_address); FIELD(kgen_session, third_party_client_id);
    FIELD(kgen_session, third_party_client_name); FIELD(kgen_session, namespaced_third_party_user_id);
    FIELD(kgen_session, wallet_address); FIELD(kgen_session, is_new_user); FIELD(kgen_session, access_token);
    FIELD(kgen_session, refresh_token); FIELD(kgen_session, linked_phone); FIELD(kgen_session, session_start_time);
    FIELD(kgen_session, session_start_unix_ms); FIELD(kgen_session, raw_json);
    return 0;
}
