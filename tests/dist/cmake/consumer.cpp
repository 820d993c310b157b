// Creates one KGeN session through the C++ wrapper against the emulator at
// $GAMEGATE_EMULATOR_URL; exits 0 when it has a wallet. Built by tests/dist/cmake.
#include <gamegate.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

int main() {
    const char *url = std::getenv("GAMEGATE_EMULATOR_URL");
    if (!url) {
        std::fprintf(stderr, "set GAMEGATE_EMULATOR_URL\n");
        return 2;
    }
    gamegate::Options options;
    if (options.set_base_url(url)) return 1;
    auto client = gamegate::KgenClient::create("gamegate-test-client", "gamegate-test-secret", &options);
    if (!client.ok()) {
        std::fprintf(stderr, "client: %s\n", client.error.message.c_str());
        return 1;
    }
    auto session = client.value->create_session("dist-consumer");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (session.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready) {
        if (std::chrono::steady_clock::now() > deadline) return 1;
        client.value->tick();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    auto result = session.get();
    if (!result.ok() || result.value->wallet_address.empty()) {
        std::fprintf(stderr, "session: %s\n", result.error.message.c_str());
        return 1;
    }
    std::printf("dist consumer (%s): session for %s, wallet %s\n", gamegate::version(), result.value->user_id.c_str(),
                result.value->wallet_address.c_str());
    return 0;
}
