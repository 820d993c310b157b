// gamegate.hpp as an Unreal module includes it: after the engine's macros, inside
// THIRD_PARTY_INCLUDES_START/END, built with -fno-exceptions -fno-rtti. Compiles and runs a
// refusal through the wrapper (no network), so the header is proven usable there.
#include "unreal_macros.h"

THIRD_PARTY_INCLUDES_START
#include "gamegate.hpp"
THIRD_PARTY_INCLUDES_END

int main() {
    gamegate::Options options;
    gamegate::Error plain_http = options.set_base_url("not a url");
    gamegate::Error nul = options.set_user_agent(std::string("a\0b", 3));
    check(options.set_timeout_ms(5000).ok());
    return plain_http.code == GG_INVALID_ARGUMENT && nul.code == GG_INVALID_ARGUMENT ? 0 : 1;
}
