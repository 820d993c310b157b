#pragma once
#include "CoreMinimal.h"
class UGameInstanceSubsystem : public UObject {
public:
    using Super = UGameInstanceSubsystem;
    virtual void Deinitialize() {}
};
