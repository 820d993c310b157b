/* A program linked the way MSVC links (lld-link, against gamegate.dll.lib, no MinGW import
 * library and no MinGW runtime), as an Unreal or Visual Studio project links GameGate on
 * Windows. Built freestanding with clang for x86_64-pc-windows-msvc: this machine has no MSVC
 * C runtime, so it talks to Windows through kernel32 only. Creates one KGeN session against
 * the emulator and exits 0 when it arrives. */
#include <stddef.h>
#include <stdint.h>

#include "gamegate.h"

#define WINAPI __stdcall
typedef void *HANDLE;
__declspec(dllimport) HANDLE WINAPI GetStdHandle(uint32_t which);
__declspec(dllimport) int WINAPI WriteFile(HANDLE file, const void *data, uint32_t size, uint32_t *written, void *overlapped);
__declspec(dllimport) uint32_t WINAPI GetEnvironmentVariableA(const char *name, char *out, uint32_t cap);
__declspec(dllimport) void WINAPI Sleep(uint32_t ms);
__declspec(dllimport) void WINAPI ExitProcess(uint32_t code);

static void say(const char *text) {
    uint32_t n = 0, written = 0;
    while (text[n]) n++;
    WriteFile(GetStdHandle((uint32_t)-11), text, n, &written, NULL);
}

static int same(const char *a, const char *b) {
    while (*a && *a == *b) a++, b++;
    return *a == *b;
}

typedef struct outcome {
    int calls;
    int code;
    int user_id_ok;
} outcome;

static void on_session(void *user_data, const gg_error *error, const kgen_session *session) {
    outcome *o = (outcome *)user_data;
    o->calls++;
    o->code = error ? error->code : GG_OK;
    o->user_id_ok = session && same(session->user_id, "msvc-player");
}

static int run(void) {
    char url[256];
    uint32_t length = GetEnvironmentVariableA("GAMEGATE_EMULATOR_URL", url, sizeof url);
    if (length == 0 || length >= sizeof url) {
        say("msvc consumer: set GAMEGATE_EMULATOR_URL\n");
        return 2;
    }
    say("msvc consumer: gamegate ");
    say(gg_version());
    say("\n");
    gg_options *options = gg_options_new();
    if (gg_options_set_base_url(options, url) != GG_OK) return 1;
    kgen_client *client = NULL;
    gg_result created = kgen_client_new("gamegate-test-client", "gamegate-test-secret", options, &client);
    gg_options_free(options);
    if (created != GG_OK) return 1;
    outcome o = {0, -1, 0};
    if (kgen_create_session(client, "msvc-player", on_session, &o, NULL) != GG_OK) return 1;
    for (int waited = 0; o.calls == 0 && waited < 30000; waited++) {
        kgen_client_tick(client);
        Sleep(1);
    }
    kgen_client_free(client);
    say("msvc consumer: ");
    say(o.calls == 1 ? gg_result_name(o.code) : "no callback");
    say("\n");
    return o.calls == 1 && o.code == GG_OK && o.user_id_ok ? 0 : 1;
}

void start(void) {
    ExitProcess((uint32_t)run());
}
