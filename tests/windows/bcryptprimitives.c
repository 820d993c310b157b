/* TEST-ONLY stand-in for Windows' bcryptprimitives.dll, which Debian 12's wine 8.0 lacks.
 * Rust's standard library (1.78 and later) imports ProcessPrng from it for random numbers.
 * Built by the test command next to the test programs it runs under wine; never shipped:
 * every real Windows 10/11 has the real DLL. */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
