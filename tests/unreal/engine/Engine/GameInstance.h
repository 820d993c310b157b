#pragma once
#include "CoreMinimal.h"
class UWorld;
class UGameInstance : public UObject {
public:
    template <class T> T* GetSubsystem() const { return nullptr; }
    UWorld* GetWorld() const { return nullptr; }
};
