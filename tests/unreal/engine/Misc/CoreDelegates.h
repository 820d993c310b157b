#pragma once
#include "CoreMinimal.h"
#include <type_traits>
// Misc/CoreDelegates.h: DECLARE_MULTICAST_DELEGATE(FApplicationLifetimeDelegate), AddLambda / Remove.
struct FDelegateHandle {};
struct FApplicationLifetimeDelegate {
    template <class F> FDelegateHandle AddLambda(F&&) {
        static_assert(std::is_invocable_v<F>, "the engine calls it with no arguments");
        return {};
    }
    bool Remove(FDelegateHandle) { return true; }
};
class FCoreDelegates {
public:
    /** The app is about to go to the background (mobile: suspended). */
    static inline FApplicationLifetimeDelegate ApplicationWillEnterBackgroundDelegate;
    /** The app is back in the foreground. */
    static inline FApplicationLifetimeDelegate ApplicationHasEnteredForegroundDelegate;
};
