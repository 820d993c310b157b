// The C++17 wrapper (include/gamegate.hpp) against the emulator: RAII, callbacks, futures,
// refusals as values, exceptions kept out of native code. Built with -Wall -Wextra -Werror.
#include "gamegate.hpp"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "gg_test.h"
#include "gg_emulator.h"

using namespace gamegate;
using namespace std::chrono_literals;

static Options options(uint32_t dispatch) {
    Options o;
    CHECK(o.set_base_url(emulator_url).ok());
    CHECK(o.set_dispatch(dispatch).ok());
    CHECK(o.set_timeout_ms(10000).ok());
    return o;
}

static KgenClient kgen(uint32_t dispatch, const char *secret = EMULATOR_CLIENT_SECRET) {
    Options o = options(dispatch);
    Result<KgenClient> created = KgenClient::create(EMULATOR_CLIENT_ID, secret, &o);
    if (!created.ok()) {
        fprintf(stderr, "  KgenClient::create: %s\n", created.error.message.c_str());
        exit(1);
    }
    return std::move(*created.value);
}

static ElixirClient elixir(uint32_t dispatch) {
    Options o = options(dispatch);
    Result<ElixirClient> created = ElixirClient::create(EMULATOR_API_KEY, &o);
    if (!created.ok()) {
        fprintf(stderr, "  ElixirClient::create: %s\n", created.error.message.c_str());
        exit(1);
    }
    return std::move(*created.value);
}

// Waits for a future in worker mode, failing the test rather than hanging.
template <class T>
static Result<T> await(std::future<Result<T>> future) {
    if (future.wait_for(std::chrono::seconds((int)WAIT_LIMIT_SECONDS)) != std::future_status::ready) {
        fprintf(stderr, "  future never became ready\n");
        gg_test_failed_checks++;
        Result<T> r;
        r.error.code = GG_INTERNAL;
        return r;
    }
    return future.get();
}

static std::string emulator_text(const char *method, const char *path, const char *body, const char *key) {
    char reply[1024], value[256];
    emulator_call(method, path, body, reply, sizeof reply);
    json_string(reply, key, value, sizeof value);
    return value;
}

static void test_kgen_session_with_profile_through_a_future() {
    KgenClient client = kgen(GG_DISPATCH_WORKER);
    KgenProfile profile;
    CHECK(profile.set_text("name", "Zoë Gamer").ok());
    CHECK(profile.set_int("level", 42).ok());
    CHECK(profile.set_flag("fb_login", true).ok());
    Result<KgenSession> r = await(client.create_session("cpp-player-1", &profile));
    CHECK_EQ_INT(r.error.code, GG_OK);
    CHECK(r.value.has_value());
    if (!r.value) return;
    CHECK_STR(r.value->user_id.c_str(), "cpp-player-1");
    CHECK_STR(r.value->name.c_str(), "Zoë Gamer");
    CHECK_EQ_INT(r.value->level, 42);
    CHECK_STR(r.value->fb_login.c_str(), "true");
    CHECK(!r.value->wallet_address.empty());
    CHECK(!r.value->access_token.empty());
    CHECK_STR(r.value->namespaced_third_party_user_id.c_str(), EMULATOR_CLIENT_ID "#cpp-player-1");
    CHECK(r.value->session_start_unix_ms > 0);
}

static void test_tick_mode_callback_runs_once_inside_tick() {
    KgenClient client = kgen(GG_DISPATCH_TICK);
    int calls = 0;
    bool inside_tick = false, ran_inside_tick = true;
    std::thread::id game_thread = std::this_thread::get_id(), ran_on;
    uint64_t id = 0;
    Error refusal = client.create_session(
        "cpp-player-2",
        [&](Result<KgenSession> r) {
            calls++;
            ran_inside_tick = ran_inside_tick && inside_tick;
            ran_on = std::this_thread::get_id();
            CHECK(r.ok());
            CHECK(r.value && r.value->user_id == "cpp-player-2");
        },
        &id);
    CHECK(refusal.ok());
    CHECK(id != 0);
    double deadline = gg_now_seconds() + WAIT_LIMIT_SECONDS;
    while (calls == 0 && gg_now_seconds() < deadline) {
        inside_tick = true;
        client.tick();
        inside_tick = false;
        gg_pause();
    }
    for (int i = 0; i < 5; i++) client.tick();
    CHECK_EQ_INT(calls, 1);
    CHECK(ran_inside_tick);
    CHECK(ran_on == game_thread);
}

static void test_refusals_are_values_and_never_call_back() {
    Options bad;
    CHECK(bad.set_base_url("http://example.com").ok());
    Result<KgenClient> plain = KgenClient::create("id", "secret", &bad);
    CHECK(!plain.ok());
    Error e = plain.error;
    CHECK_EQ_INT(e.code, GG_INVALID_ARGUMENT);
    CHECK(e.message.find("loopback") != std::string::npos);
    CHECK(e.failed());
    CHECK(!e.ok());
    CHECK_STR(e.name(), "GG_INVALID_ARGUMENT");

    Result<KgenClient> none = KgenClient::create("", "secret");
    CHECK(!none.ok());
    CHECK(!none.value.has_value());

    KgenClient client = kgen(GG_DISPATCH_WORKER);
    std::atomic<int> calls{0};
    std::string invalid_utf8 = "player-\xff";
    Error refused = client.create_session(invalid_utf8, [&](Result<KgenSession>) { calls++; });
    CHECK_EQ_INT(refused.code, GG_INVALID_ARGUMENT);
    CHECK(!refused.message.empty());
    Result<KgenSession> through_future = await(client.create_session(invalid_utf8));
    CHECK_EQ_INT(through_future.error.code, GG_INVALID_ARGUMENT);
    CHECK(!through_future.value.has_value());

    KgenProfile profile;
    CHECK_EQ_INT(profile.set_text("not_a_field", "x").code, GG_INVALID_ARGUMENT);
    client.reset(); // every request done; nothing may call back after this either
    CHECK_EQ_INT(calls.load(), 0);
}

// C strings end at the first NUL: "alice\0-admin" must never create a session for "alice".
static void test_a_string_with_a_nul_is_refused_and_nothing_is_sent() {
    const std::string forged("alice\0-admin", 12);
    long long before = emulator_counter("arrivals");
    KgenClient client = kgen(GG_DISPATCH_WORKER);
    std::atomic<int> calls{0};
    Error refused = client.create_session(forged, [&](Result<KgenSession>) { calls++; });
    CHECK_EQ_INT(refused.code, GG_INVALID_ARGUMENT);
    CHECK(refused.message.find("NUL") != std::string::npos);
    Result<KgenSession> through_future = await(client.create_session(forged));
    CHECK_EQ_INT(through_future.error.code, GG_INVALID_ARGUMENT);
    Result<std::string> request = await(client.request("POST", "/s2s/session", std::string("{\"user_id\":\"a\"}\0", 17)));
    CHECK_EQ_INT(request.error.code, GG_INVALID_ARGUMENT);
    KgenProfile profile;
    CHECK_EQ_INT(profile.set_text("name", std::string("Al\0ice", 6)).code, GG_INVALID_ARGUMENT);
    Options o;
    CHECK_EQ_INT(o.set_user_agent(std::string("game\0x", 6)).code, GG_INVALID_ARGUMENT);
    CHECK(o.set_user_agent("game").ok()); // the next call on this thread is judged on its own
    Result<KgenSession> fine = await(client.create_session("alice"));
    CHECK(fine.ok());
    client.reset();
    CHECK_EQ_INT(calls.load(), 0);
    CHECK_EQ_INT(emulator_counter("arrivals") - before, 1); // "alice" alone reached the service
    ElixirClient player = elixir(GG_DISPATCH_WORKER);
    CHECK_EQ_INT(player.restore_session(std::string("token\0", 6)).code, GG_INVALID_ARGUMENT);
}

// A game server's signed score submission, through the wrapper: accepted with the emulator's
// test key, refused with a key it does not know, and a NUL in the key refused before anything.
static void test_elixir_server_signed_calls() {
    static char pem[4096], other[4096];
    emulator_server_key("", pem, sizeof pem);
    emulator_server_key("other", other, sizeof other);
    Options o = options(GG_DISPATCH_WORKER);
    Result<ElixirServer> server = ElixirServer::create(EMULATOR_API_KEY, pem, &o);
    CHECK(server.ok());
    if (!server.ok()) return;
    Result<std::string> accepted = await(server.value->request("POST", "/sdk/v2/game-stats", "{\"score\": 99}"));
    CHECK(accepted.ok());
    CHECK(accepted.value && accepted.value->find("\"score\":99") != std::string::npos);
    Result<ElixirServer> unknown = ElixirServer::create(EMULATOR_API_KEY, other, &o);
    CHECK(unknown.ok());
    if (unknown.ok()) {
        Result<std::string> refused = await(unknown.value->request("POST", "/sdk/v2/game-stats", "{}"));
        CHECK_EQ_INT(refused.error.code, GG_API_ERROR);
        CHECK(refused.error.api_code == "INVALID_SIGNATURE");
    }
    std::string with_nul = std::string(pem) + std::string("\0tail", 5);
    CHECK_EQ_INT(ElixirServer::create(EMULATOR_API_KEY, with_nul, &o).error.code, GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(ElixirServer::create(EMULATOR_API_KEY, "not a key", &o).error.code, GG_INVALID_ARGUMENT);
}

static void test_http_errors_carry_status_and_api_code() {
    KgenClient client = kgen(GG_DISPATCH_WORKER, "wrong-secret");
    Result<KgenSession> r = await(client.create_session("cpp-player-3"));
    CHECK_EQ_INT(r.error.code, GG_HTTP_STATUS);
    CHECK_EQ_INT(r.error.http_status, 401);
    CHECK(r.error.message.find("wrong-secret") == std::string::npos);

    KgenClient good = kgen(GG_DISPATCH_WORKER);
    Result<std::string> missing = await(good.request("GET", "/s2s/no-such-endpoint"));
    CHECK_EQ_INT(missing.error.code, GG_HTTP_STATUS);
    CHECK_EQ_INT(missing.error.http_status, 404);
    Result<std::string> events = await(good.request("GET", "/s2s/loyalty/rewardable-events"));
    CHECK_EQ_INT(events.error.code, GG_OK);
    CHECK(events.value && events.value->find('[') != std::string::npos);
}

static void test_destroying_a_client_answers_pending_requests_once() {
    emulator_control("/_emulator/faults", "{\"latency_ms\": 2000, \"path_prefix\": \"/s2s/session\"}");
    std::vector<int> calls(20, 0);
    std::vector<gg_result> codes(20, GG_OK);
    std::future<Result<KgenSession>> future;
    {
        KgenClient client = kgen(GG_DISPATCH_TICK);
        for (size_t i = 0; i < calls.size(); i++) {
            CHECK(client.create_session("slow", [&, i](Result<KgenSession> r) {
                              calls[i]++;
                              codes[i] = r.error.code;
                          }).ok());
        }
        future = client.create_session("slow-future");
        KgenClient moved = std::move(client); // the moved-from client frees nothing
        CHECK(client.get() == nullptr);
        CHECK(moved.get() != nullptr);
    } // `moved` is destroyed here: GG_SHUTDOWN on this thread, once each
    emulator_control("/_emulator/reset", "{}");
    for (size_t i = 0; i < calls.size(); i++) {
        CHECK_EQ_INT(calls[i], 1);
        CHECK_EQ_INT(codes[i], GG_SHUTDOWN);
    }
    CHECK(future.wait_for(0s) == std::future_status::ready);
    CHECK_EQ_INT(future.get().error.code, GG_SHUTDOWN);
    wait_for_threads_to_end();
    for (int c : calls) CHECK_EQ_INT(c, 1);
}

static void test_an_exception_in_a_callback_stays_in_cpp() {
    std::atomic<int> reported{0};
    set_callback_exception_handler([&](std::exception_ptr e) {
        try {
            std::rethrow_exception(e);
        } catch (const std::runtime_error &err) {
            if (std::string(err.what()) == "game bug") reported++;
        }
    });
    KgenClient client = kgen(GG_DISPATCH_TICK);
    int calls = 0;
    CHECK(client.create_session("thrower", [&](Result<KgenSession>) {
                    calls++;
                    throw std::runtime_error("game bug");
                }).ok());
    CHECK(client.prepare().ok());
    TICK_UNTIL([](KgenClient *c) { c->tick(); }, &client, &calls, 1);
    CHECK_EQ_INT(reported.load(), 1);
    // The client still works after the throw.
    int after = 0;
    CHECK(client.create_session("after-thrower", [&](Result<KgenSession> r) { after += r.ok() ? 1 : 100; }).ok());
    TICK_UNTIL([](KgenClient *c) { c->tick(); }, &client, &after, 1);
    CHECK_EQ_INT(after, 1);
    set_callback_exception_handler(nullptr);
}

static void test_elixir_sign_in_story_with_listener() {
    ElixirClient client = elixir(GG_DISPATCH_WORKER);
    std::mutex lock;
    std::vector<std::string> heard; // user id per change, "-" for signed out
    CHECK(client.set_session_listener([&](const ElixirSession *s) {
                    std::lock_guard<std::mutex> g(lock);
                    heard.push_back(s ? s->user_id : "-");
                }).ok());
    CHECK(client.set_device_info("C++ test rig", "cpp-device-1").ok());
    CHECK(!client.access_token().has_value());

    const std::string email = "cpp-story@example.com";
    Result<std::string> tx = await(client.request_otp(email));
    CHECK_EQ_INT(tx.error.code, GG_OK);
    if (!tx.value) return;
    std::string code = emulator_text("GET", ("/_emulator/elixir/otp?email=" + email).c_str(), nullptr, "code");
    Result<ElixirSession> session = await(client.verify_otp(*tx.value, code));
    CHECK_EQ_INT(session.error.code, GG_OK);
    if (!session.value) return;
    CHECK(!session.value->user_id.empty());
    CHECK(session.value->token_life_ms > 0);
    CHECK(client.access_token() == session.value->token);
    CHECK(client.refresh_token() == session.value->refresh_token);
    CHECK(client.is_signed_in());

    Result<ElixirSession> refreshed = await(client.refresh());
    CHECK_EQ_INT(refreshed.error.code, GG_OK);
    CHECK(refreshed.value && refreshed.value->refresh_token != session.value->refresh_token);

    Result<std::string> info = await(client.request("GET", "/sdk/v2/userinfo"));
    CHECK_EQ_INT(info.error.code, GG_OK);
    CHECK(info.value && info.value->find(session.value->user_id) != std::string::npos);

    Result<Done> out = await(client.sign_out());
    CHECK_EQ_INT(out.error.code, GG_OK);
    CHECK(!client.access_token().has_value());
    CHECK(!client.is_signed_in());
    Result<Done> again = await(client.sign_out());
    CHECK_EQ_INT(again.error.code, GG_NOT_SIGNED_IN);

    std::lock_guard<std::mutex> g(lock);
    CHECK_EQ_INT(heard.size(), 3);
    if (heard.size() == 3) {
        CHECK(heard[0] == session.value->user_id);
        CHECK(heard[1] == session.value->user_id);
        CHECK_STR(heard[2].c_str(), "-");
    }
}

static void test_elixir_qr_and_launcher_flows() {
    ElixirClient client = elixir(GG_DISPATCH_WORKER);
    std::string qr = emulator_text("POST", "/_emulator/elixir/qr", "{\"email\":\"cpp-qr@example.com\"}", "qrValue");
    Result<ElixirSession> by_qr = await(client.verify_qr(qr));
    CHECK_EQ_INT(by_qr.error.code, GG_OK);
    CHECK(by_qr.value && !by_qr.value->token.empty());
    Result<ElixirSession> reused = await(client.verify_qr(qr));
    CHECK(!reused.ok());

    std::string key = emulator_text("GET", "/_emulator/elixir/reikey?playerId=cpp-launcher", nullptr, "reikey");
    Result<ElixirSession> by_key = await(client.reikey_sign_in(key));
    CHECK_EQ_INT(by_key.error.code, GG_OK);
    Result<Done> closed = await(client.reikey_close(key));
    CHECK_EQ_INT(closed.error.code, GG_OK);
    Result<ElixirSession> after_close = await(client.reikey_sign_in(key));
    CHECK(!after_close.ok());
}

static void test_a_restored_session_refreshes_before_the_call() {
    ElixirClient first = elixir(GG_DISPATCH_WORKER);
    const std::string email = "cpp-restore@example.com";
    Result<std::string> tx = await(first.request_otp(email));
    if (!tx.value) {
        CHECK(tx.ok());
        return;
    }
    std::string code = emulator_text("GET", ("/_emulator/elixir/otp?email=" + email).c_str(), nullptr, "code");
    Result<ElixirSession> s = await(first.verify_otp(*tx.value, code));
    CHECK(s.ok());
    std::optional<std::string> persisted = first.refresh_token();
    CHECK(persisted.has_value());
    first.reset();
    if (!persisted || !s.value) return;

    ElixirClient next_launch = elixir(GG_DISPATCH_WORKER);
    CHECK(next_launch.restore_session(*persisted).ok());
    Result<std::string> info = await(next_launch.request("GET", "/sdk/v2/userinfo"));
    CHECK_EQ_INT(info.error.code, GG_OK);
    CHECK(info.value && info.value->find(s.value->user_id) != std::string::npos);
    CHECK(next_launch.refresh_token() != persisted);
}

// Session events carry why the session changed; the OS store answers at once (on this
// machine's test runs either nothing stored or GG_UNSUPPORTED), and only once per client.
static void test_session_events_and_the_os_store() {
    ElixirClient client = elixir(GG_DISPATCH_WORKER);
    std::mutex lock;
    std::string heard; // 'I' signed in, 'R' refreshed, 'O' signed out
    CHECK(client.set_session_events([&](uint32_t event, const ElixirSession *s) {
                    std::lock_guard<std::mutex> g(lock);
                    heard.push_back(" IROX"[event <= 4 ? event : 0]);
                    CHECK((s != nullptr) == (event == GG_SESSION_SIGNED_IN || event == GG_SESSION_REFRESHED));
                }).ok());
    std::string slot = "cpp-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
    Result<std::optional<ElixirSession>> stored = await(client.use_os_store(slot));
    if (stored.ok()) {
        CHECK(stored.value.has_value() && !stored.value->has_value()); // nobody under a new slot
    } else {
        CHECK_EQ_INT(stored.error.code, GG_UNSUPPORTED);
    }
    CHECK_EQ_INT(client.use_os_store("again", [](Result<std::optional<ElixirSession>>) {}).code, GG_INVALID_ARGUMENT);

    const std::string email = "cpp-events@example.com";
    Result<std::string> tx = await(client.request_otp(email));
    if (!tx.value) {
        CHECK(tx.ok());
        return;
    }
    std::string code = emulator_text("GET", ("/_emulator/elixir/otp?email=" + email).c_str(), nullptr, "code");
    CHECK(await(client.verify_otp(*tx.value, code)).ok());
    CHECK(await(client.refresh()).ok());
    CHECK(await(client.sign_out()).ok());
    std::lock_guard<std::mutex> g(lock);
    CHECK_STR(heard.c_str(), "IRO");
}

// Retry-After reaches the C++ Error; offline requests fail at once, nothing sent.
static void test_retry_after_and_offline() {
    KgenClient client = kgen(GG_DISPATCH_WORKER);
    emulator_control("/_emulator/faults", "{\"status\": 503, \"times\": 3, \"path_prefix\": \"/s2s/session\", \"retry_after\": \"90\"}");
    Result<KgenSession> limited = await(client.create_session("cpp-limited"));
    CHECK_EQ_INT(limited.error.code, GG_HTTP_STATUS);
    CHECK_EQ_INT(limited.error.retry_after_ms, 90000);
    emulator_control("/_emulator/reset", "{}");

    long long before = emulator_counter("arrivals");
    CHECK(set_network_status(GG_NET_OFFLINE).ok());
    Result<KgenSession> offline = await(client.create_session("cpp-offline"));
    CHECK(set_network_status(GG_NET_ONLINE).ok());
    CHECK_EQ_INT(offline.error.code, GG_NETWORK);
    CHECK_EQ_INT(emulator_counter("arrivals"), before);
    CHECK_EQ_INT(set_application_status(7).code, GG_INVALID_ARGUMENT);
    CHECK(await(client.create_session("cpp-online")).ok());
}

// The metrics callback: once per request, before its callback, alive as long as the client
// even after the Options that carried it are gone.
static void test_metrics_outlive_their_options() {
    std::mutex lock;
    std::vector<RequestMetrics> seen;
    std::string order;
    Result<KgenClient> created;
    {
        Options o = options(GG_DISPATCH_TICK);
        CHECK(o.set_metrics_callback([&](const RequestMetrics &m) {
                   std::lock_guard<std::mutex> g(lock);
                   seen.push_back(m);
                   order += 'M';
               }).ok());
        CHECK(o.set_tick_budget_us(1000).ok());
        CHECK_EQ_INT(o.set_trust(9).code, GG_INVALID_ARGUMENT);
        CHECK(o.set_trust(GG_TRUST_BUNDLED).ok());
        created = KgenClient::create(EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET, &o);
    }
    CHECK(created.ok());
    if (!created.value) return;
    KgenClient &client = *created.value;
    int calls = 0;
    uint64_t id = 0;
    CHECK(client.create_session("cpp-metrics", [&](Result<KgenSession> r) {
                    CHECK(r.ok());
                    std::lock_guard<std::mutex> g(lock);
                    order += 'C';
                    calls++;
                }, &id).ok());
    TICK_UNTIL([](KgenClient *c) { c->tick(); }, &client, &calls, 1);
    std::lock_guard<std::mutex> g(lock);
    CHECK_STR(order.c_str(), "MC");
    CHECK_EQ_INT(seen.size(), 1);
    if (seen.size() == 1) {
        CHECK(seen[0].request_id == id);
        CHECK_STR(seen[0].method.c_str(), "POST");
        CHECK_STR(seen[0].path.c_str(), "/s2s/session/");
        CHECK_EQ_INT(seen[0].http_status, 200);
        CHECK_EQ_INT(seen[0].attempts, 1);
    }
}


// Callbacks may own what they capture (a std::unique_ptr, a std::promise): move-only is fine.
static void test_move_only_callbacks_and_the_library_wide_wrappers() {
    KgenClient client = kgen(GG_DISPATCH_WORKER);
    std::promise<std::string> wallet;
    std::future<std::string> got = wallet.get_future();
    auto owned = std::make_unique<int>(7);
    CHECK(client.create_session("move-only-player", [w = std::move(wallet), o = std::move(owned)](Result<KgenSession> r) mutable {
                    w.set_value(r.ok() && *o == 7 ? std::string(r.value->wallet_address) : std::string("failed"));
                }).ok());
    CHECK(got.wait_for(std::chrono::seconds((int)WAIT_LIMIT_SECONDS)) == std::future_status::ready);
    CHECK(got.get().rfind("0x", 0) == 0);
    // An empty callback is refused before the library is asked.
    CHECK_EQ_INT(client.create_session("nobody", Callback<KgenSession>()).code, GG_NULL_PARAM);

    // Stats: this client and its threads are counted.
    Result<Stats> stats = gamegate::stats();
    CHECK(stats.ok());
    CHECK(stats.value->live_clients >= 1);
    CHECK(stats.value->connections_opened >= 1);

    // Log lines reach a std::function, and none carries the secret or a token.
    std::mutex lock;
    std::vector<std::string> lines;
    CHECK(set_log_callback(GG_LOG_DEBUG, [&](int32_t, const std::string &line) {
              std::lock_guard<std::mutex> guard(lock);
              lines.push_back(line);
          }).ok());
    Result<KgenSession> session = await(client.create_session("logged-player"));
    CHECK(session.ok());
    CHECK(set_log_callback(GG_LOG_OFF, nullptr).ok());
    std::lock_guard<std::mutex> guard(lock);
    CHECK(!lines.empty());
    for (const std::string &line : lines) {
        CHECK(line.find(EMULATOR_CLIENT_SECRET) == std::string::npos);
        CHECK(line.find(session.value->access_token) == std::string::npos);
    }
}

// A proxy from the options carries the request: one nobody listens on fails it, naming the proxy.
static void test_a_proxy_from_the_options_carries_the_request() {
    Options o = options(GG_DISPATCH_WORKER);
    CHECK_EQ_INT(o.set_proxy("socks5://proxy:1").code, GG_INVALID_ARGUMENT);
    CHECK(o.set_proxy("http://127.0.0.1:9").ok());
    CHECK(o.set_retries(0, 100).ok());
    Result<KgenClient> created = KgenClient::create(EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET, &o);
    CHECK(created.ok());
    Result<KgenSession> r = await(created.value->create_session("proxied-player"));
    CHECK_EQ_INT(r.error.code, GG_NETWORK);
    CHECK(r.error.message.find("proxy") != std::string::npos);
    // Plain HTTP beyond loopback, allowed for development, whichever setter came first.
    Options lan;
    CHECK(lan.set_base_url("http://10.0.2.2:8910").ok());
    CHECK(lan.set_allow_plain_http(true).ok());
    CHECK(lan.set_proxy_from_environment(false).ok());
    CHECK(KgenClient::create(EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET, &lan).ok());
}

// Tokens are Secrets: strings wherever a string goes; a move leaves nothing behind.
static void test_tokens_are_secrets_that_behave_as_strings() {
    Secret token(std::string(64, 't'));
    const std::string &as_string = token;
    CHECK_EQ_INT((int)as_string.size(), 64);
    Secret moved(std::move(token));
    CHECK_EQ_INT((int)moved.size(), 64);
    CHECK(token.empty()); // NOLINT(bugprone-use-after-move): the point of the check
    Secret copy;
    copy = moved;
    CHECK(copy == moved);
}

// The exception handler may be replaced while worker callbacks throw on the callback thread.
static void test_the_exception_handler_is_replaced_safely_while_callbacks_throw() {
    std::atomic<int> reported{0}, done{0}; // declared first: they outlive the client's callbacks
    KgenClient client = kgen(GG_DISPATCH_WORKER);
    const int requests = 40;
    for (int i = 0; i < requests; i++) {
        CHECK(client.create_session("thrower-" + std::to_string(i % 4), [&](Result<KgenSession>) {
                        done++;
                        throw std::runtime_error("game bug");
                    }).ok());
    }
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds((int)WAIT_LIMIT_SECONDS);
    while (done.load() < requests && std::chrono::steady_clock::now() < give_up) {
        set_callback_exception_handler([&](std::exception_ptr) { reported++; });
        std::this_thread::yield();
    }
    CHECK_EQ_INT(done.load(), requests);
    set_callback_exception_handler(nullptr);
}

int main() {
    emulator_url = emulator_url_from_env();
    RUN(test_kgen_session_with_profile_through_a_future);
    RUN(test_tick_mode_callback_runs_once_inside_tick);
    RUN(test_refusals_are_values_and_never_call_back);
    RUN(test_a_string_with_a_nul_is_refused_and_nothing_is_sent);
    RUN(test_http_errors_carry_status_and_api_code);
    RUN(test_destroying_a_client_answers_pending_requests_once);
    RUN(test_an_exception_in_a_callback_stays_in_cpp);
    RUN(test_elixir_sign_in_story_with_listener);
    RUN(test_elixir_qr_and_launcher_flows);
    RUN(test_a_restored_session_refreshes_before_the_call);
    RUN(test_elixir_server_signed_calls);
    RUN(test_session_events_and_the_os_store);
    RUN(test_retry_after_and_offline);
    RUN(test_metrics_outlive_their_options);
    RUN(test_move_only_callbacks_and_the_library_wide_wrappers);
    RUN(test_a_proxy_from_the_options_carries_the_request);
    RUN(test_tokens_are_secrets_that_behave_as_strings);
    RUN(test_the_exception_handler_is_replaced_safely_while_callbacks_throw);
    wait_for_threads_to_end();
    return gg_test_summary("c++ wrapper");
}
