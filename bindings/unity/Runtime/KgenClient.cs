// A game server's connection to KGeN. The client secret is a server credential: never ship
// it in a game build.
using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using GameGate.Native;

namespace GameGate
{
    /// <summary>Optional player fields sent with a KGeN session (names as in the KGeN API:
    /// name, email, device_id, level, fb_login, ...). Unknown names are refused by the library.</summary>
    public sealed class KgenProfile
    {
        private readonly List<KeyValuePair<string, object>> fields = new List<KeyValuePair<string, object>>();

        /// <summary>A text field (name, email, device_id, ...); returns this profile.</summary>
        public KgenProfile Set(string field, string value) { return Add(field, value); }
        /// <summary>A number field (level, rank); returns this profile.</summary>
        public KgenProfile Set(string field, long value) { return Add(field, value); }
        /// <summary>A flag field (fb_login, google_login); returns this profile.</summary>
        public KgenProfile Set(string field, bool value) { return Add(field, value); }

        private KgenProfile Add(string field, object value)
        {
            fields.Add(new KeyValuePair<string, object>(field, value));
            return this;
        }

        // The native profile, valid until freed; throws GameGateException for a bad field.
        internal IntPtr ToNative()
        {
            IntPtr profile = NativeMethods.kgen_profile_new();
            try
            {
                foreach (var field in fields)
                {
                    byte[] name = Utf8.Encode(field.Key);
                    int code;
                    if (field.Value is long) code = NativeMethods.kgen_profile_set_int(profile, name, (long)field.Value);
                    else if (field.Value is bool) code = NativeMethods.kgen_profile_set_flag(profile, name, (byte)((bool)field.Value ? 1 : 0));
                    else code = NativeMethods.kgen_profile_set_text(profile, name, Utf8.Encode((string)field.Value));
                    GameGateException.ThrowIfFailed(code);
                }
                return profile;
            }
            catch
            {
                NativeMethods.kgen_profile_free(profile);
                throw;
            }
        }
    }

    /// <summary>A game server's connection to KGeN: sessions for players, and any S2S call.</summary>
    public sealed class KgenClient : GameGateClient
    {
        /// <summary>Creates the client with the game's KGeN client id and secret (a server
        /// credential: never ship it in a game build). Throws GameGateException for a bad argument.</summary>
        public KgenClient(string clientId, string clientSecret, GameGateOptions options = null)
            : base(Create(clientId, clientSecret, options), NativeMethods.kgen_client_tick, NativeMethods.kgen_client_cancel, NativeMethods.kgen_client_prepare)
        {
        }

        private static ClientHandle Create(string clientId, string clientSecret, GameGateOptions options)
        {
            byte[] id = Utf8.Encode(clientId), secret = Utf8.Encode(clientSecret);
            return CreateHandle(options, (IntPtr o, out IntPtr client) => NativeMethods.kgen_client_new(id, secret, o, out client),
                NativeMethods.kgen_client_free);
        }

        /// <summary>POST /s2s/session: creates or retrieves the player's KGeN session. Returns the
        /// request id; throws GameGateException when refused (then the callback never runs).</summary>
        public ulong CreateSession(string userId, Action<Result<KgenSession>> callback, KgenProfile profile = null)
        {
            return WithProfile(profile, p => Call(KgenSession.FromNative, callback, StartSession(userId, p)));
        }

        /// <summary>CreateSession as a Task of the session.</summary>
        public Task<KgenSession> CreateSessionAsync(string userId, KgenProfile profile = null,
            CancellationToken cancellation = default(CancellationToken))
        {
            try
            {
                return WithProfile(profile, p => CallAsync(KgenSession.FromNative, () => StartSession(userId, p), cancellation));
            }
            catch (Exception e)
            {
                // A bad profile field: the one failure path of the Async form.
                return Failed<KgenSession>(e);
            }
        }

        /// <summary>Any KGeN S2S call with the client's credentials; the result is the response body.</summary>
        public ulong Request(string method, string path, string bodyJson, Action<Result<string>> callback)
        {
            return Call(Text, callback, StartRequest(method, path, bodyJson));
        }

        /// <summary>Request as a Task of the response body.</summary>
        public Task<string> RequestAsync(string method, string path, string bodyJson = null,
            CancellationToken cancellation = default(CancellationToken))
        {
            return CallAsync(Text, () => StartRequest(method, path, bodyJson), cancellation);
        }

        private static NativeCall StartSession(string userId, IntPtr profile)
        {
            byte[] user = Utf8.Encode(userId);
            return (IntPtr client, IntPtr userData, out ulong id) =>
                NativeMethods.kgen_create_session_with_profile(client, user, profile, Trampolines.OnResult, userData, out id);
        }

        private static NativeCall StartRequest(string method, string path, string bodyJson)
        {
            byte[] m = Utf8.Encode(method), p = Utf8.Encode(path), b = Utf8.Encode(bodyJson);
            return (IntPtr client, IntPtr userData, out ulong id) =>
                NativeMethods.kgen_request(client, m, p, b, Trampolines.OnResult, userData, out id);
        }

        // The library copies the profile during the call, so it is freed right after.
        private static T WithProfile<T>(KgenProfile profile, Func<IntPtr, T> call)
        {
            IntPtr nativeProfile = profile != null ? profile.ToNative() : IntPtr.Zero;
            try
            {
                return call(nativeProfile);
            }
            finally
            {
                NativeMethods.kgen_profile_free(nativeProfile);
            }
        }
    }
}
