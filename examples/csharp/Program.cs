// A console game using the Unity package's runtime code (bindings/unity/Runtime) as-is: a
// game loop ticks every client once per frame, as the Unity dispatcher does, and the flows
// are written with Tasks. Run by `cargo xtask test` against the bundled emulator.
using System;
using System.Threading;
using System.Threading.Tasks;
using GameGate;

static class Program
{
    // One frame of the game loop until the task is done: callbacks run here, on this thread.
    static T RunFrames<T>(Task<T> task)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!task.IsCompleted && DateTime.UtcNow < deadline)
        {
            GameGateClients.TickAll();
            Thread.Sleep(16);
        }
        // In tick mode nothing completes the task unless this loop ticks: waiting on it here
        // would block forever.
        if (!task.IsCompleted) throw new TimeoutException("no answer within 30 s");
        return task.GetAwaiter().GetResult(); // throws GameGateException on failure
    }

    static int Main()
    {
        var url = Environment.GetEnvironmentVariable("GAMEGATE_EMULATOR_URL");
        if (string.IsNullOrEmpty(url))
        {
            Console.Error.WriteLine("set GAMEGATE_EMULATOR_URL to a running gamegate-emulator");
            return 2;
        }
        var options = new GameGateOptions { BaseUrl = url, Dispatch = Dispatch.Tick };
        Console.WriteLine("GameGate " + GameGateLibrary.Version);
        try
        {
            // Game server side: a KGeN session for a player.
            var kgen = new KgenClient("gamegate-test-client", "gamegate-test-secret", options);
            var player = RunFrames(kgen.CreateSessionAsync("csharp-player-1", new KgenProfile().Set("name", "C# Player").Set("level", 3L)));
            Console.WriteLine("KGeN session for " + player.UserId + ": wallet " + player.WalletAddress + ", level " + player.Level);

            // Game client side: Elixir sign-in with an e-mailed code.
            var elixir = new ElixirClient("gamegate-test-api-key", options);
            elixir.SessionChanged += s => Console.WriteLine(s == null ? "  [session] signed out" : "  [session] signed in as " + s.UserId);
            elixir.Prepare(); // the sign-in screen is open: connect before the player taps
            const string email = "csharp-example@example.com";
            var transaction = RunFrames(elixir.RequestOtpAsync(email));
            // The emulator shows the code it "e-mailed"; a real game asks the player.
            var otp = RunFrames(kgen.RequestAsync("GET", "/_emulator/elixir/otp?email=" + email));
            var code = otp.Substring(otp.IndexOf("\"code\":\"", StringComparison.Ordinal) + 8, 5);
            elixir.Prepare(); // the player is typing the code: open a connection again
            var session = RunFrames(elixir.VerifyOtpAsync(transaction, code));
            Console.WriteLine("signed in, token valid " + session.TokenLifeMs / 1000 + " s");
            Console.WriteLine("userinfo: " + RunFrames(elixir.RequestAsync("GET", "/sdk/v2/userinfo")));
            RunFrames(elixir.SignOutAsync());
        }
        catch (GameGateException e)
        {
            Console.Error.WriteLine("failed: " + e.Error);
            return 1;
        }
        finally
        {
            GameGateClients.DisposeAll(); // the Unity dispatcher does this on quit
        }
        return 0;
    }
}
