// Library-wide: version, counters, log lines.
using System;
using GameGate.Native;

namespace GameGate
{
    /// <summary>Process-wide counters (GameGateLibrary.GetStats), for tests and diagnostics.</summary>
    public sealed class GameGateStats
    {
        /// <summary>Clients created and not yet freed.</summary>
        public ulong LiveClients;
        /// <summary>Library threads still running (I/O and callback threads end on their own after a free).</summary>
        public ulong LiveThreads;
        /// <summary>Requests accepted since the process started.</summary>
        public ulong RequestsStarted;
        /// <summary>Requests whose callback ran (or was dropped at a free) since the process started.</summary>
        public ulong RequestsFinished;
        /// <summary>Times an I/O thread woke up (all clients together).</summary>
        public ulong IoWakeups;
        /// <summary>Connections opened by the process since it started.</summary>
        public ulong ConnectionsOpened;
    }

    /// <summary>The native library itself.</summary>
    public static class GameGateLibrary
    {
        /// <summary>The native library's version, e.g. "0.1.0".</summary>
        public static string Version { get { return Utf8.Decode(NativeMethods.gg_version()); } }

        /// <summary>The process-wide counters, read now.</summary>
        public static GameGateStats GetStats()
        {
            var native = new gg_stats { struct_size = (uint)System.Runtime.InteropServices.Marshal.SizeOf(typeof(gg_stats)) };
            GameGateException.ThrowIfFailed(NativeMethods.gg_get_stats(ref native));
            return new GameGateStats
            {
                LiveClients = native.live_clients, LiveThreads = native.live_threads,
                RequestsStarted = native.requests_started, RequestsFinished = native.requests_finished,
                IoWakeups = native.io_wakeups, ConnectionsOpened = native.connections_opened,
            };
        }
    }

    /// <summary>One request's numbers; times in microseconds.</summary>
    public sealed class RequestMetrics
    {
        /// <summary>The id the call returned.</summary>
        public ulong RequestId;
        /// <summary>"GET", "POST", ...; "" when the request never reached the network.</summary>
        public string Method;
        /// <summary>The path as sent, rei-keys and query values replaced.</summary>
        public string Path;
        /// <summary>The result the request's own callback gets.</summary>
        public ResultCode Code;
        /// <summary>Of the last attempt; 0 when none arrived.</summary>
        public int HttpStatus;
        /// <summary>Times the request was sent, retries included.</summary>
        public uint Attempts;
        /// <summary>The last attempt went out on a pooled connection (no DNS, connect or TLS time).</summary>
        public bool ConnectionReused;
        /// <summary>Name lookup of the last attempt's connection.</summary>
        public long DnsUs;
        /// <summary>TCP connect of the last attempt's connection.</summary>
        public long ConnectUs;
        /// <summary>TLS handshake of the last attempt's connection.</summary>
        public long TlsUs;
        /// <summary>Last attempt: request written to first response byte.</summary>
        public long FirstByteUs;
        /// <summary>From the call to completion.</summary>
        public long TotalUs;
        /// <summary>HTTP bytes sent over all attempts (before TLS).</summary>
        public ulong BytesSent;
        /// <summary>HTTP bytes received over all attempts (before TLS).</summary>
        public ulong BytesReceived;

        internal static RequestMetrics FromNative(IntPtr pointer)
        {
            var m = (gg_request_metrics)System.Runtime.InteropServices.Marshal.PtrToStructure(pointer, typeof(gg_request_metrics));
            return new RequestMetrics
            {
                RequestId = m.request_id, Method = Utf8.Decode(m.method), Path = Utf8.Decode(m.path),
                Code = (ResultCode)m.code, HttpStatus = m.http_status, Attempts = m.attempts,
                ConnectionReused = m.connection_reused != 0, DnsUs = m.dns_us, ConnectUs = m.connect_us,
                TlsUs = m.tls_us, FirstByteUs = m.first_byte_us, TotalUs = m.total_us,
                BytesSent = m.bytes_sent, BytesReceived = m.bytes_received,
            };
        }
    }

    /// <summary>The app's life as the engine reports it (GameGateDispatcher does it in Unity).</summary>
    public static class GameGateAppStatus
    {
        /// <summary>false when the app goes to the background, true when it comes back: back in
        /// the foreground, pooled connections are closed and background refresh looks at once.</summary>
        public static void SetForeground(bool foreground)
        {
            GameGateException.ThrowIfFailed(NativeMethods.gg_set_application_status(foreground ? 0u : 1u));
        }

        /// <summary>Every report (a repeated online too: Wi-Fi to cellular) closes pooled
        /// connections; offline, requests fail at once with Network and nothing is sent.</summary>
        public static void SetOnline(bool online)
        {
            GameGateException.ThrowIfFailed(NativeMethods.gg_set_network_status(online ? 1u : 2u));
        }
    }

    /// <summary>How much the library logs (the C header's GG_LOG_* values).</summary>
    public enum LogLevel
    {
        /// <summary>Nothing.</summary>
        Off = 0,
        /// <summary>A request or the library failed.</summary>
        Error = 1,
        /// <summary>Something to look at: a retry, an insecure setting.</summary>
        Warn = 2,
        /// <summary>Clients created and freed, sessions changed.</summary>
        Info = 3,
        /// <summary>Each request and its outcome.</summary>
        Debug = 4,
        /// <summary>Connections, bytes and timers.</summary>
        Trace = 5,
    }

    /// <summary>The library's log lines. In Unity they reach the Console (Debug.Log,
    /// LogWarning, LogError) up to ConsoleLevel, warnings and errors by default; SetHandler sends
    /// them to your own sink instead. Lines never contain a secret.</summary>
    public static class GameGateLog
    {
        private static readonly object Lock = new object();
        private static volatile Action<LogLevel, string> handler;
        private static Action<LogLevel, string> gameHandler, defaultSink;
        private static LogLevel gameLevel, consoleLevel = LogLevel.Warn;

        /// <summary>Receives the library's log lines up to maxLevel, from any thread, in place of
        /// the default sink (Unity's Console). null gives the lines back to the default sink.</summary>
        public static void SetHandler(LogLevel maxLevel, Action<LogLevel, string> onLine)
        {
            lock (Lock)
            {
                gameHandler = onLine;
                gameLevel = maxLevel;
                Apply();
            }
        }

        /// <summary>How much reaches the default sink (Unity's Console): Warn by default; Info,
        /// Debug or Trace for more, Off for nothing. Unused while a SetHandler sink is set.</summary>
        public static LogLevel ConsoleLevel
        {
            get { return consoleLevel; }
            set
            {
                lock (Lock)
                {
                    consoleLevel = value;
                    Apply();
                }
            }
        }

        // The engine's console (the Unity dispatcher installs Debug.Log); null removes it.
        internal static void UseDefaultSink(Action<LogLevel, string> sink)
        {
            lock (Lock)
            {
                defaultSink = sink;
                Apply();
            }
        }

        // Before the managed domain goes away: native code must not call into it.
        internal static void Detach()
        {
            lock (Lock)
            {
                gameHandler = null;
                defaultSink = null;
                Apply();
            }
        }

        private static void Apply()
        {
            var onLine = gameHandler ?? defaultSink;
            var level = gameHandler != null ? gameLevel : consoleLevel;
            handler = onLine;
            if (onLine == null || level == LogLevel.Off)
                NativeMethods.gg_set_log_callback(0, null, IntPtr.Zero);
            else
                NativeMethods.gg_set_log_callback((int)level, Trampolines.OnLog, IntPtr.Zero);
        }

        internal static void Deliver(int level, string line)
        {
            var onLine = handler;
            if (onLine != null) onLine((LogLevel)level, line);
        }
    }
}
