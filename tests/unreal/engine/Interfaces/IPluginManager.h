#pragma once
#include "CoreMinimal.h"
class IPlugin {
public:
    virtual ~IPlugin() = default;
    virtual FString GetBaseDir() const = 0;
};
class IPluginManager {
public:
    static IPluginManager& Get() { static IPluginManager m; return m; }
    std::shared_ptr<IPlugin> FindPlugin(const TCHAR*) { return nullptr; }
};
