#pragma once
#include "CoreMinimal.h"
class IModuleInterface {
public:
    virtual ~IModuleInterface() = default;
    virtual void StartupModule() {}
    virtual void ShutdownModule() {}
};
#define IMPLEMENT_MODULE(Class, Name) [[maybe_unused]] static Class* GG_module_##Name = nullptr;
