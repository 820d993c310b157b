// The C ABI of include/gamegate.h, declared for P/Invoke. IL2CPP-safe: Cdecl everywhere,
// only blittable parameter types (IntPtr, integers, byte[]), strings marshalled by hand
// (Utf8), callbacks as non-generic delegate types implemented by static trampolines.
using System;
using System.Runtime.InteropServices;

namespace GameGate.Native
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate void ResultCallback(IntPtr userData, IntPtr error, IntPtr value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate void DoneCallback(IntPtr userData, IntPtr error);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate void SessionEventCallback(IntPtr userData, uint sessionEvent, IntPtr session);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate void LogCallback(IntPtr userData, int level, IntPtr message);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate void MetricsCallback(IntPtr userData, IntPtr metrics);

    // Field names match the C header exactly: the layout test compares them with C's offsetof.
    [StructLayout(LayoutKind.Sequential)]
    internal struct gg_error
    {
        public uint struct_size;
        public int code;
        public int http_status;
        public IntPtr api_code;
        public IntPtr message;
        // Appended: read only when struct_size covers it (a library older than this binding).
        public long retry_after_ms;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct gg_request_metrics
    {
        public uint struct_size;
        public ulong request_id;
        public IntPtr method;
        public IntPtr path;
        public int code;
        public int http_status;
        public uint attempts;
        public byte connection_reused;
        public long dns_us, connect_us, tls_us, first_byte_us, total_us;
        public ulong bytes_sent, bytes_received;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct kgen_session
    {
        public uint struct_size;
        public IntPtr session_id, user_id, name, username, email, device_id, phonenumber;
        public long level, rank;
        public IntPtr date_joined, playertag, location, location_name, device_model, screen_height, screen_width,
            os_name, os_version, browser_name, app_version, fb_login, google_login, indigg_id, indigg_wallet_address,
            third_party_client_id, third_party_client_name, namespaced_third_party_user_id, wallet_address;
        public byte is_new_user;
        public IntPtr access_token, refresh_token, linked_phone, session_start_time;
        public long session_start_unix_ms;
        public IntPtr raw_json;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct elixir_session
    {
        public uint struct_size;
        public IntPtr token;
        public long token_expiry_ms, token_life_ms;
        public IntPtr refresh_token, user_id, user_status, ban_reason;
        public byte new_account;
        public IntPtr raw_json;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct gg_stats
    {
        public uint struct_size;
        public ulong live_clients, live_threads, requests_started, requests_finished, io_wakeups, connections_opened;
    }

    internal static class NativeMethods
    {
#if UNITY_IOS && !UNITY_EDITOR
        // iOS links the static library into the player: symbols are in the main program.
        internal const string Library = "__Internal";
#else
        internal const string Library = "gamegate";
#endif
        private const CallingConvention Cdecl = CallingConvention.Cdecl;

        // Library
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern IntPtr gg_version();
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern IntPtr gg_result_name(int result);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int gg_get_stats(ref gg_stats stats);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int gg_last_error_message([Out] byte[] buf, UIntPtr cap, out UIntPtr outLen);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern void gg_set_log_callback(int maxLevel, LogCallback callback, IntPtr userData);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int gg_set_application_status(uint status);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int gg_set_network_status(uint status);

        // Options
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern IntPtr gg_options_new();
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern void gg_options_free(IntPtr options);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int gg_options_set_base_url(IntPtr options, byte[] url);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int gg_options_set_timeout_ms(IntPtr options, uint ms);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int gg_options_set_dispatch(IntPtr options, uint mode);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int gg_options_add_root_certificates_pem(IntPtr options, byte[] pem);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int gg_options_set_worker_threads(IntPtr options, uint count);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int gg_options_set_max_body_bytes(IntPtr options, ulong bytes);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int gg_options_set_refresh_margin_ms(IntPtr options, uint ms);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int gg_options_set_user_agent(IntPtr options, byte[] userAgent);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int gg_options_set_retries(IntPtr options, uint maxRetries, uint baseDelayMs);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int gg_options_set_background_refresh(IntPtr options, byte enabled);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int gg_options_set_max_idle_ms(IntPtr options, uint ms);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int gg_options_set_tick_budget_us(IntPtr options, uint us);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int gg_options_set_trust(IntPtr options, uint mode);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int gg_options_set_proxy(IntPtr options, byte[] proxyUrl);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int gg_options_set_proxy_from_environment(IntPtr options, byte enabled);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int gg_options_set_allow_plain_http(IntPtr options, byte enabled);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int gg_options_set_metrics_callback(IntPtr options, MetricsCallback callback, IntPtr userData);

        // KGeN
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int kgen_client_new(byte[] clientId, byte[] clientSecret, IntPtr options, out IntPtr client);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern void kgen_client_free(IntPtr client);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern uint kgen_client_tick(IntPtr client);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int kgen_client_cancel(IntPtr client, ulong requestId);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int kgen_client_prepare(IntPtr client);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern IntPtr kgen_profile_new();
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern void kgen_profile_free(IntPtr profile);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int kgen_profile_set_text(IntPtr profile, byte[] field, byte[] value);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int kgen_profile_set_int(IntPtr profile, byte[] field, long value);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int kgen_profile_set_flag(IntPtr profile, byte[] field, byte value);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int kgen_create_session_with_profile(IntPtr client, byte[] userId, IntPtr profile, ResultCallback callback, IntPtr userData, out ulong requestId);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int kgen_request(IntPtr client, byte[] method, byte[] path, byte[] bodyJson, ResultCallback callback, IntPtr userData, out ulong requestId);

        // Elixir server-side signed calls
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int elixir_server_new(byte[] apiKey, byte[] privateKeyPem, IntPtr options, out IntPtr server);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern void elixir_server_free(IntPtr server);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern uint elixir_server_tick(IntPtr server);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int elixir_server_cancel(IntPtr server, ulong requestId);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int elixir_server_prepare(IntPtr server);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int elixir_server_request(IntPtr server, byte[] method, byte[] path, byte[] bodyJson, ResultCallback callback, IntPtr userData, out ulong requestId);

        // Elixir
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int elixir_client_new(byte[] apiKey, IntPtr options, out IntPtr client);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern void elixir_client_free(IntPtr client);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern uint elixir_client_tick(IntPtr client);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int elixir_client_cancel(IntPtr client, ulong requestId);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int elixir_client_prepare(IntPtr client);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int elixir_client_set_device_info(IntPtr client, byte[] deviceModel, byte[] deviceUniqueId);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int elixir_client_set_session_events(IntPtr client, SessionEventCallback callback, IntPtr userData);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int elixir_client_use_os_store(IntPtr client, byte[] slot, ResultCallback callback, IntPtr userData, out ulong requestId);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int elixir_client_restore_session(IntPtr client, byte[] refreshToken);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int elixir_client_access_token(IntPtr client, [Out] byte[] buf, UIntPtr cap, out UIntPtr outLen);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int elixir_client_refresh_token(IntPtr client, [Out] byte[] buf, UIntPtr cap, out UIntPtr outLen);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int elixir_otp_request(IntPtr client, byte[] email, ResultCallback callback, IntPtr userData, out ulong requestId);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int elixir_otp_verify(IntPtr client, byte[] transactionId, byte[] code, ResultCallback callback, IntPtr userData, out ulong requestId);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int elixir_qr_verify(IntPtr client, byte[] qrValue, ResultCallback callback, IntPtr userData, out ulong requestId);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int elixir_reikey_sign_in(IntPtr client, byte[] reikey, ResultCallback callback, IntPtr userData, out ulong requestId);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int elixir_reikey_close(IntPtr client, byte[] reikey, DoneCallback callback, IntPtr userData, out ulong requestId);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int elixir_session_refresh(IntPtr client, ResultCallback callback, IntPtr userData, out ulong requestId);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int elixir_sign_out(IntPtr client, DoneCallback callback, IntPtr userData, out ulong requestId);
        [DllImport(Library, CallingConvention = Cdecl)] internal static extern int elixir_request(IntPtr client, byte[] method, byte[] path, byte[] bodyJson, ResultCallback callback, IntPtr userData, out ulong requestId);
    }
}
