#include "GameGateSubsystem.h"
#include "GameGateSaveGame.h"
#include "Kismet/GameplayStatics.h"

gamegate::Options UGameGateSubsystem::MakeOptions(const FString& BaseUrl, FGameGateError& Error)
{
    gamegate::Options Options; // tick dispatch: callbacks run inside Tick, on the game thread
    if (!BaseUrl.IsEmpty())
    {
        gamegate::Error Refused = Options.set_base_url(GameGateUtf8(BaseUrl));
        if (Refused) Error = FGameGateError::From(Refused);
    }
    return Options;
}

bool UGameGateSubsystem::ConfigureElixir(const FString& ApiKey, const FString& BaseUrl, bool bPersist, FGameGateError& Error)
{
    Error = FGameGateError();
    gamegate::Options Options = MakeOptions(BaseUrl, Error);
    if (Error.Code != GG_OK) return false;
    ElixirClient.Reset();
    auto Created = gamegate::ElixirClient::create(GameGateUtf8(ApiKey), &Options);
    if (!Created.ok())
    {
        Error = FGameGateError::From(Created.error);
        return false;
    }
    ElixirClient.Emplace(MoveTemp(*Created.value));
    bPersistRefreshToken = bPersist;
    TWeakObjectPtr<UGameGateSubsystem> WeakThis(this);
    ElixirClient->set_session_listener([WeakThis](const gamegate::ElixirSession* Session) {
        UGameGateSubsystem* Self = WeakThis.Get();
        if (!Self) return;
        if (Self->bPersistRefreshToken) Self->SaveRefreshToken(Session ? FString(UTF8_TO_TCHAR(Session->refresh_token.c_str())) : FString());
        Self->OnElixirSessionChanged.Broadcast(Session != nullptr, Session ? FGameGateElixirSession::From(*Session) : FGameGateElixirSession());
    });
    return true;
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
    if (!ElixirClient.IsSet()) return false;
    auto* Saved = Cast<UGameGateSaveGame>(UGameplayStatics::LoadGameFromSlot(UGameGateSaveGame::SlotName, 0));
    if (!Saved || Saved->ElixirRefreshToken.IsEmpty()) return false;
    return ElixirClient->restore_session(GameGateUtf8(Saved->ElixirRefreshToken)).ok();
}

bool UGameGateSubsystem::IsElixirSignedIn() const
{
    return ElixirClient.IsSet() && ElixirClient->is_signed_in(); // copies no token
}

void UGameGateSubsystem::SaveRefreshToken(const FString& Token)
{
    // One save at a time, newest last: two saves in flight may land out of order and leave a
    // rotated-out (dead) refresh token on disk. A token that arrives meanwhile waits its turn,
    // replacing any older one still waiting.
    if (bSaveInFlight)
    {
        PendingToken.Emplace(Token);
        return;
    }
    auto* Save = Cast<UGameGateSaveGame>(UGameplayStatics::CreateSaveGameObject(UGameGateSaveGame::StaticClass()));
    Save->ElixirRefreshToken = Token; // empty after sign-out: nothing left to restore
    bSaveInFlight = true;
    TWeakObjectPtr<UGameGateSubsystem> WeakThis(this);
    UGameplayStatics::AsyncSaveGameToSlot(Save, UGameGateSaveGame::SlotName, 0,
        FAsyncSaveGameToSlotDelegate::CreateLambda([WeakThis](const FString&, const int32, bool) {
            UGameGateSubsystem* Self = WeakThis.Get();
            if (!Self) return;
            Self->bSaveInFlight = false;
            if (Self->PendingToken.IsSet())
            {
                FString Next = Self->PendingToken.GetValue();
                Self->PendingToken.Reset();
                Self->SaveRefreshToken(Next);
            }
        }));
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
