/* This process's threads, open handles and resident memory, read the platform's own way:
 * /proc on Linux; a thread snapshot, GetProcessHandleCount and the working set on Windows.
 * Shared by the C suites (leak checks) and the micro-benchmark (bench/bench_micro.c).
 * Each reader returns -1 where it cannot measure; callers then say "not measured". */
#ifndef GG_PROCESS_H
#define GG_PROCESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#define PSAPI_VERSION 2 /* GetProcessMemoryInfo from kernel32: no -lpsapi */
#include <windows.h>
#include <psapi.h>
#include <tlhelp32.h>
#else
#include <dirent.h>
#endif

/* qemu-user's own bookkeeping grows with every thread a program starts, whatever the program
 * does, so resident memory is no measure of GameGate there (the test command sets this). */
static inline int gg_under_qemu(void) { return getenv("GG_UNDER_QEMU") != NULL; }

#ifdef _WIN32

/* Working set in KiB. */
static inline long resident_kib(void) {
    PROCESS_MEMORY_COUNTERS counters;
    if (!GetProcessMemoryInfo(GetCurrentProcess(), &counters, sizeof counters)) return -1;
    return (long)(counters.WorkingSetSize / 1024);
}

/* Calls `visit` for each thread of this process; returns how many there are. */
static inline int gg_each_thread(int (*visit)(HANDLE thread)) {
    HANDLE snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
    if (snapshot == INVALID_HANDLE_VALUE) return -1;
    THREADENTRY32 entry;
    entry.dwSize = sizeof entry;
    int n = 0;
    DWORD self = GetCurrentProcessId();
    for (BOOL more = Thread32First(snapshot, &entry); more; more = Thread32Next(snapshot, &entry)) {
        if (entry.th32OwnerProcessID != self) continue;
        if (!visit) {
            n++;
            continue;
        }
        HANDLE thread = OpenThread(THREAD_QUERY_LIMITED_INFORMATION, FALSE, entry.th32ThreadID);
        if (thread) {
            n += visit(thread);
            CloseHandle(thread);
        }
    }
    CloseHandle(snapshot);
    return n;
}

static inline int process_threads(void) { return gg_each_thread(NULL); }

/* Open handles; wine answers 0 (it does not count them), which is no measurement. */
static inline int process_handles(void) {
    DWORD count = 0;
    return GetProcessHandleCount(GetCurrentProcess(), &count) && count > 0 ? (int)count : -1;
}

/* GetThreadDescription is Windows 10 1607+ (and wine): looked up, not linked. */
typedef HRESULT(WINAPI *gg_get_thread_description_fn)(HANDLE, PWSTR *);

static inline int gg_is_library_thread(HANDLE thread) {
    static gg_get_thread_description_fn describe;
    if (!describe) {
        FARPROC found = GetProcAddress(GetModuleHandleW(L"kernel32.dll"), "GetThreadDescription");
        memcpy(&describe, &found, sizeof describe);
        if (!describe) return 0;
    }
    PWSTR name = NULL;
    int ours = 0;
    if (SUCCEEDED(describe(thread, &name)) && name) {
        ours = wcsncmp(name, L"gamegate", 8) == 0;
        LocalFree(name);
    }
    return ours;
}

/* Threads whose name starts with "gamegate" (every library thread's does). */
static inline int library_os_threads(void) { return gg_each_thread(gg_is_library_thread); }

#else

/* VmRSS in KiB. */
static inline long resident_kib(void) {
    if (gg_under_qemu()) return -1;
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmRSS:", 6) == 0) kib = atol(line + 6);
    }
    if (f) fclose(f);
    return kib;
}

static inline int gg_count_entries(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    if (!d) return -1;
    while (readdir(d)) n++;
    closedir(d);
    return n;
}

static inline int process_threads(void) { return gg_count_entries("/proc/self/task"); }

/* Open file descriptors. */
static inline int process_handles(void) { return gg_count_entries("/proc/self/fd"); }

/* Threads whose name starts with "gamegate" (every library thread's does). */
static inline int library_os_threads(void) {
    DIR *d = opendir("/proc/self/task");
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[300], name[64] = "";
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (f && fgets(name, sizeof name, f) && strncmp(name, "gamegate", 8) == 0) n++;
        if (f) fclose(f);
    }
    if (d) closedir(d);
    return d ? n : -1;
}

#endif

#ifdef _WIN32
#define GG_HANDLES_NAME "handles"
#else
#define GG_HANDLES_NAME "file descriptors"
#endif

#endif
