// Transport settings; each client copies them when it is created.
using System;
using GameGate.Native;

namespace GameGate
{
    /// <summary>Where a client's callbacks and events run.</summary>
    public enum Dispatch
    {
        /// <summary>Callbacks run inside Tick() on the thread that calls it (Unity: the main thread).</summary>
        Tick = 0,
        /// <summary>Callbacks run on library threads (game servers, tools).</summary>
        Worker = 1,
    }

    /// <summary>Which certificates TLS trusts (RootCertificatesPem is trusted in every mode).</summary>
    public enum Trust
    {
        /// <summary>The OS's verifier and trust store; the bundled roots where the OS cannot be asked.</summary>
        Default = 0,
        /// <summary>Only the bundled Mozilla roots.</summary>
        Bundled = 1,
        /// <summary>Only the OS (client creation fails with Unsupported where it cannot be asked).</summary>
        Os = 2,
    }

    /// <summary>A client's settings, copied when the client is created (changing them later
    /// changes nothing for that client). A bad value throws GameGateException from the client's
    /// constructor, with a message naming the setting.</summary>
    public sealed class GameGateOptions
    {
        /// <summary>null = the service's production URL. http:// only for loopback (the emulator).</summary>
        public string BaseUrl;
        /// <summary>One deadline per request, retries and the name lookup included, in milliseconds.</summary>
        public uint TimeoutMs = 10000;
        /// <summary>Tick (the default; Unity's dispatcher ticks every client each frame) or Worker.</summary>
        public Dispatch Dispatch = Dispatch.Tick;
        /// <summary>Requests on the wire at once (connections); not a thread count: a client is one I/O thread.</summary>
        public uint WorkerThreads = 4;
        /// <summary>Extra trusted roots (PEM), trusted whatever the Trust mode.</summary>
        public string RootCertificatesPem;
        /// <summary>Whom TLS trusts; Default asks the OS (its store is kept up to date for years).</summary>
        public Trust Trust = Trust.Default;
        /// <summary>A response body larger than this fails with BadResponse.</summary>
        public ulong MaxBodyBytes = 1024 * 1024;
        /// <summary>Elixir: a token this close to its expiry is refreshed before a call uses it, in milliseconds.</summary>
        public uint RefreshMarginMs = 60000;
        /// <summary>null = "gamegate/&lt;version&gt;".</summary>
        public string UserAgent;
        /// <summary>Transient failures (connection failures, HTTP 502/503/504) retried with jittered
        /// backoff, for KGeN session creation and GETs only; 0 disables.</summary>
        public uint MaxRetries = 2;
        /// <summary>The first retry's backoff ceiling, doubled for each further retry (full jitter).</summary>
        public uint RetryBaseDelayMs = 200;
        /// <summary>Every request through an HTTP proxy, "http://[user:password@]host:port";
        /// HTTPS goes through a CONNECT tunnel. The credentials are secrets: never logged.
        /// null = no proxy (or the environment's, with ProxyFromEnvironment).</summary>
        public string Proxy;
        /// <summary>With no Proxy: take https_proxy / http_proxy / no_proxy from the environment
        /// at client creation, as curl does. Off by default.</summary>
        public bool ProxyFromEnvironment;
        /// <summary>Development only: allow http:// to any host (an emulator on the LAN, or at
        /// 10.0.2.2 from an Android emulator); a warning is logged. Off: only loopback may be plain.</summary>
        public bool AllowPlainHttp;
        /// <summary>Elixir: keep the access token fresh in the background (an alarm on the client's I/O thread).</summary>
        public bool BackgroundRefresh;
        /// <summary>A pooled connection idle longer than this is closed, never reused (a carrier's
        /// NAT may have forgotten it).</summary>
        public uint MaxIdleMs = 60000;
        /// <summary>Elixir: keep the player's session in the OS credential store (Keychain,
        /// Credential Manager, Secret Service, Keystore) under SessionSlot; the client restores
        /// it when created (ElixirClient.StoredSession). Never PlayerPrefs, never a plaintext file.</summary>
        public bool KeepSessionInOsStore = true;
        /// <summary>One stored session per slot: a game profile ("default", "player-2", ...).</summary>
        public string SessionSlot = "default";
        /// <summary>Tick dispatch: a Tick stops delivering once this many microseconds went by (one
        /// callback at least), spreading a burst over frames; 0 = no budget.</summary>
        public uint TickBudgetUs;
        /// <summary>Each request's numbers (timings, attempts, bytes), right before its own callback,
        /// where callbacks run. null = nothing measured.</summary>
        public Action<RequestMetrics> RequestMetrics;

        // Builds the native options; the caller frees them right after creating the client.
        internal IntPtr ToNative(IntPtr metricsHandler = default(IntPtr))
        {
            IntPtr o = NativeMethods.gg_options_new();
            try
            {
                // Checked one by one: the refusal message belongs to the last refused call.
                if (BaseUrl != null) GameGateException.ThrowIfFailed(NativeMethods.gg_options_set_base_url(o, Utf8.Encode(BaseUrl)));
                GameGateException.ThrowIfFailed(NativeMethods.gg_options_set_timeout_ms(o, TimeoutMs));
                GameGateException.ThrowIfFailed(NativeMethods.gg_options_set_dispatch(o, (uint)Dispatch));
                GameGateException.ThrowIfFailed(NativeMethods.gg_options_set_worker_threads(o, WorkerThreads));
                if (RootCertificatesPem != null)
                    GameGateException.ThrowIfFailed(NativeMethods.gg_options_add_root_certificates_pem(o, Utf8.Encode(RootCertificatesPem)));
                GameGateException.ThrowIfFailed(NativeMethods.gg_options_set_max_body_bytes(o, MaxBodyBytes));
                GameGateException.ThrowIfFailed(NativeMethods.gg_options_set_refresh_margin_ms(o, RefreshMarginMs));
                if (UserAgent != null) GameGateException.ThrowIfFailed(NativeMethods.gg_options_set_user_agent(o, Utf8.Encode(UserAgent)));
                GameGateException.ThrowIfFailed(NativeMethods.gg_options_set_retries(o, MaxRetries, RetryBaseDelayMs));
                GameGateException.ThrowIfFailed(NativeMethods.gg_options_set_background_refresh(o, (byte)(BackgroundRefresh ? 1 : 0)));
                GameGateException.ThrowIfFailed(NativeMethods.gg_options_set_max_idle_ms(o, MaxIdleMs));
                GameGateException.ThrowIfFailed(NativeMethods.gg_options_set_tick_budget_us(o, TickBudgetUs));
                GameGateException.ThrowIfFailed(NativeMethods.gg_options_set_trust(o, (uint)Trust));
                if (Proxy != null) GameGateException.ThrowIfFailed(NativeMethods.gg_options_set_proxy(o, Utf8.Encode(Proxy)));
                GameGateException.ThrowIfFailed(NativeMethods.gg_options_set_proxy_from_environment(o, (byte)(ProxyFromEnvironment ? 1 : 0)));
                GameGateException.ThrowIfFailed(NativeMethods.gg_options_set_allow_plain_http(o, (byte)(AllowPlainHttp ? 1 : 0)));
                if (metricsHandler != IntPtr.Zero)
                    GameGateException.ThrowIfFailed(NativeMethods.gg_options_set_metrics_callback(o, Trampolines.OnMetrics, metricsHandler));
                return o;
            }
            catch
            {
                NativeMethods.gg_options_free(o);
                throw;
            }
        }
    }
}
