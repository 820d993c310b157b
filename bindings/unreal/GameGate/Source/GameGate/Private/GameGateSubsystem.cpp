#include "GameGateSubsystem.h"
#include "GameGateLog.h"
#include "GameGateSaveGame.h"
#include "GameGateSettings.h"
#include "Async/Async.h"
#include "Kismet/GameplayStatics.h"
#include "Engine/Engine.h"
#include "Engine/GameInstance.h"

#include <string>

void UGameGateSubsystem::OnGameThread(TUniqueFunction<void()> Function)
{
    if (IsInGameThread()) Function();
    else AsyncTask(ENamedThreads::GameThread, MoveTemp(Function));
}

void UGameGateSubsystem::Initialize(FSubsystemCollectionBase& Collection)
{
    Super::Initialize(Collection);
    const UGameGateSettings* Settings = GetDefault<UGameGateSettings>();
    GameGateSetLogLevel(Settings->LogLevel);
    Trust = Settings->Trust;
    if (Settings->ElixirApiKey.IsEmpty()) return;
    FGameGateError Error;
    if (!ConfigureElixir(Settings->ElixirApiKey, Settings->ElixirBaseUrl, Settings->bKeepElixirSession, Error))
    {
        UE_LOG(LogGameGate, Error, TEXT("Project Settings > GameGate: Elixir is not configured: %s"), *Error.Message);
    }
}

gamegate::Options UGameGateSubsystem::MakeOptions(const FString& BaseUrl, FGameGateError& Error)
{
    const UGameGateSettings* Settings = GetDefault<UGameGateSettings>();
    const bool bWorker = Settings->Dispatch == EGameGateDispatch::Worker;
    gamegate::Options Options;
    // Each setting in turn; the first refusal is the one reported.
    for (gamegate::Error Refused : {
             BaseUrl.IsEmpty() ? gamegate::Error{} : Options.set_base_url(GameGateUtf8(BaseUrl)),
             Options.set_trust(static_cast<uint32_t>(Trust)),
             Options.set_timeout_ms(static_cast<uint32_t>(Settings->TimeoutMs)),
             Options.set_max_idle_ms(static_cast<uint32_t>(Settings->MaxIdleMs)),
             Options.set_proxy(GameGateUtf8(Settings->Proxy)),
             Options.set_allow_plain_http(Settings->bAllowPlainHttp),
             Options.set_dispatch(bWorker ? GG_DISPATCH_WORKER : GG_DISPATCH_TICK),
         })
    {
        if (Refused.failed() && Error.Code == GG_OK) Error = FGameGateError::From(Refused);
    }
    TWeakObjectPtr<UGameGateSubsystem> WeakThis(this);
    gamegate::Error Measured = Options.set_metrics_callback([WeakThis](const gamegate::RequestMetrics& Metrics) {
        OnGameThread([WeakThis, Value = FGameGateRequestMetrics::From(Metrics)]() {
            if (UGameGateSubsystem* Self = WeakThis.Get()) Self->OnRequestMetrics.Broadcast(Value);
        });
    });
    if (Measured.failed() && Error.Code == GG_OK) Error = FGameGateError::From(Measured);
    return Options;
}

bool UGameGateSubsystem::ConfigureElixir(const FString& ApiKey, const FString& BaseUrl, bool bKeepSession, FGameGateError& Error)
{
    Error = FGameGateError();
    gamegate::Options Options = MakeOptions(BaseUrl, Error);
    if (Error.Code != GG_OK) return false;
    // The old client's pending nodes fire OnFailure with GG_SHUTDOWN here.
    ElixirClient.Reset();
    ClientGeneration++;
    bRestored = false;
    auto Created = gamegate::ElixirClient::create(GameGateUtf8(ApiKey), &Options);
    if (!Created.ok())
    {
        Error = FGameGateError::From(Created.error);
        return false;
    }
    ElixirClient.Emplace(MoveTemp(*Created.value));
    TWeakObjectPtr<UGameGateSubsystem> WeakThis(this);
    gamegate::Error Listening = ElixirClient->set_session_events([WeakThis](uint32_t Event, const gamegate::ElixirSession* Session) {
        const FGameGateElixirSession Value = Session ? FGameGateElixirSession::From(*Session) : FGameGateElixirSession();
        const bool bSignedIn = Session != nullptr;
        OnGameThread([WeakThis, Event, Value, bSignedIn]() {
            UGameGateSubsystem* Self = WeakThis.Get();
            if (!Self) return;
            Self->OnElixirSessionChanged.Broadcast(bSignedIn, Value);
            Self->OnElixirSessionEvent.Broadcast(static_cast<EGameGateSessionEvent>(Event), Value);
        });
    });
    if (Listening.failed())
    {
        Error = FGameGateError::From(Listening);
        return false;
    }
    if (bKeepSession) KeepSession();
    return true;
}

std::string UGameGateSubsystem::SessionSlot() const
{
    const UGameInstance* Instance = GetGameInstance();
    const FWorldContext* Context = Instance ? Instance->GetWorldContext() : nullptr;
    // Multi-client PIE runs several game instances in one process: each keeps its own player.
    if (Context && Context->PIEInstance != INDEX_NONE) return "pie-" + std::to_string(Context->PIEInstance);
    return "default";
}

void UGameGateSubsystem::KeepSession()
{
    // An upgrade from the SaveGame slot earlier versions wrote: its token is restored now, so
    // the store's attach writes it there; the slot goes once the store has it.
    const bool bOldSlot = UGameplayStatics::DoesSaveGameExist(UGameGateSaveGame::SlotName, 0);
    if (bOldSlot)
    {
        auto* Saved = Cast<UGameGateSaveGame>(UGameplayStatics::LoadGameFromSlot(UGameGateSaveGame::SlotName, 0));
        if (Saved && !Saved->ElixirRefreshToken.IsEmpty())
        {
            gamegate::Error Restored = ElixirClient->restore_session(GameGateUtf8(Saved->ElixirRefreshToken));
            if (Restored.failed()) UE_LOG(LogGameGate, Warning, TEXT("the token of the old SaveGame slot is not usable: %s"), UTF8_TO_TCHAR(Restored.message.c_str()));
        }
    }
    TWeakObjectPtr<UGameGateSubsystem> WeakThis(this);
    gamegate::Error Refused = ElixirClient->use_os_store(SessionSlot(), [WeakThis, bOldSlot](gamegate::Result<std::optional<gamegate::ElixirSession>> Kept) {
      OnGameThread([WeakThis, bOldSlot, Kept]() {
        UGameGateSubsystem* Self = WeakThis.Get();
        if (!Self) return;
        if (Kept.ok() && bOldSlot) UGameplayStatics::DeleteGameInSlot(UGameGateSaveGame::SlotName, 0);
        const bool bSignedIn = Kept.ok() && Kept.value->has_value();
        Self->bRestored = bSignedIn;
        if (!Kept.ok())
        {
            UE_LOG(LogGameGate, Warning, TEXT("the Elixir session is not kept: %s"), UTF8_TO_TCHAR(Kept.error.message.c_str()));
        }
        Self->OnElixirSessionRestored.Broadcast(bSignedIn, bSignedIn ? FGameGateElixirSession::From(**Kept.value) : FGameGateElixirSession(),
                                                FGameGateError::From(Kept.error));
      });
    });
    if (!Refused.ok()) OnElixirSessionRestored.Broadcast(false, FGameGateElixirSession(), FGameGateError::From(Refused));
}

void UGameGateSubsystem::PrepareElixir()
{
    if (!ElixirClient.IsSet()) return;
    gamegate::Error Refused = ElixirClient->prepare();
    if (Refused.failed()) UE_LOG(LogGameGate, Verbose, TEXT("prepare: %s"), UTF8_TO_TCHAR(Refused.message.c_str()));
}

void UGameGateSubsystem::SetNetworkOnline(bool bOnline)
{
    gamegate::Error Refused = gamegate::set_network_status(bOnline ? GG_NET_ONLINE : GG_NET_OFFLINE);
    if (Refused.failed()) UE_LOG(LogGameGate, Warning, TEXT("network status: %s"), UTF8_TO_TCHAR(Refused.message.c_str()));
}

bool UGameGateSubsystem::ConfigureKgen(const FString& ClientId, const FString& ClientSecret, const FString& BaseUrl, FGameGateError& Error)
{
    Error = FGameGateError();
    gamegate::Options Options = MakeOptions(BaseUrl, Error);
    if (Error.Code != GG_OK) return false;
    KgenClient.Reset();
    ClientGeneration++;
    auto Created = gamegate::KgenClient::create(GameGateUtf8(ClientId), GameGateUtf8(ClientSecret), &Options);
    if (!Created.ok())
    {
        Error = FGameGateError::From(Created.error);
        return false;
    }
    KgenClient.Emplace(MoveTemp(*Created.value));
    return true;
}

bool UGameGateSubsystem::ConfigureElixirServer(const FString& ApiKey, const FString& PrivateKeyPem, const FString& BaseUrl, FGameGateError& Error)
{
    Error = FGameGateError();
#if WITH_SERVER_CODE
    gamegate::Options Options = MakeOptions(BaseUrl, Error);
    if (Error.Code != GG_OK) return false;
    ElixirServerClient.Reset();
    ClientGeneration++;
    auto Created = gamegate::ElixirServer::create(GameGateUtf8(ApiKey), GameGateUtf8(PrivateKeyPem), &Options);
    if (!Created.ok())
    {
        Error = FGameGateError::From(Created.error);
        return false;
    }
    ElixirServerClient.Emplace(MoveTemp(*Created.value));
    return true;
#else
    (void)ApiKey;
    (void)PrivateKeyPem;
    (void)BaseUrl;
    Error.Code = GG_UNSUPPORTED;
    Error.Message = TEXT("Elixir's server calls are only in builds with server code (a dedicated or listen server)");
    return false;
#endif
}

bool UGameGateSubsystem::RestoreElixirSession()
{
    return bRestored;
}

bool UGameGateSubsystem::IsElixirSignedIn() const
{
    return ElixirClient.IsSet() && ElixirClient->is_signed_in(); // copies no token
}

void UGameGateSubsystem::Deinitialize()
{
    // Pending requests complete with GG_SHUTDOWN here, on the game thread; nothing after.
    ElixirClient.Reset();
    KgenClient.Reset();
    ElixirServerClient.Reset();
    ClientGeneration++;
    Super::Deinitialize();
}

void UGameGateSubsystem::Tick(float)
{
    if (ElixirClient.IsSet()) ElixirClient->tick();
    if (KgenClient.IsSet()) KgenClient->tick();
    if (ElixirServerClient.IsSet()) ElixirServerClient->tick();
}

TStatId UGameGateSubsystem::GetStatId() const
{
    RETURN_QUICK_DECLARE_CYCLE_STAT(UGameGateSubsystem, STATGROUP_Tickables);
}
