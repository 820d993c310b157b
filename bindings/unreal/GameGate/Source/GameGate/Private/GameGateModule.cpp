#include "Modules/ModuleManager.h"
#include "Interfaces/IPluginManager.h"
#include "HAL/PlatformProcess.h"
#include "Misc/Paths.h"
#include "Misc/CoreDelegates.h"
#if PLATFORM_ANDROID
#include "Android/AndroidApplication.h"
#include "Android/AndroidJava.h"
#endif

THIRD_PARTY_INCLUDES_START
#include "gamegate.h"
THIRD_PARTY_INCLUDES_END

// On Windows gamegate.dll is delay-loaded: load it from the plugin before the first call.
// The app's life reaches the library from the engine's application delegates: back in the
// foreground, pooled connections are retired and the session is looked at again.
class FGameGateModule : public IModuleInterface
{
public:
    virtual void StartupModule() override
    {
        LoadLibrary();
#if PLATFORM_ANDROID
        // The Keystore (the session at rest) is reached through the JVM and the activity.
        gg_android_init(FAndroidApplication::GetJavaVM(), FJavaWrapper::GameActivityThis);
#endif
        BackgroundHandle = FCoreDelegates::ApplicationWillEnterBackgroundDelegate.AddLambda([] { gg_set_application_status(GG_APP_BACKGROUND); });
        ForegroundHandle = FCoreDelegates::ApplicationHasEnteredForegroundDelegate.AddLambda([] { gg_set_application_status(GG_APP_FOREGROUND); });
    }

    virtual void ShutdownModule() override
    {
        FCoreDelegates::ApplicationWillEnterBackgroundDelegate.Remove(BackgroundHandle);
        FCoreDelegates::ApplicationHasEnteredForegroundDelegate.Remove(ForegroundHandle);
        if (LibraryHandle)
        {
            FPlatformProcess::FreeDllHandle(LibraryHandle);
            LibraryHandle = nullptr;
        }
    }

private:
    void LoadLibrary()
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

    void* LibraryHandle = nullptr;
    FDelegateHandle BackgroundHandle;
    FDelegateHandle ForegroundHandle;
};

IMPLEMENT_MODULE(FGameGateModule, GameGate)
