#pragma once
#include "CoreMinimal.h"
// Engine/DeveloperSettings.h (module DeveloperSettings): a UObject whose config properties
// appear under Project Settings.
class UDeveloperSettings : public UObject {
public:
    virtual FName GetContainerName() const { return FName(u"Project"); }
    virtual FName GetCategoryName() const { return FName(u"Plugins"); }
    virtual FName GetSectionName() const { return FName(u""); }
};
