// A game client's Elixir sign-in with the C++17 wrapper and futures: e-mail code, verify,
// persist the refresh token, make an authorized call, restore the session on "next launch",
// sign out. Worker dispatch, so blocking on a future is fine here (in tick mode, poll it).
// Run by `cargo xtask test` against the bundled emulator (GAMEGATE_EMULATOR_URL).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "gamegate.hpp"

using gamegate::ElixirClient;
using gamegate::Options;

static bool failed(const char *step, const gamegate::Error &e) {
    if (e.ok()) return false;
    std::fprintf(stderr, "%s failed: %s (HTTP %d, api code \"%s\"): %s\n", step, e.name(), e.http_status,
                 e.api_code.c_str(), e.message.c_str());
    return true;
}

// The emulator shows the code it "e-mailed"; a real game asks the player to type it.
static std::string code_from_emulator(const std::string &url, const std::string &email) {
    Options o;
    if (o.set_base_url(url).failed() || o.set_dispatch(GG_DISPATCH_WORKER).failed()) return "";
    auto any = gamegate::KgenClient::create("gamegate-test-client", "gamegate-test-secret", &o);
    if (!any.ok()) return "";
    auto reply = any.value->request("GET", "/_emulator/elixir/otp?email=" + email).get();
    if (!reply.ok()) return "";
    auto at = reply.value->find("\"code\":\"");
    return at == std::string::npos ? "" : reply.value->substr(at + 8, 5);
}

int main() {
    const char *url = std::getenv("GAMEGATE_EMULATOR_URL");
    if (!url) {
        std::fprintf(stderr, "set GAMEGATE_EMULATOR_URL to a running gamegate-emulator\n");
        return 2;
    }
    Options options;
    if (failed("options", options.set_base_url(url)) || failed("options", options.set_dispatch(GG_DISPATCH_WORKER)))
        return 1;

    auto created = ElixirClient::create("gamegate-test-api-key", &options);
    if (failed("ElixirClient::create", created.error)) return 1;
    ElixirClient elixir = std::move(*created.value);
    // The sign-in screen is open: a call is coming, so connect (DNS, TCP, TLS) now.
    if (failed("prepare", elixir.prepare())) return 1;
    gamegate::Error listening = elixir.set_session_listener([](const gamegate::ElixirSession *s) {
        std::printf("  [session] %s\n", s ? ("signed in as " + s->user_id).c_str() : "signed out");
    });
    if (failed("set_session_listener", listening)) return 1;

    const std::string email = "cpp-example@example.com";
    auto transaction = elixir.request_otp(email).get();
    if (failed("request_otp", transaction.error)) return 1;
    std::printf("code sent to %s\n", email.c_str());

    // The player types the code minutes later; the connection used for the request may be
    // gone by then, so open one while they type.
    if (failed("prepare", elixir.prepare())) return 1;
    auto session = elixir.verify_otp(*transaction.value, code_from_emulator(url, email)).get();
    if (failed("verify_otp", session.error)) return 1;
    std::printf("signed in: user %s, token valid %lld s\n", session.value->user_id.c_str(),
                (long long)(session.value->token_life_ms / 1000));
    std::string saved = *elixir.refresh_token(); // a game stores this in the platform's secure storage

    auto info = elixir.request("GET", "/sdk/v2/userinfo").get();
    if (failed("userinfo", info.error)) return 1;
    std::printf("userinfo: %s\n", info.value->c_str());
    elixir.reset(); // quit the game

    auto relaunched = ElixirClient::create("gamegate-test-api-key", &options);
    if (failed("ElixirClient::create", relaunched.error)) return 1;
    ElixirClient next = std::move(*relaunched.value);
    if (failed("restore_session", next.restore_session(saved))) return 1;
    auto again = next.request("GET", "/sdk/v2/userinfo").get(); // refreshes first
    if (failed("userinfo after restore", again.error)) return 1;
    std::printf("restored on next launch without a new code\n");
    if (failed("sign_out", next.sign_out().get().error)) return 1;
    std::printf("signed out\n");
    return 0;
}
