// Library-wide: version, counters, log lines.
using System;
using GameGate.Native;

namespace GameGate
{
    public sealed class GameGateStats
    {
        /// <summary>Clients created and not yet freed.</summary>
        public ulong LiveClients;
        /// <summary>Library threads still running (I/O and callback threads end on their own after a free).</summary>
        public ulong LiveThreads;
        public ulong RequestsStarted, RequestsFinished;
        /// <summary>Times an I/O thread woke up (all clients together).</summary>
        public ulong IoWakeups;
        /// <summary>Connections opened by the process since it started.</summary>
        public ulong ConnectionsOpened;
    }

    public static class GameGateLibrary
    {
        public static string Version { get { return Utf8.Decode(NativeMethods.gg_version()); } }

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
        public ulong RequestId;
        /// <summary>The path as sent, rei-keys and query values replaced.</summary>
        public string Method, Path;
        public ResultCode Code;
        public int HttpStatus;
        public uint Attempts;
        public bool ConnectionReused;
        public long DnsUs, ConnectUs, TlsUs, FirstByteUs, TotalUs;
        public ulong BytesSent, BytesReceived;

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

    public enum LogLevel
    {
        Off = 0, Error = 1, Warn = 2, Info = 3, Debug = 4, Trace = 5,
    }

    public static class GameGateLog
    {
        private static volatile Action<LogLevel, string> handler;

        /// <summary>Receives the library's log lines up to maxLevel, from any thread. Lines never
        /// contain a secret. null turns logging off.</summary>
        public static void SetHandler(LogLevel maxLevel, Action<LogLevel, string> onLine)
        {
            handler = onLine;
            if (onLine == null || maxLevel == LogLevel.Off)
                NativeMethods.gg_set_log_callback(0, null, IntPtr.Zero);
            else
                NativeMethods.gg_set_log_callback((int)maxLevel, Trampolines.OnLog, IntPtr.Zero);
        }

        internal static void Deliver(int level, string line)
        {
            var onLine = handler;
            if (onLine != null) onLine((LogLevel)level, line);
        }
    }
}
