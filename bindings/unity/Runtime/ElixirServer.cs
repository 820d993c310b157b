// A game server's signed connection to Elixir (server-side calls such as POST /sdk/v2/game-stats,
// signed with the game's RSA private key). It holds the private key: use it in a dedicated
// server build or a backend service, never in a game build a player can take apart.
using System;
using System.Threading;
using System.Threading.Tasks;
using GameGate.Native;

namespace GameGate
{
    /// <summary>Elixir's server-side calls, signed with the game's RSA key: for dedicated
    /// servers and backends only.</summary>
    public sealed class ElixirServer : GameGateClient
    {
        /// <summary>`privateKeyPem`: unencrypted PKCS#8 (-----BEGIN PRIVATE KEY-----), RSA 2048 to
        /// 4096 bits. Anything else throws GameGateException (InvalidArgument) naming no key material.</summary>
        public ElixirServer(string apiKey, string privateKeyPem, GameGateOptions options = null)
            : base(Create(apiKey, privateKeyPem, options), NativeMethods.elixir_server_tick, NativeMethods.elixir_server_cancel, NativeMethods.elixir_server_prepare)
        {
        }

        private static ClientHandle Create(string apiKey, string privateKeyPem, GameGateOptions options)
        {
            byte[] key = Utf8.Encode(apiKey), pem = Utf8.Encode(privateKeyPem);
            try
            {
                return CreateHandle(options, (IntPtr o, out IntPtr server) => NativeMethods.elixir_server_new(key, pem, o, out server),
                    NativeMethods.elixir_server_free);
            }
            finally
            {
                Array.Clear(pem, 0, pem.Length); // the library keeps its own copy
            }
        }

        /// <summary>A signed call; the body is sent compact and signed as sent. The result is the
        /// envelope's data as JSON. Returns the request id; throws GameGateException when refused.</summary>
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

        private static NativeCall StartRequest(string method, string path, string bodyJson)
        {
            byte[] m = Utf8.Encode(method), p = Utf8.Encode(path), b = Utf8.Encode(bodyJson);
            return (IntPtr server, IntPtr userData, out ulong id) =>
                NativeMethods.elixir_server_request(server, m, p, b, Trampolines.OnResult, userData, out id);
        }
    }
}
