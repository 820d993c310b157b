#pragma once
#include "CoreMinimal.h"
class UGameInstance;
class FSubsystemCollectionBase {};
class UGameInstanceSubsystem : public UObject {
public:
    using Super = UGameInstanceSubsystem;
    virtual void Initialize(FSubsystemCollectionBase& Collection) { (void)Collection; }
    UGameInstance* GetGameInstance() const { return nullptr; }
    virtual void Deinitialize() {}
};
