// The C# binding against the real library and the emulator (GAMEGATE_EMULATOR_URL), run
// under mono with NUnit. GAMEGATE_LAYOUT names the output of struct_layout.c.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using GameGate;
using NUnit.Framework;

namespace GameGate.Tests
{
    [TestFixture]
    public class GameGateTests
    {
        const string ClientId = "gamegate-test-client", ClientSecret = "gamegate-test-secret", ApiKey = "gamegate-test-api-key";
        static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

        static string EmulatorUrl
        {
            get
            {
                var url = Environment.GetEnvironmentVariable("GAMEGATE_EMULATOR_URL");
                if (string.IsNullOrEmpty(url)) Assert.Fail("set GAMEGATE_EMULATOR_URL to a running gamegate-emulator");
                return url;
            }
        }

        static GameGateOptions Options(Dispatch dispatch)
        {
            // The OS store is tested on its own (StoredSessionAnswersAtLaunch): elsewhere a
            // developer's keyring must not carry sessions from one test into another.
            return new GameGateOptions { BaseUrl = EmulatorUrl, Dispatch = dispatch, KeepSessionInOsStore = false };
        }

        static T Await<T>(Task<T> task)
        {
            Assert.IsTrue(task.Wait(Limit), "the task never completed");
            return task.Result;
        }

        // The GameGateException a task failed with.
        static GameGateException Failure(Task task)
        {
            try
            {
                Assert.IsTrue(task.Wait(Limit), "the task never completed");
            }
            catch (AggregateException e)
            {
                var inner = e.InnerException as GameGateException;
                Assert.IsNotNull(inner, "expected a GameGateException, got " + e.InnerException);
                return inner;
            }
            Assert.Fail("the task succeeded");
            return null;
        }

        static string Emulator(string method, string path, string body = null)
        {
            using (var dev = new KgenClient(ClientId, ClientSecret, Options(Dispatch.Worker)))
                return Await(dev.RequestAsync(method, path, body));
        }

        static string JsonText(string json, string key)
        {
            var marker = "\"" + key + "\":\"";
            int at = json.IndexOf(marker, StringComparison.Ordinal);
            Assert.GreaterOrEqual(at, 0, key + " in " + json);
            at += marker.Length;
            return json.Substring(at, json.IndexOf('"', at) - at);
        }

        // One of the emulator's counters ("arrivals" counts every request that reached it).
        static long Counter(string name)
        {
            var json = Emulator("GET", "/_emulator/counters");
            var marker = "\"" + name + "\":";
            int at = json.IndexOf(marker, StringComparison.Ordinal);
            Assert.GreaterOrEqual(at, 0, name + " in " + json);
            at += marker.Length;
            int end = at;
            while (end < json.Length && char.IsDigit(json[end])) end++;
            return long.Parse(json.Substring(at, end - at));
        }

        static void TickUntil(GameGateClient client, Func<bool> done)
        {
            var deadline = DateTime.UtcNow + Limit;
            while (!done())
            {
                Assert.Less(DateTime.UtcNow, deadline, "timed out while ticking");
                client.Tick();
                Thread.Sleep(1); // a frame, not synchronisation: the condition is checked each time
            }
        }

        static void WaitForLibraryThreadsToEnd()
        {
            var deadline = DateTime.UtcNow + Limit;
            while (GameGateLibrary.GetStats().LiveThreads != 0)
            {
                Assert.Less(DateTime.UtcNow, deadline, "library threads still running");
                Thread.Sleep(1);
            }
        }

        [TearDown]
        public void ResetEmulator()
        {
            Emulator("POST", "/_emulator/reset", "{}");
        }

        [Test]
        public void StructLayoutsMatchC()
        {
            var path = Environment.GetEnvironmentVariable("GAMEGATE_LAYOUT");
            Assert.IsNotNull(path, "set GAMEGATE_LAYOUT to the output of struct_layout.c");
            var c = new Dictionary<string, Dictionary<string, int>>();
            foreach (var line in File.ReadAllLines(path))
            {
                var parts = line.Split(' ');
                if (!c.ContainsKey(parts[0])) c[parts[0]] = new Dictionary<string, int>();
                c[parts[0]][parts[1]] = int.Parse(parts[2]);
            }
            var structs = new[] { typeof(Native.gg_error), typeof(Native.gg_request_metrics), typeof(Native.gg_stats), typeof(Native.elixir_session), typeof(Native.kgen_session) };
            Assert.AreEqual(structs.Length, c.Count, "C prints a struct C# does not declare, or the reverse");
            foreach (var type in structs)
            {
                var fromC = c[type.Name];
                Assert.AreEqual(fromC["sizeof"], Marshal.SizeOf(type), "sizeof " + type.Name);
                var fields = type.GetFields(BindingFlags.Public | BindingFlags.Instance);
                Assert.AreEqual(fromC.Count - 1, fields.Length, "field count of " + type.Name);
                foreach (var field in fields)
                {
                    Assert.IsTrue(fromC.ContainsKey(field.Name), type.Name + "." + field.Name + " is not in C");
                    Assert.AreEqual(fromC[field.Name], Marshal.OffsetOf(type, field.Name).ToInt32(), "offsetof " + type.Name + "." + field.Name);
                }
            }
        }

        [Test]
        public void KgenSessionWithProfileAndUnicode()
        {
            using (var kgen = new KgenClient(ClientId, ClientSecret, Options(Dispatch.Worker)))
            {
                var profile = new KgenProfile().Set("name", "Zoë «Ace» 玩家").Set("level", 42L).Set("fb_login", true);
                var session = Await(kgen.CreateSessionAsync("игрок-🎮", profile));
                Assert.AreEqual("игрок-🎮", session.UserId);
                Assert.AreEqual("Zoë «Ace» 玩家", session.Name);
                Assert.AreEqual(42, session.Level);
                Assert.AreEqual("true", session.FbLogin);
                Assert.AreEqual(ClientId + "#игрок-🎮", session.NamespacedThirdPartyUserId);
                StringAssert.StartsWith("0x", session.WalletAddress);
                Assert.IsNotEmpty(session.AccessToken);
                Assert.Greater(session.SessionStartUnixMs, 0);

                var again = Await(kgen.CreateSessionAsync("игрок-🎮"));
                Assert.AreEqual(session.WalletAddress, again.WalletAddress);
                Assert.IsFalse(again.IsNewUser);
                StringAssert.DoesNotContain(session.AccessToken, session.ToString());
            }
        }

        [Test]
        public void TickModeCallbacksRunOnceInsideTickOnTheTickingThread()
        {
            using (var kgen = new KgenClient(ClientId, ClientSecret, Options(Dispatch.Tick)))
            {
                int calls = 0, thread = -1;
                bool insideTick = false, allInsideTick = true;
                ulong id = kgen.CreateSession("tick-player", r =>
                {
                    calls++;
                    thread = Thread.CurrentThread.ManagedThreadId;
                    allInsideTick &= insideTick;
                    Assert.IsTrue(r.Ok);
                });
                Assert.AreNotEqual(0UL, id);
                var deadline = DateTime.UtcNow + Limit;
                while (calls == 0 && DateTime.UtcNow < deadline)
                {
                    insideTick = true;
                    kgen.Tick();
                    insideTick = false;
                    Thread.Sleep(1);
                }
                for (int i = 0; i < 5; i++) kgen.Tick();
                Assert.AreEqual(1, calls);
                Assert.IsTrue(allInsideTick);
                Assert.AreEqual(Thread.CurrentThread.ManagedThreadId, thread);
                Assert.IsFalse(kgen.Cancel(id), "a delivered request cannot be cancelled");
            }
        }

        [Test]
        public void RefusalsThrowAndNeverCallBack()
        {
            var bad = Assert.Throws<GameGateException>(() => new KgenClient(ClientId, ClientSecret, new GameGateOptions { BaseUrl = "http://example.com" }));
            Assert.AreEqual(ResultCode.InvalidArgument, bad.Code);
            StringAssert.Contains("loopback", bad.Message);

            var noSecret = Assert.Throws<GameGateException>(() => new KgenClient(ClientId, null));
            Assert.AreEqual(ResultCode.NullParam, noSecret.Code);

            using (var kgen = new KgenClient(ClientId, ClientSecret, Options(Dispatch.Tick)))
            {
                int calls = 0;
                var nullUser = Assert.Throws<GameGateException>(() => kgen.CreateSession(null, r => calls++));
                Assert.AreEqual(ResultCode.NullParam, nullUser.Code);
                var badField = Assert.Throws<GameGateException>(() => kgen.CreateSession("p", r => calls++, new KgenProfile().Set("no_such_field", "x")));
                Assert.AreEqual(ResultCode.InvalidArgument, badField.Code);
                Assert.AreEqual(ResultCode.InvalidArgument, Failure(kgen.RequestAsync("BREW", "/s2s/x")).Code);
                Assert.Throws<ArgumentNullException>(() => kgen.CreateSession("p", null));
                for (int i = 0; i < 5; i++) kgen.Tick();
                Assert.AreEqual(0, calls);
            }
        }

        // The emulator's test key for signed server calls, as PEM ("other": one it does not know).
        static string ServerKey(string which = "")
        {
            return JsonText(Emulator("GET", "/_emulator/elixir/server-key?which=" + which), "private_key_pem").Replace("\\n", "\n");
        }

        [Test]
        public void ElixirServerSignsScoresAndABadKeyIsRefusedWithoutItsMaterial()
        {
            var key = ServerKey();
            long before = Counter("signed_calls");
            using (var server = new ElixirServer(ApiKey, key, Options(Dispatch.Worker)))
            {
                var data = Await(server.RequestAsync("POST", "/sdk/v2/game-stats", "{ \"score\": 321 }"));
                StringAssert.Contains("\"score\":321", data);
            }
            Assert.AreEqual(1, Counter("signed_calls") - before);
            using (var unknown = new ElixirServer(ApiKey, ServerKey("other"), Options(Dispatch.Worker)))
            {
                var refused = Failure(unknown.RequestAsync("POST", "/sdk/v2/game-stats", "{}"));
                Assert.AreEqual(ResultCode.ApiError, refused.Code);
                Assert.AreEqual("INVALID_SIGNATURE", refused.ApiCode);
            }
            var broken = key.Substring(0, key.Length / 2) + "*" + key.Substring(key.Length / 2 + 1);
            var e = Assert.Throws<GameGateException>(() => new ElixirServer(ApiKey, broken, Options(Dispatch.Worker)));
            Assert.AreEqual(ResultCode.InvalidArgument, e.Code);
            foreach (var line in key.Split('\n'))
                if (line.Length > 16 && !line.StartsWith("-----")) StringAssert.DoesNotContain(line, e.Message);
        }

        [Test]
        public void HttpAndApiErrorsAreTyped()
        {
            using (var wrong = new KgenClient(ClientId, "not-the-secret", Options(Dispatch.Worker)))
            {
                var e = Failure(wrong.CreateSessionAsync("p1"));
                Assert.AreEqual(ResultCode.HttpStatus, e.Code);
                Assert.AreEqual(401, e.HttpStatus);
                StringAssert.DoesNotContain("not-the-secret", e.Message);
            }
            using (var elixir = new ElixirClient(ApiKey, Options(Dispatch.Worker)))
            {
                var tx = Await(elixir.RequestOtpAsync("wrong-code-cs@example.com"));
                var e = Failure(elixir.VerifyOtpAsync(tx, "XXXXX"));
                Assert.AreEqual(ResultCode.ApiError, e.Code);
                Assert.AreEqual("1000", e.ApiCode);
                Assert.AreEqual(ResultCode.NotSignedIn, Failure(elixir.SignOutAsync()).Code);
            }
        }

        [Test]
        public void DisposeAnswersEveryPendingRequestOnceWithShutdown()
        {
            Emulator("POST", "/_emulator/faults", "{\"latency_ms\": 2000, \"path_prefix\": \"/s2s/session\"}");
            var kgen = new KgenClient(ClientId, ClientSecret, Options(Dispatch.Tick));
            var calls = new int[20];
            var codes = new ResultCode[20];
            for (int i = 0; i < calls.Length; i++)
            {
                int n = i;
                kgen.CreateSession("slow-" + i, r => { calls[n]++; codes[n] = r.Error == null ? ResultCode.Ok : r.Error.Code; });
            }
            var task = kgen.CreateSessionAsync("slow-task");
            int disposingThread = Thread.CurrentThread.ManagedThreadId, callbackThread = -1;
            kgen.CreateSession("slow-thread", r => callbackThread = Thread.CurrentThread.ManagedThreadId);
            kgen.Dispose();
            Assert.IsTrue(kgen.IsDisposed);
            Assert.AreEqual(disposingThread, callbackThread);
            for (int i = 0; i < calls.Length; i++)
            {
                Assert.AreEqual(1, calls[i], "calls of request " + i);
                Assert.AreEqual(ResultCode.Shutdown, codes[i]);
            }
            Assert.AreEqual(ResultCode.Shutdown, Failure(task).Code);
            Assert.AreEqual(0, kgen.Tick());
            Assert.Throws<ObjectDisposedException>(() => kgen.CreateSession("late", r => { }));
            WaitForLibraryThreadsToEnd();
            Assert.IsTrue(calls.All(n => n == 1));
        }

        [Test]
        public void DisposeFromInsideOwnCallbackIsSafe()
        {
            Emulator("POST", "/_emulator/faults", "{\"latency_ms\": 2000, \"path_prefix\": \"/s2s/session\"}");
            var kgen = new KgenClient(ClientId, ClientSecret, Options(Dispatch.Tick));
            int calls = 0, shutdowns = 0;
            kgen.CreateSession("slow", r => shutdowns += r.Error != null && r.Error.Code == ResultCode.Shutdown ? 1 : 100);
            kgen.Request("GET", "/s2s/loyalty/rewardable-events", null, r => { calls++; kgen.Dispose(); });
            TickUntil(kgen, () => kgen.IsDisposed);
            // The native free ran when that Tick returned: the slow request heard Shutdown then.
            Assert.AreEqual(1, calls);
            Assert.AreEqual(1, shutdowns);
            Assert.AreEqual(0, kgen.Tick());
            Assert.IsFalse(kgen.Cancel(1));
        }

        [Test]
        public void AnExceptionInAUserCallbackIsReportedAndGoesNoFurther()
        {
            var seen = new List<Exception>();
            Action<Exception> handler = e => { lock (seen) seen.Add(e); };
            GameGateClients.CallbackException += handler;
            try
            {
                using (var kgen = new KgenClient(ClientId, ClientSecret, Options(Dispatch.Tick)))
                {
                    int calls = 0;
                    kgen.CreateSession("thrower", r => { calls++; throw new InvalidOperationException("game bug"); });
                    TickUntil(kgen, () => calls == 1);
                    Assert.AreEqual(1, seen.Count);
                    Assert.AreEqual("game bug", seen[0].Message);
                    int after = 0;
                    kgen.CreateSession("after-thrower", r => after += r.Ok ? 1 : 100);
                    TickUntil(kgen, () => after != 0);
                    Assert.AreEqual(1, after);
                }
            }
            finally
            {
                GameGateClients.CallbackException -= handler;
            }
        }

        [Test]
        public void ElixirOtpSignInRefreshCallAndSignOut()
        {
            using (var elixir = new ElixirClient(ApiKey, Options(Dispatch.Worker)))
            {
                var heard = new List<string>();
                elixir.SessionChanged += s => { lock (heard) heard.Add(s == null ? "-" : s.UserId); };
                elixir.SetDeviceInfo("C# test rig", "cs-device-1");
                Assert.IsNull(elixir.AccessToken);

                const string email = "cs-story@example.com";
                var tx = Await(elixir.RequestOtpAsync(email));
                var code = JsonText(Emulator("GET", "/_emulator/elixir/otp?email=" + email), "code");
                var session = Await(elixir.VerifyOtpAsync(tx, code));
                Assert.IsNotEmpty(session.UserId);
                Assert.Greater(session.TokenLifeMs, 0);
                Assert.AreEqual(session.Token, elixir.AccessToken);
                Assert.AreEqual(session.RefreshToken, elixir.RefreshToken);
                StringAssert.Contains("C# test rig", Emulator("GET", "/_emulator/elixir/device"));

                var refreshed = Await(elixir.RefreshSessionAsync());
                Assert.AreNotEqual(session.RefreshToken, refreshed.RefreshToken);
                StringAssert.Contains(session.UserId, Await(elixir.RequestAsync("GET", "/sdk/v2/userinfo")));

                Await(elixir.SignOutAsync());
                Assert.IsNull(elixir.AccessToken);
                lock (heard) CollectionAssert.AreEqual(new[] { session.UserId, session.UserId, "-" }, heard);
            }
        }

        [Test]
        public void SessionEventsSayWhyTheSessionChanged()
        {
            using (var elixir = new ElixirClient(ApiKey, Options(Dispatch.Worker)))
            {
                var heard = new List<string>();
                elixir.SessionEvent += (change, session) => { lock (heard) heard.Add(change + (session == null ? "" : "+")); };
                const string email = "cs-events@example.com";
                var tx = Await(elixir.RequestOtpAsync(email));
                Await(elixir.VerifyOtpAsync(tx, JsonText(Emulator("GET", "/_emulator/elixir/otp?email=" + email), "code")));
                var first = elixir.RefreshToken;
                Await(elixir.RefreshSessionAsync());
                Await(elixir.SignOutAsync());
                // A refresh token the service already rotated out: revoked.
                elixir.RestoreSession(first);
                Assert.AreEqual(ResultCode.ApiError, Failure(elixir.RefreshSessionAsync()).Code);
                lock (heard) CollectionAssert.AreEqual(new[] { "SignedIn+", "Refreshed+", "SignedOut", "Revoked" }, heard);
            }
        }

        [Test]
        public void RetryAfterIsReportedAndOfflineFailsAtOnce()
        {
            using (var kgen = new KgenClient(ClientId, ClientSecret, Options(Dispatch.Worker)))
            {
                Emulator("POST", "/_emulator/faults", "{\"status\": 429, \"times\": 1, \"path_prefix\": \"/s2s/session\", \"retry_after\": \"40\"}");
                var limited = Failure(kgen.CreateSessionAsync("cs-limited"));
                Assert.AreEqual(ResultCode.HttpStatus, limited.Code);
                Assert.AreEqual(429, limited.HttpStatus);
                Assert.AreEqual(40000, limited.Error.RetryAfterMs);

                long before = Counter("arrivals");
                GameGateAppStatus.SetOnline(false);
                try
                {
                    var offline = Failure(kgen.CreateSessionAsync("cs-offline"));
                    Assert.AreEqual(ResultCode.Network, offline.Code);
                    StringAssert.Contains("offline", offline.Error.Message);
                }
                finally
                {
                    GameGateAppStatus.SetOnline(true);
                }
                Assert.AreEqual(before, Counter("arrivals"), "nothing was sent while offline");
                Assert.IsNotEmpty(Await(kgen.CreateSessionAsync("cs-online")).UserId);
                GameGateAppStatus.SetForeground(false);
                GameGateAppStatus.SetForeground(true);
                Assert.IsNotEmpty(Await(kgen.CreateSessionAsync("cs-resumed")).UserId);
            }
        }

        [Test]
        public void RequestMetricsComeOnceBeforeTheCallback()
        {
            var heard = new List<string>();
            var metrics = new List<RequestMetrics>();
            var options = Options(Dispatch.Tick);
            options.RequestMetrics = m => { metrics.Add(m); heard.Add("M"); };
            options.TickBudgetUs = 1000;
            options.Trust = Trust.Bundled;
            var badTrust = Options(Dispatch.Tick);
            badTrust.Trust = (Trust)9;
            Assert.AreEqual(ResultCode.InvalidArgument, Assert.Throws<GameGateException>(() => new KgenClient(ClientId, ClientSecret, badTrust)).Code);
            using (var kgen = new KgenClient(ClientId, ClientSecret, options))
            {
                bool done = false;
                ulong id = kgen.CreateSession("cs-metrics", r => { heard.Add("C"); done = true; });
                TickUntil(kgen, () => done);
                CollectionAssert.AreEqual(new[] { "M", "C" }, heard);
                Assert.AreEqual(1, metrics.Count);
                Assert.AreEqual(id, metrics[0].RequestId);
                Assert.AreEqual("POST", metrics[0].Method);
                Assert.AreEqual("/s2s/session/", metrics[0].Path);
                Assert.AreEqual(ResultCode.Ok, metrics[0].Code);
                Assert.AreEqual(200, metrics[0].HttpStatus);
                Assert.Greater(metrics[0].BytesReceived, 0UL);
                Assert.IsFalse(metrics[0].ConnectionReused);

                // Prepared: the next call finds its connection open.
                ulong before = GameGateLibrary.GetStats().ConnectionsOpened;
                kgen.Prepare();
                kgen.Prepare();
                done = false;
                kgen.CreateSession("cs-prepared", r => { done = true; });
                TickUntil(kgen, () => done);
                Assert.LessOrEqual(GameGateLibrary.GetStats().ConnectionsOpened - before, 1UL);
            }
        }

        [Test]
        public void StoredSessionAnswersAtLaunch()
        {
            var options = Options(Dispatch.Worker);
            options.KeepSessionInOsStore = true;
            options.SessionSlot = "cs-launch-" + DateTime.UtcNow.Ticks;
            using (var elixir = new ElixirClient(ApiKey, options))
            {
                var answer = Await(elixir.StoredSession);
                // Nobody is stored under a new slot; where the platform has no store (a server
                // without D-Bus), the answer says so.
                if (answer.Error != null) Assert.AreEqual(ResultCode.Unsupported, answer.Error.Code, answer.Error.Message);
                else Assert.IsNull(answer.Value);
                var again = Assert.Throws<GameGateException>(() => elixir.UseOsStore("other", r => { }));
                Assert.AreEqual(ResultCode.InvalidArgument, again.Code);
            }
            using (var off = new ElixirClient(ApiKey, Options(Dispatch.Worker)))
            {
                var answer = Await(off.StoredSession);
                Assert.IsNull(answer.Error);
                Assert.IsNull(answer.Value);
            }
        }

        [Test]
        public void ElixirQrAndLauncherFlows()
        {
            using (var elixir = new ElixirClient(ApiKey, Options(Dispatch.Worker)))
            {
                var qr = JsonText(Emulator("POST", "/_emulator/elixir/qr", "{\"email\":\"cs-qr@example.com\"}"), "qrValue");
                Assert.IsNotEmpty(Await(elixir.VerifyQrAsync(qr)).Token);
                Assert.AreEqual(ResultCode.ApiError, Failure(elixir.VerifyQrAsync(qr)).Code, "a QR value works once");

                var key = JsonText(Emulator("GET", "/_emulator/elixir/reikey?playerId=cs-launcher"), "reikey");
                Assert.IsNotEmpty(Await(elixir.SignInWithReiKeyAsync(key)).Token);
                Await(elixir.CloseReiKeyAsync(key));
                Assert.IsNotNull(Failure(elixir.SignInWithReiKeyAsync(key)));
            }
        }

        [Test]
        public void ARestoredSessionRefreshesBeforeTheCall()
        {
            string saved, userId;
            using (var first = new ElixirClient(ApiKey, Options(Dispatch.Worker)))
            {
                const string email = "cs-restore@example.com";
                var tx = Await(first.RequestOtpAsync(email));
                userId = Await(first.VerifyOtpAsync(tx, JsonText(Emulator("GET", "/_emulator/elixir/otp?email=" + email), "code"))).UserId;
                saved = first.RefreshToken;
            }
            using (var next = new ElixirClient(ApiKey, Options(Dispatch.Worker)))
            {
                next.RestoreSession(saved);
                StringAssert.Contains(userId, Await(next.RequestAsync("GET", "/sdk/v2/userinfo")));
                Assert.AreNotEqual(saved, next.RefreshToken);
            }
        }

        [Test]
        public void AStringTheLibraryWouldReadDifferentlyIsRefusedAndNothingIsSent()
        {
            long before = Counter("arrivals");
            using (var kgen = new KgenClient(ClientId, ClientSecret, Options(Dispatch.Worker)))
            {
                int calls = 0;
                var nul = Assert.Throws<GameGateException>(() => kgen.CreateSession("alice\0-admin", r => calls++));
                Assert.AreEqual(ResultCode.InvalidArgument, nul.Code);
                StringAssert.Contains("NUL", nul.Message);
                var surrogate = Assert.Throws<GameGateException>(() => kgen.CreateSession("player-\ud800", r => calls++));
                Assert.AreEqual(ResultCode.InvalidArgument, surrogate.Code);
                // The Async form's one failure path: the Task faults, the call itself never throws.
                Task<string> faulted = null;
                Assert.DoesNotThrow(() => faulted = kgen.RequestAsync("POST", "/s2s/x\0y"));
                Assert.AreEqual(ResultCode.InvalidArgument, Failure(faulted).Code);
                Task<KgenSession> badProfile = null;
                Assert.DoesNotThrow(() => badProfile = kgen.CreateSessionAsync("p", new KgenProfile().Set("name", "a\0b")));
                Assert.AreEqual(ResultCode.InvalidArgument, Failure(badProfile).Code);
                Assert.AreEqual(0, calls);
            }
            Assert.AreEqual(before, Counter("arrivals"), "nothing reached the service");
        }

        [Test]
        public void ResetHandlersAreForgottenAndTickAllMayRunInsideACallback()
        {
            int heard = 0, nested = -1;
            GameGateClients.CallbackException += e => heard++;
            GameGateClients.ResetCallbackExceptionHandlers(); // as a new play session does
            using (var kgen = new KgenClient(ClientId, ClientSecret, Options(Dispatch.Tick)))
            {
                bool done = false;
                kgen.CreateSession("reset-handlers", r =>
                {
                    nested = GameGateClients.TickAll(); // from inside a tick: runs nothing, breaks nothing
                    done = true;
                    throw new InvalidOperationException("thrown by a game callback on purpose");
                });
                var deadline = DateTime.UtcNow + Limit;
                while (!done && DateTime.UtcNow < deadline) GameGateClients.TickAll();
                Assert.IsTrue(done);
            }
            Assert.AreEqual(0, nested);
            Assert.AreEqual(0, heard, "a handler of an earlier session was called");
        }

        [Test]
        public void CStringsOfEveryLengthAndAlignmentAreReadWhole()
        {
            IntPtr block = Marshal.AllocHGlobal(128);
            try
            {
                for (int offset = 0; offset < 9; offset++)
                {
                    for (int length = 0; length < 40; length++)
                    {
                        var text = new string('x', length).ToCharArray();
                        for (int i = 0; i < length; i++) text[i] = (char)('a' + (i + offset) % 26);
                        var bytes = System.Text.Encoding.UTF8.GetBytes(new string(text));
                        Marshal.Copy(bytes, 0, block + offset, bytes.Length);
                        Marshal.WriteByte(block, offset + bytes.Length, 0);
                        Marshal.WriteByte(block, offset + bytes.Length + 1, (byte)'z'); // past the end: never read into the string
                        Assert.AreEqual(new string(text), GameGate.Native.Utf8.Decode(block + offset), "offset " + offset + ", length " + length);
                    }
                }
            }
            finally
            {
                Marshal.FreeHGlobal(block);
            }
        }

        [Test]
        public void AnAlreadyCancelledTokenSendsNothing()
        {
            long before = Counter("otp_requests");
            using (var elixir = new ElixirClient(ApiKey, Options(Dispatch.Worker)))
            using (var cancel = new CancellationTokenSource())
            {
                cancel.Cancel();
                var task = elixir.RequestOtpAsync("cancelled@example.com", cancel.Token);
                Assert.IsTrue(task.IsCanceled);
            }
            Assert.AreEqual(before, Counter("otp_requests"), "no e-mail went out");
        }

        [Test]
        public void ACancellationTokenCancelsTheRequest()
        {
            Emulator("POST", "/_emulator/faults", "{\"latency_ms\": 3000, \"path_prefix\": \"/s2s/session\"}");
            using (var kgen = new KgenClient(ClientId, ClientSecret, Options(Dispatch.Worker)))
            using (var cancel = new CancellationTokenSource())
            {
                var task = kgen.CreateSessionAsync("cancel-me", null, cancel.Token);
                cancel.Cancel();
                try
                {
                    task.Wait(Limit);
                    Assert.Fail("the task was not cancelled");
                }
                catch (AggregateException e)
                {
                    Assert.IsInstanceOf<TaskCanceledException>(e.InnerException);
                }
                Assert.IsTrue(task.IsCanceled);
            }
        }

        [Test]
        public void TickAllAndDisposeAllCoverEveryLiveClient()
        {
            int before = GameGateClients.Count;
            var kgen = new KgenClient(ClientId, ClientSecret, Options(Dispatch.Tick));
            var elixir = new ElixirClient(ApiKey, Options(Dispatch.Tick));
            Assert.AreEqual(before + 2, GameGateClients.Count);
            int calls = 0;
            kgen.CreateSession("registry", r => calls++);
            var deadline = DateTime.UtcNow + Limit;
            while (calls == 0 && DateTime.UtcNow < deadline)
            {
                GameGateClients.TickAll();
                Thread.Sleep(1);
            }
            Assert.AreEqual(1, calls);
            int shutdown = 0;
            Emulator("POST", "/_emulator/faults", "{\"latency_ms\": 2000, \"path_prefix\": \"/sdk/auth\"}");
            elixir.RequestOtp("registry@example.com", r => shutdown += r.Error.Code == ResultCode.Shutdown ? 1 : 100);
            GameGateClients.DisposeAll();
            Assert.AreEqual(0, GameGateClients.Count);
            Assert.IsTrue(kgen.IsDisposed && elixir.IsDisposed);
            Assert.AreEqual(1, shutdown);
        }

        [Test]
        public void LogLinesArriveAndCarryNoSecret()
        {
            var lines = new List<string>();
            GameGateLog.SetHandler(LogLevel.Trace, (level, line) => { lock (lines) lines.Add(line); });
            try
            {
                using (var kgen = new KgenClient(ClientId, ClientSecret, Options(Dispatch.Worker)))
                {
                    var session = Await(kgen.CreateSessionAsync("log-player"));
                    lock (lines)
                    {
                        Assert.IsNotEmpty(lines);
                        foreach (var line in lines)
                        {
                            StringAssert.DoesNotContain(ClientSecret, line);
                            StringAssert.DoesNotContain(session.AccessToken, line);
                        }
                    }
                }
            }
            finally
            {
                GameGateLog.SetHandler(LogLevel.Off, null);
            }
        }

        [Test]
        public void AProxyFromTheOptionsCarriesEveryRequest()
        {
            var notAUrl = Assert.Throws<GameGateException>(() => new KgenClient(ClientId, ClientSecret, new GameGateOptions { BaseUrl = EmulatorUrl, Proxy = "socks5://proxy:1" }));
            Assert.AreEqual(ResultCode.InvalidArgument, notAUrl.Code);
            // A proxy nobody listens on: the request fails there, and the message says so.
            var options = Options(Dispatch.Worker);
            options.Proxy = "http://127.0.0.1:9";
            options.MaxRetries = 0;
            long before = Counter("arrivals");
            using (var kgen = new KgenClient(ClientId, ClientSecret, options))
            {
                var failure = Failure(kgen.CreateSessionAsync("proxied-player"));
                Assert.AreEqual(ResultCode.Network, failure.Code);
                StringAssert.Contains("proxy", failure.Error.Message);
            }
            Assert.AreEqual(before, Counter("arrivals"), "nothing went around the proxy");
            // The real proxy, when the test command started one (tinyproxy).
            var real = Environment.GetEnvironmentVariable("GAMEGATE_PROXY_URL");
            if (!string.IsNullOrEmpty(real))
            {
                options.Proxy = real;
                using (var kgen = new KgenClient(ClientId, ClientSecret, options))
                    Assert.IsNotEmpty(Await(kgen.CreateSessionAsync("proxied-player")).WalletAddress);
            }
        }

        [Test]
        public void IsSignedInAndCurrentSessionFollowTheSession()
        {
            using (var elixir = new ElixirClient(ApiKey, Options(Dispatch.Worker)))
            {
                Assert.IsFalse(elixir.IsSignedIn);
                Assert.IsNull(elixir.CurrentSession);
                const string email = "cs-current@example.com";
                var tx = Await(elixir.RequestOtpAsync(email));
                var session = Await(elixir.VerifyOtpAsync(tx, JsonText(Emulator("GET", "/_emulator/elixir/otp?email=" + email), "code")));
                Assert.IsTrue(elixir.IsSignedIn);
                Assert.AreEqual(session.UserId, elixir.CurrentSession.UserId);
                var refreshed = Await(elixir.RefreshSessionAsync());
                Assert.AreEqual(refreshed.Token, elixir.CurrentSession.Token);
                Await(elixir.SignOutAsync());
                Assert.IsFalse(elixir.IsSignedIn);
                Assert.IsNull(elixir.CurrentSession);
            }
        }

        [Test]
        public void LibraryLogsReachTheConsoleSinkUntilTheGameSetsItsOwn()
        {
            var console = new List<string>();
            var own = new List<string>();
            // A plain-HTTP LAN address, allowed for development: the library warns at creation.
            var lan = new GameGateOptions { BaseUrl = "http://10.0.2.2:8080", AllowPlainHttp = true, KeepSessionInOsStore = false };
            Action create = () => new KgenClient(ClientId, ClientSecret, lan).Dispose();
            GameGate.GameGateLog.UseDefaultSink((level, line) => { lock (console) console.Add(level + " " + line); });
            try
            {
                create();
                lock (console) Assert.IsTrue(console.Exists(l => l.StartsWith("Warn ") && l.Contains("plain")), "the warning reached the console: " + string.Join(" | ", console));
                lock (console) console.Clear();
                GameGateLog.ConsoleLevel = LogLevel.Error;
                create();
                lock (console) Assert.IsEmpty(console, "warnings are below the Error level");
                GameGateLog.ConsoleLevel = LogLevel.Warn;
                GameGateLog.SetHandler(LogLevel.Warn, (level, line) => { lock (own) own.Add(line); });
                create();
                lock (console) Assert.IsEmpty(console, "the game's sink replaced the console");
                lock (own) Assert.IsNotEmpty(own);
                GameGateLog.SetHandler(LogLevel.Off, null);
                create();
                lock (console) Assert.IsNotEmpty(console, "without the game's sink, lines go back to the console");
            }
            finally
            {
                GameGateLog.ConsoleLevel = LogLevel.Warn;
                GameGate.GameGateLog.Detach();
            }
        }

        [Test]
        public void LeavingPlayModeDisposesOnlyThePlaySessionsClients()
        {
            GameGateClients.InPlayMode = false;
            var tool = new KgenClient(ClientId, ClientSecret, Options(Dispatch.Worker));
            GameGateClients.InPlayMode = true;
            var game = new KgenClient(ClientId, ClientSecret, Options(Dispatch.Worker));
            try
            {
                GameGateClients.InPlayMode = false;
                GameGateClients.DisposePlayModeClients();
                Assert.IsTrue(game.IsDisposed, "the play session's client is gone");
                Assert.IsFalse(tool.IsDisposed, "the editor tool's client lives on");
                Assert.IsNotEmpty(Await(tool.CreateSessionAsync("tool-player")).WalletAddress);
            }
            finally
            {
                GameGateClients.InPlayMode = false;
                tool.Dispose();
                game.Dispose();
            }
        }
    }
}
