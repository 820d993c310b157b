// GameGate sample: Elixir sign-in with an e-mailed code, in one component. Add it to any
// GameObject in an empty scene and press Play. It talks to the bundled emulator by default
// (`cargo run -p gamegate-emulator -- --port 8910` in the GameGate repository; it prints each
// code it "e-mails"); clear Base Url and set your own API key for the real service.
using System;
using GameGate;
using UnityEngine;

namespace GameGate.Samples
{
    /// <summary>An IMGUI sign-in screen: e-mail, code, signed in, sign out. The session is kept
    /// in the OS credential store, so the next launch starts signed in.</summary>
    public sealed class SignInSample : MonoBehaviour
    {
        /// <summary>The game's public Elixir API key (the emulator accepts its test key).</summary>
        public string apiKey = "gamegate-test-api-key";
        /// <summary>The emulator's address; empty for the real service.</summary>
        public string baseUrl = "http://127.0.0.1:8910";

        private ElixirClient client;
        private string email = "", code = "", transactionId, status = "";

        private async void Start()
        {
            client = new ElixirClient(apiKey, new GameGateOptions { BaseUrl = string.IsNullOrEmpty(baseUrl) ? null : baseUrl });
            // The sign-in screen is open: a call is coming, so connect (DNS, TCP, TLS) now.
            client.Prepare();
            client.SessionEvent += (change, session) => status = change + (session != null ? " as " + session.UserId : "");
            var stored = await client.StoredSession;
            if (!stored.Ok) status = "no stored session: " + stored.Error.Message;
            else if (stored.Value == null) status = "signed out";
        }

        private void OnGUI()
        {
            GUILayout.Label(status);
            if (client == null || client.IsDisposed) return;
            if (client.IsSignedIn)
            {
                if (GUILayout.Button("Sign out")) Run(async () => await client.SignOutAsync());
                return;
            }
            if (transactionId == null)
            {
                email = GUILayout.TextField(email);
                if (GUILayout.Button("E-mail me a code")) Run(async () => transactionId = await client.RequestOtpAsync(email));
                return;
            }
            string typed = GUILayout.TextField(code);
            // The player started typing the code, minutes after it was sent: the connection used
            // for the request may be gone, so open one before they press the button.
            if (code.Length == 0 && typed.Length > 0) client.Prepare();
            code = typed;
            if (GUILayout.Button("Sign in")) Run(async () => await client.VerifyOtpAsync(transactionId, code));
        }

        // Every Async call fails one way, through its Task: show the message, never a token.
        private async void Run(Func<System.Threading.Tasks.Task> call)
        {
            try
            {
                await call();
            }
            catch (GameGateException e)
            {
                status = e.Code + ": " + e.Error.Message;
                if (e.Code == ResultCode.ApiError) transactionId = null;
            }
        }

        private void OnDestroy()
        {
            if (client != null) client.Dispose();
        }
    }
}
