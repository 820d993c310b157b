/* CPU used while one answer trickles in (the emulator's /_faults/trickle: a KGeN session whose
 * body arrives in 30 pieces, 30 ms apart). The game thread ticks every 10 ms, as a frame loop
 * would; everything else the process spends is the I/O thread's. Prints the process's CPU
 * time over the wall time, and the I/O thread's wake-ups where the library counts them.
 * Built for Linux and for Windows (run under wine): `bench/slow_answer.c` in the README. */
#ifndef _WIN32
#define _POSIX_C_SOURCE 200809L
#endif
#include <stdio.h>
#include <string.h>

#include "gamegate.h"

#ifdef _WIN32
#include <windows.h>
static double cpu_seconds(void) {
    FILETIME created, exited, kernel, user;
    GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user);
    ULARGE_INTEGER k = {.LowPart = kernel.dwLowDateTime, .HighPart = kernel.dwHighDateTime};
    ULARGE_INTEGER u = {.LowPart = user.dwLowDateTime, .HighPart = user.dwHighDateTime};
    return (double)(k.QuadPart + u.QuadPart) / 1e7;
}
static double wall_seconds(void) { return (double)GetTickCount64() / 1e3; }
static void frame(void) { Sleep(10); }
#else
#include <sys/resource.h>
#include <time.h>
static double cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (double)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + (double)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}
static double wall_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
static void frame(void) {
    struct timespec ts = {0, 10000000};
    nanosleep(&ts, NULL);
}
#endif

static int calls, code;

static void on_session(void *user_data, const gg_error *error, const kgen_session *session) {
    (void)user_data;
    (void)session;
    calls++;
    code = error ? error->code : GG_OK;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: slow_answer <emulator url>\n");
        return 2;
    }
    char url[512];
    snprintf(url, sizeof url, "%s/_faults/trickle", argv[1]);
    gg_options *options = gg_options_new();
    gg_options_set_base_url(options, url);
    kgen_client *client = NULL;
    if (kgen_client_new("gamegate-test-client", "gamegate-test-secret", options, &client) != GG_OK) return 1;
    gg_options_free(options);
    gg_stats before;
    memset(&before, 0, sizeof before);
    before.struct_size = sizeof before;
    int counted = gg_get_stats(&before) == GG_OK && before.struct_size >= sizeof before;
    double cpu0 = cpu_seconds(), wall0 = wall_seconds();
    if (kgen_create_session(client, "slow-player", on_session, NULL, NULL) != GG_OK) return 1;
    while (calls == 0) {
        kgen_client_tick(client);
        frame();
    }
    double cpu = cpu_seconds() - cpu0, wall = wall_seconds() - wall0;
    gg_stats after;
    memset(&after, 0, sizeof after);
    after.struct_size = sizeof after;
    gg_get_stats(&after);
    kgen_client_free(client);
    printf("slow answer: %s in %.2f s, CPU %.3f s (%.1f %% of a core)", gg_result_name(code), wall, cpu, 100.0 * cpu / wall);
    if (counted) printf(", %llu I/O wake-ups", (unsigned long long)(after.io_wakeups - before.io_wakeups));
    printf("\n");
    return code == GG_OK ? 0 : 1;
}
