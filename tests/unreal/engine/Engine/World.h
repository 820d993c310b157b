#pragma once
#include "CoreMinimal.h"
#include "TimerManager.h"
class UWorld : public UObject {
public:
    FTimerManager& GetTimerManager() const { static FTimerManager m; return m; }
};
