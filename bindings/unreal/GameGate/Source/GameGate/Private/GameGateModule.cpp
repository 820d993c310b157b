#include "Modules/ModuleManager.h"
#include "Interfaces/IPluginManager.h"
#include "HAL/PlatformProcess.h"
#include "Misc/Paths.h"

// On Windows gamegate.dll is delay-loaded: load it from the plugin before the first call.
class FGameGateModule : public IModuleInterface
{
public:
    virtual void StartupModule() override
    {
#if PLATFORM_WINDOWS
        const FString Dir = FPaths::Combine(IPluginManager::Get().FindPlugin(TEXT("GameGate"))->GetBaseDir(),
                                            TEXT("Source/ThirdParty/GameGateLibrary/lib/Win64"));
        FPlatformProcess::PushDllDirectory(*Dir);
        LibraryHandle = FPlatformProcess::GetDllHandle(*FPaths::Combine(Dir, TEXT("gamegate.dll")));
        FPlatformProcess::PopDllDirectory(*Dir);
        if (!LibraryHandle)
        {
            UE_LOG(LogTemp, Error, TEXT("GameGate: gamegate.dll not found in %s"), *Dir);
        }
#endif
    }

    virtual void ShutdownModule() override
    {
        if (LibraryHandle)
        {
            FPlatformProcess::FreeDllHandle(LibraryHandle);
            LibraryHandle = nullptr;
        }
    }

private:
    void* LibraryHandle = nullptr;
};

IMPLEMENT_MODULE(FGameGateModule, GameGate)
