#pragma once
#include "CoreMinimal.h"
class UGameInstance;
class UGameInstanceSubsystem : public UObject {
public:
    using Super = UGameInstanceSubsystem;
    UGameInstance* GetGameInstance() const { return nullptr; }
    virtual void Deinitialize() {}
};
