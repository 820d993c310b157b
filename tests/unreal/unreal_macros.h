/* The few macros of Unreal Engine that collide with ordinary C++ names, as the engine defines
 * them (Misc/AssertionMacros.h, HAL/Platform.h): function-like macros, so any call spelled
 * `check(...)`, `verify(...)` or `ensure(...)` in a header included by a UE module is
 * rewritten by the preprocessor. THIRD_PARTY_INCLUDES_START/END only silence warnings; they do
 * not protect a header from these. This is a stand-in for those macros only, not for UE. */
#ifndef GG_UNREAL_MACROS_H
#define GG_UNREAL_MACROS_H

#define check(expr) do { if (!(expr)) { __builtin_trap(); } } while (0)
#define checkf(expr, ...) check(expr)
#define verify(expr) do { if (!(expr)) { __builtin_trap(); } } while (0)
#define ensure(expr) (!!(expr))
#define ensureMsgf(expr, ...) ensure(expr)
#define TEXT(s) u##s
#define THIRD_PARTY_INCLUDES_START _Pragma("GCC diagnostic push")
#define THIRD_PARTY_INCLUDES_END _Pragma("GCC diagnostic pop")

#endif
