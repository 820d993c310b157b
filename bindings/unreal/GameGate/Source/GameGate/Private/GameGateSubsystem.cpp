#include "GameGateSubsystem.h"
#include "GameGateSaveGame.h"
#include "Kismet/GameplayStatics.h"
#include "Engine/Engine.h"
#include "Engine/GameInstance.h"

#include <string>

gamegate::Options UGameGateSubsystem::MakeOptions(const FString& BaseUrl, FGameGateError& Error)
{
    gamegate::Options Options; // tick dispatch: callbacks run inside Tick, on the game thread
    if (!BaseUrl.IsEmpty())
    {
        gamegate::Error Refused = Options.set_base_url(GameGateUtf8(BaseUrl));
        if (Refused) Error = FGameGateError::From(Refused);
    }
    if (Error.Code == GG_OK)
    {
        gamegate::Error Refused = Options.set_trust(static_cast<uint32_t>(Trust));
        if (Refused) Error = FGameGateError::From(Refused);
    }
    TWeakObjectPtr<UGameGateSubsystem> WeakThis(this);
    Options.set_metrics_callback([WeakThis](const gamegate::RequestMetrics& Metrics) {
        if (UGameGateSubsystem* Self = WeakThis.Get()) Self->OnRequestMetrics.Broadcast(FGameGateRequestMetrics::From(Metrics));
    });
    return Options;
}

bool UGameGateSubsystem::ConfigureElixir(const FString& ApiKey, const FString& BaseUrl, bool bKeepSession, FGameGateError& Error)
{
    Error = FGameGateError();
    gamegate::Options Options = MakeOptions(BaseUrl, Error);
    if (Error.Code != GG_OK) return false;
    ElixirClient.Reset();
    bRestored = false;
    auto Created = gamegate::ElixirClient::create(GameGateUtf8(ApiKey), &Options);
    if (!Created.ok())
    {
        Error = FGameGateError::From(Created.error);
        return false;
    }
    ElixirClient.Emplace(MoveTemp(*Created.value));
    TWeakObjectPtr<UGameGateSubsystem> WeakThis(this);
    ElixirClient->set_session_events([WeakThis](uint32_t Event, const gamegate::ElixirSession* Session) {
        UGameGateSubsystem* Self = WeakThis.Get();
        if (!Self) return;
        const FGameGateElixirSession Value = Session ? FGameGateElixirSession::From(*Session) : FGameGateElixirSession();
        Self->OnElixirSessionChanged.Broadcast(Session != nullptr, Value);
        Self->OnElixirSessionEvent.Broadcast(static_cast<EGameGateSessionEvent>(Event), Value);
    });
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
        if (Saved && !Saved->ElixirRefreshToken.IsEmpty()) ElixirClient->restore_session(GameGateUtf8(Saved->ElixirRefreshToken));
    }
    TWeakObjectPtr<UGameGateSubsystem> WeakThis(this);
    gamegate::Error Refused = ElixirClient->use_os_store(SessionSlot(), [WeakThis, bOldSlot](gamegate::Result<std::optional<gamegate::ElixirSession>> Kept) {
        UGameGateSubsystem* Self = WeakThis.Get();
        if (!Self) return;
        if (Kept.ok() && bOldSlot) UGameplayStatics::DeleteGameInSlot(UGameGateSaveGame::SlotName, 0);
        const bool bSignedIn = Kept.ok() && Kept.value->has_value();
        Self->bRestored = bSignedIn;
        if (!Kept.ok())
        {
            UE_LOG(LogTemp, Warning, TEXT("GameGate: the Elixir session is not kept: %s"), UTF8_TO_TCHAR(Kept.error.message.c_str()));
        }
        Self->OnElixirSessionRestored.Broadcast(bSignedIn, bSignedIn ? FGameGateElixirSession::From(**Kept.value) : FGameGateElixirSession(),
                                                FGameGateError::From(Kept.error));
    });
    if (!Refused.ok()) OnElixirSessionRestored.Broadcast(false, FGameGateElixirSession(), FGameGateError::From(Refused));
}

void UGameGateSubsystem::PrepareElixir()
{
    if (ElixirClient.IsSet()) ElixirClient->prepare();
}

void UGameGateSubsystem::SetNetworkOnline(bool bOnline)
{
    gamegate::set_network_status(bOnline ? GG_NET_ONLINE : GG_NET_OFFLINE);
}

bool UGameGateSubsystem::ConfigureKgen(const FString& ClientId, const FString& ClientSecret, const FString& BaseUrl, FGameGateError& Error)
{
    Error = FGameGateError();
    gamegate::Options Options = MakeOptions(BaseUrl, Error);
    if (Error.Code != GG_OK) return false;
    KgenClient.Reset();
    auto Created = gamegate::KgenClient::create(GameGateUtf8(ClientId), GameGateUtf8(ClientSecret), &Options);
    if (!Created.ok())
    {
        Error = FGameGateError::From(Created.error);
        return false;
    }
    KgenClient.Emplace(MoveTemp(*Created.value));
    return true;
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
    Super::Deinitialize();
}

void UGameGateSubsystem::Tick(float)
{
    if (ElixirClient.IsSet()) ElixirClient->tick();
    if (KgenClient.IsSet()) KgenClient->tick();
}

TStatId UGameGateSubsystem::GetStatId() const
{
    RETURN_QUICK_DECLARE_CYCLE_STAT(UGameGateSubsystem, STATGROUP_Tickables);
}
