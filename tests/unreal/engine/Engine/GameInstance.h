#pragma once
#include "CoreMinimal.h"
class UWorld;
struct FWorldContext;
class UGameInstance : public UObject {
public:
    FWorldContext* GetWorldContext() const { return nullptr; }
    template <class T> T* GetSubsystem() const { return nullptr; }
    UWorld* GetWorld() const { return nullptr; }
};
