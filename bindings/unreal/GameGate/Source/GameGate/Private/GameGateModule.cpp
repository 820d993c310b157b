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
        // GameGateLibrary.Build.cs stages gamegate.dll into the plugin's Binaries/Win64
        // ($(BinaryOutputDir)), which packaged builds ship; Source/ThirdParty is not staged
        // and serves only editor builds made before the first staging.
        const FString BaseDir = IPluginManager::Get().FindPlugin(TEXT("GameGate"))->GetBaseDir();
        for (const FString& Dir : {FPaths::Combine(BaseDir, TEXT("Binaries/Win64")),
                                   FPaths::Combine(BaseDir, TEXT("Source/ThirdParty/GameGateLibrary/lib/Win64"))})
        {
            FPlatformProcess::PushDllDirectory(*Dir);
            LibraryHandle = FPlatformProcess::GetDllHandle(*FPaths::Combine(Dir, TEXT("gamegate.dll")));
            FPlatformProcess::PopDllDirectory(*Dir);
            if (LibraryHandle) break;
        }
        if (!LibraryHandle)
        {
            UE_LOG(LogTemp, Error, TEXT("GameGate: gamegate.dll not found under %s (Binaries/Win64)"), *BaseDir);
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
