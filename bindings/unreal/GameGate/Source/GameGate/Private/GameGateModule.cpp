#include "Modules/ModuleManager.h"
#include "Interfaces/IPluginManager.h"
#include "HAL/PlatformProcess.h"
#include "Misc/Paths.h"
#include "Misc/CoreDelegates.h"
#if PLATFORM_ANDROID
#include "Android/AndroidApplication.h"
#include "Android/AndroidJava.h"
#endif

#include "GameGateLog.h"
#include "GameGateTypes.h"

THIRD_PARTY_INCLUDES_START
#include "gamegate.h"
THIRD_PARTY_INCLUDES_END

DEFINE_LOG_CATEGORY(LogGameGate);

namespace
{
// Called on whichever thread logged; UE_LOG is thread-safe. Its verbosity is a token, hence the switch.
void ToLogGameGate(void*, int32_t Level, const char* Message)
{
    switch (Level)
    {
    case GG_LOG_ERROR: UE_LOG(LogGameGate, Error, TEXT("%s"), UTF8_TO_TCHAR(Message)); break;
    case GG_LOG_WARN: UE_LOG(LogGameGate, Warning, TEXT("%s"), UTF8_TO_TCHAR(Message)); break;
    case GG_LOG_INFO: UE_LOG(LogGameGate, Log, TEXT("%s"), UTF8_TO_TCHAR(Message)); break;
    default: UE_LOG(LogGameGate, Verbose, TEXT("%s"), UTF8_TO_TCHAR(Message)); break;
    }
}
} // namespace

void GameGateSetLogLevel(EGameGateLogLevel Level)
{
    const int32_t Max = static_cast<int32_t>(Level);
    gg_set_log_callback(Max, Max == GG_LOG_OFF ? nullptr : ToLogGameGate, nullptr);
}

// On Windows gamegate.dll is delay-loaded: load it from the plugin before the first call.
// The app's life reaches the library from the engine's application delegates: back in the
// foreground, pooled connections are retired and the session is looked at again.
class FGameGateModule : public IModuleInterface
{
public:
    virtual void StartupModule() override
    {
        LoadLibrary();
        GameGateSetLogLevel(EGameGateLogLevel::Warning);
#if PLATFORM_ANDROID
        // The Keystore (the session at rest) is reached through the JVM and the activity.
        gg_android_init(FAndroidApplication::GetJavaVM(), FJavaWrapper::GameActivityThis);
#endif
        BackgroundHandle = FCoreDelegates::ApplicationWillEnterBackgroundDelegate.AddLambda([] { gg_set_application_status(GG_APP_BACKGROUND); });
        ForegroundHandle = FCoreDelegates::ApplicationHasEnteredForegroundDelegate.AddLambda([] { gg_set_application_status(GG_APP_FOREGROUND); });
    }

    virtual void ShutdownModule() override
    {
        gg_set_log_callback(GG_LOG_OFF, nullptr, nullptr);
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
            UE_LOG(LogGameGate, Error, TEXT("gamegate.dll not found under %s (Binaries/Win64)"), *BaseDir);
        }
#endif
    }

    void* LibraryHandle = nullptr;
    FDelegateHandle BackgroundHandle;
    FDelegateHandle ForegroundHandle;
};

IMPLEMENT_MODULE(FGameGateModule, GameGate)
