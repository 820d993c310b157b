// A player's connection to Elixir: sign-in flows, the session, authorized calls.
using System;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using GameGate.Native;

namespace GameGate
{
    /// <summary>A player's connection to Elixir: e-mail code, QR and launcher sign-in, the
    /// session (kept in the OS credential store by default), and authorized calls. Callbacks and
    /// events run where the options' Dispatch says (Unity: the main thread, every frame).</summary>
    public sealed class ElixirClient : GameGateClient
    {
        /// <summary>Every session change, before the call's own callback, in dispatch context
        /// (inside Tick in tick mode). null means signed out (or revoked).</summary>
        public event Action<ElixirSession> SessionChanged;

        /// <summary>Every session change with why it changed: SignedIn, Refreshed, SignedOut,
        /// Revoked (the service refused the refresh token: sign the player in again). The session
        /// is null for the last two.</summary>
        public event Action<SessionChange, ElixirSession> SessionEvent;

        private volatile ElixirSession currentSession;

        /// <summary>The session as the last session event left it (in dispatch context): null
        /// before a sign-in, after a sign-out or a revocation. A session restored from a refresh
        /// token alone appears here once its first refresh lands.</summary>
        public ElixirSession CurrentSession { get { return currentSession; } }

        /// <summary>True while the client holds a refresh token: after a sign-in, a restore or a
        /// stored session, until a sign-out or a revocation. Reads no token into managed memory.</summary>
        public bool IsSignedIn
        {
            get
            {
                using (var lease = new Lease(Handle))
                {
                    UIntPtr needed;
                    int code = NativeMethods.elixir_client_refresh_token(lease.Raw, null, UIntPtr.Zero, out needed);
                    return code == ResultCodes.BufferTooSmall;
                }
            }
        }

        private readonly TaskCompletionSource<Result<ElixirSession>> storedSession = new TaskCompletionSource<Result<ElixirSession>>();

        /// <summary>With options.KeepSessionInOsStore (the default): the answer to "is the player
        /// still signed in?" at launch: the restored session, a null Value when nothing was stored,
        /// or the Error (Unsupported where the platform has no store; Network keeps the stored
        /// session for the next call). Never faults.</summary>
        public Task<Result<ElixirSession>> StoredSession { get { return storedSession.Task; } }

        /// <summary>Creates the client for a game's public Elixir API key; with
        /// options.KeepSessionInOsStore (the default) it starts restoring the stored session
        /// (StoredSession). Throws GameGateException for a bad key or option.</summary>
        public ElixirClient(string apiKey, GameGateOptions options = null)
            : base(Create(apiKey, options), NativeMethods.elixir_client_tick, NativeMethods.elixir_client_cancel, NativeMethods.elixir_client_prepare)
        {
            Handle.Listener = GCHandle.Alloc(this);
            using (var lease = new Lease(Handle))
            {
                GameGateException.ThrowIfFailed(NativeMethods.elixir_client_set_session_events(
                    lease.Raw, Trampolines.OnSessionEvent, GCHandle.ToIntPtr(Handle.Listener)));
            }
            if (options == null || options.KeepSessionInOsStore)
            {
                UseOsStore(options == null ? "default" : options.SessionSlot, result => storedSession.TrySetResult(result));
            }
            else
            {
                storedSession.TrySetResult(new Result<ElixirSession>(null, null));
            }
        }

        /// <summary>Keeps the session in the OS credential store under slot (done by the
        /// constructor unless options.KeepSessionInOsStore is false): restores and refreshes a
        /// stored session (SessionEvent SignedIn), then writes every change before the game hears
        /// of it; sign-out and revocation erase it. The callback gets the session, a null Value
        /// when nothing was stored, or the error. Once per client (a second call throws).</summary>
        public ulong UseOsStore(string slot, Action<Result<ElixirSession>> callback)
        {
            byte[] s = Utf8.Encode(slot);
            return Call(SessionOrNobody, callback, (IntPtr client, IntPtr userData, out ulong id) =>
                NativeMethods.elixir_client_use_os_store(client, s, Trampolines.OnResult, userData, out id));
        }

        private static ElixirSession SessionOrNobody(IntPtr session)
        {
            return session == IntPtr.Zero ? null : ElixirSession.FromNative(session);
        }

        private static ClientHandle Create(string apiKey, GameGateOptions options)
        {
            byte[] key = Utf8.Encode(apiKey);
            return CreateHandle(options, (IntPtr o, out IntPtr client) => NativeMethods.elixir_client_new(key, o, out client),
                NativeMethods.elixir_client_free);
        }

        internal void RaiseSessionChanged(SessionChange change, IntPtr session)
        {
            var value = SessionOrNobody(session);
            currentSession = value;
            var changed = SessionChanged;
            var events = SessionEvent;
            if (changed == null && events == null) return;
            if (changed != null)
                foreach (Action<ElixirSession> handler in changed.GetInvocationList())
                    Guarded(() => handler(value));
            if (events != null)
                foreach (Action<SessionChange, ElixirSession> handler in events.GetInvocationList())
                    Guarded(() => handler(change, value));
        }

        private static void Guarded(Action call)
        {
            try
            {
                call();
            }
            catch (Exception e)
            {
                GameGateClients.ReportCallbackException(e);
            }
        }

        /// <summary>Device fields sent with VerifyOtp.</summary>
        public void SetDeviceInfo(string deviceModel, string deviceUniqueId)
        {
            using (var lease = new Lease(Handle))
                GameGateException.ThrowIfFailed(NativeMethods.elixir_client_set_device_info(lease.Raw, Utf8.Encode(deviceModel), Utf8.Encode(deviceUniqueId)));
        }

        /// <summary>Signs back in from a persisted refresh token; the next call that needs a token refreshes.</summary>
        public void RestoreSession(string refreshToken)
        {
            using (var lease = new Lease(Handle))
                GameGateException.ThrowIfFailed(NativeMethods.elixir_client_restore_session(lease.Raw, Utf8.Encode(refreshToken)));
        }

        /// <summary>The current access token; null when not signed in.</summary>
        public string AccessToken { get { return Token(NativeMethods.elixir_client_access_token); } }

        /// <summary>The current refresh token (persist it securely); null when not signed in.</summary>
        public string RefreshToken { get { return Token(NativeMethods.elixir_client_refresh_token); } }

        private delegate int TokenGetter(IntPtr client, byte[] buf, UIntPtr cap, out UIntPtr outLen);

        private string Token(TokenGetter getter)
        {
            using (var lease = new Lease(Handle))
            {
                IntPtr raw = lease.Raw;
                string token;
                int code = Utf8.CopyOut((byte[] buf, UIntPtr cap, out UIntPtr len) => getter(raw, buf, cap, out len), out token);
                if (code == (int)ResultCode.NotSignedIn) return null;
                GameGateException.ThrowIfFailed(code);
                return token;
            }
        }

        /// <summary>E-mails the player a code; the result is the transaction id for VerifyOtp.</summary>
        public ulong RequestOtp(string email, Action<Result<string>> callback)
        {
            return Call(Text, callback, WithText(email, NativeMethods.elixir_otp_request));
        }

        /// <summary>RequestOtp as a Task of the transaction id.</summary>
        public Task<string> RequestOtpAsync(string email, CancellationToken cancellation = default(CancellationToken))
        {
            return CallAsync(Text, () => WithText(email, NativeMethods.elixir_otp_request), cancellation);
        }

        /// <summary>Signs in with the code the player typed and the transaction id from RequestOtp.</summary>
        public ulong VerifyOtp(string transactionId, string code, Action<Result<ElixirSession>> callback)
        {
            return Call(ElixirSession.FromNative, callback, StartVerifyOtp(transactionId, code));
        }

        /// <summary>VerifyOtp as a Task of the session.</summary>
        public Task<ElixirSession> VerifyOtpAsync(string transactionId, string code, CancellationToken cancellation = default(CancellationToken))
        {
            return CallAsync(ElixirSession.FromNative, () => StartVerifyOtp(transactionId, code), cancellation);
        }

        /// <summary>Signs in with a scanned QR value ("REIKEY:...").</summary>
        public ulong VerifyQr(string qrValue, Action<Result<ElixirSession>> callback)
        {
            return Call(ElixirSession.FromNative, callback, WithText(qrValue, NativeMethods.elixir_qr_verify));
        }

        /// <summary>VerifyQr as a Task of the session.</summary>
        public Task<ElixirSession> VerifyQrAsync(string qrValue, CancellationToken cancellation = default(CancellationToken))
        {
            return CallAsync(ElixirSession.FromNative, () => WithText(qrValue, NativeMethods.elixir_qr_verify), cancellation);
        }

        /// <summary>Launcher sign-in with the rei-key passed as "-rei &lt;key&gt;".</summary>
        public ulong SignInWithReiKey(string reikey, Action<Result<ElixirSession>> callback)
        {
            return Call(ElixirSession.FromNative, callback, WithText(reikey, NativeMethods.elixir_reikey_sign_in));
        }

        /// <summary>SignInWithReiKey as a Task of the session.</summary>
        public Task<ElixirSession> SignInWithReiKeyAsync(string reikey, CancellationToken cancellation = default(CancellationToken))
        {
            return CallAsync(ElixirSession.FromNative, () => WithText(reikey, NativeMethods.elixir_reikey_sign_in), cancellation);
        }

        /// <summary>Ends a launcher session on the server.</summary>
        public ulong CloseReiKey(string reikey, Action<Result<Done>> callback)
        {
            return Call(NoData, callback, StartCloseReiKey(reikey));
        }

        /// <summary>CloseReiKey as a Task.</summary>
        public Task<Done> CloseReiKeyAsync(string reikey, CancellationToken cancellation = default(CancellationToken))
        {
            return CallAsync(NoData, () => StartCloseReiKey(reikey), cancellation);
        }

        /// <summary>Refreshes the tokens now (calls that need a token refresh on their own when it
        /// is about to expire; concurrent refreshes share one request).</summary>
        public ulong RefreshSession(Action<Result<ElixirSession>> callback)
        {
            return Call(ElixirSession.FromNative, callback, StartRefresh());
        }

        /// <summary>RefreshSession as a Task of the new session.</summary>
        public Task<ElixirSession> RefreshSessionAsync(CancellationToken cancellation = default(CancellationToken))
        {
            return CallAsync(ElixirSession.FromNative, () => StartRefresh(), cancellation);
        }

        /// <summary>Signs out on the server and always locally (SessionChanged hears null).</summary>
        public ulong SignOut(Action<Result<Done>> callback)
        {
            return Call(NoData, callback, StartSignOut());
        }

        /// <summary>SignOut as a Task.</summary>
        public Task<Done> SignOutAsync(CancellationToken cancellation = default(CancellationToken))
        {
            return CallAsync(NoData, () => StartSignOut(), cancellation);
        }

        /// <summary>An authorized call (e.g. GET /sdk/v2/userinfo), refreshing the token first when
        /// needed; the result is the envelope's data as JSON.</summary>
        public ulong Request(string method, string path, string bodyJson, Action<Result<string>> callback)
        {
            return Call(Text, callback, StartRequest(method, path, bodyJson));
        }

        /// <summary>Request as a Task of the envelope's data as JSON.</summary>
        public Task<string> RequestAsync(string method, string path, string bodyJson = null,
            CancellationToken cancellation = default(CancellationToken))
        {
            return CallAsync(Text, () => StartRequest(method, path, bodyJson), cancellation);
        }

        private delegate int TextCall(IntPtr client, byte[] text, ResultCallback callback, IntPtr userData, out ulong id);

        private static NativeCall WithText(string text, TextCall native)
        {
            byte[] bytes = Utf8.Encode(text);
            return (IntPtr client, IntPtr userData, out ulong id) => native(client, bytes, Trampolines.OnResult, userData, out id);
        }

        private static NativeCall StartVerifyOtp(string transactionId, string code)
        {
            byte[] tx = Utf8.Encode(transactionId), c = Utf8.Encode(code);
            return (IntPtr client, IntPtr userData, out ulong id) =>
                NativeMethods.elixir_otp_verify(client, tx, c, Trampolines.OnResult, userData, out id);
        }

        private static NativeCall StartCloseReiKey(string reikey)
        {
            byte[] key = Utf8.Encode(reikey);
            return (IntPtr client, IntPtr userData, out ulong id) =>
                NativeMethods.elixir_reikey_close(client, key, Trampolines.OnDone, userData, out id);
        }

        private static NativeCall StartRefresh()
        {
            return (IntPtr client, IntPtr userData, out ulong id) =>
                NativeMethods.elixir_session_refresh(client, Trampolines.OnResult, userData, out id);
        }

        private static NativeCall StartSignOut()
        {
            return (IntPtr client, IntPtr userData, out ulong id) =>
                NativeMethods.elixir_sign_out(client, Trampolines.OnDone, userData, out id);
        }

        private static NativeCall StartRequest(string method, string path, string bodyJson)
        {
            byte[] m = Utf8.Encode(method), p = Utf8.Encode(path), b = Utf8.Encode(bodyJson);
            return (IntPtr client, IntPtr userData, out ulong id) =>
                NativeMethods.elixir_request(client, m, p, b, Trampolines.OnResult, userData, out id);
        }
    }
}
