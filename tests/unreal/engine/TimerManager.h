#pragma once
#include "CoreMinimal.h"
class FTimerManager {
public:
    template <class F> void SetTimerForNextTick(F&& f) { (void)f; }
};
