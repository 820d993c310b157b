#include "GameGateAsyncActions.h"
#include "GameGateSubsystem.h"
#include "Engine/GameInstance.h"
#include "Engine/World.h"
#include "TimerManager.h"

namespace
{
std::string Utf8(const FString& Text)
{
    return GameGateUtf8(Text);
}

gamegate::Error NotConfigured(const char* Which)
{
    gamegate::Error Error;
    Error.code = GG_INVALID_ARGUMENT;
    Error.message = std::string("call UGameGateSubsystem::Configure") + Which + " first";
    return Error;
}

// The callback handed to gamegate.hpp: fires the node's pins on the game thread if it is
// still alive and not cancelled, then lets the node go. GG_SHUTDOWN fires OnFailure too: the
// client was reconfigured or the game instance is ending, and a graph waiting on the node
// must hear that it will not succeed.
template <class ActionT, class ValueT, class OnValueT>
gamegate::Callback<ValueT> Deliver(ActionT& Action, OnValueT OnValue)
{
    TWeakObjectPtr<ActionT> Weak(&Action);
    return [Weak, OnValue](gamegate::Result<ValueT> Result) {
        UGameGateSubsystem::OnGameThread([Weak, OnValue, Result]() {
            ActionT* Self = Weak.Get();
            if (!Self || !Self->ShouldBroadcastDelegates()) return;
            if (Result.ok()) OnValue(*Self, *Result.value);
            else Self->OnFailure.Broadcast(FGameGateError::From(Result.error));
            Self->Finish();
        });
    };
}

template <class ActionT>
auto SessionDelivery(ActionT& Action)
{
    return Deliver<ActionT, gamegate::ElixirSession>(Action, [](ActionT& Self, const gamegate::ElixirSession& Session) {
        Self.OnSuccess.Broadcast(FGameGateElixirSession::From(Session));
    });
}

template <class ActionT>
auto TextDelivery(ActionT& Action)
{
    return Deliver<ActionT, std::string>(Action, [](ActionT& Self, const std::string& Text) {
        Self.OnSuccess.Broadcast(FString(UTF8_TO_TCHAR(Text.c_str())));
    });
}

template <class ActionT>
auto DoneDelivery(ActionT& Action)
{
    return Deliver<ActionT, gamegate::Done>(Action, [](ActionT& Self, const gamegate::Done&) { Self.OnSuccess.Broadcast(); });
}
} // namespace

void UGameGateAsyncAction::Activate()
{
    UGameInstance* GameInstance = RegisteredWithGameInstance.Get();
    UGameGateSubsystem* Subsystem = GameInstance ? GameInstance->GetSubsystem<UGameGateSubsystem>() : nullptr;
    gamegate::Error Refused = Subsystem ? Start(*Subsystem) : NotConfigured("Elixir or ConfigureKgen");
    if (Refused.failed()) Fail(FGameGateError::From(Refused));
}

uint64_t* UGameGateAsyncAction::Track(UGameGateSubsystem& Owner, EClient Which)
{
    Subsystem = &Owner;
    Generation = Owner.Generation();
    Client = Which;
    return &RequestId;
}

void UGameGateAsyncAction::Cancel()
{
    UGameGateSubsystem* Owner = Subsystem.Get();
    const bool bLive = !bDone && RequestId != 0 && Owner && Owner->Generation() == Generation;
    bDone = true;
    if (bLive)
    {
        gamegate::Error Cancelled = Client == EClient::Elixir ? (Owner->Elixir() ? Owner->Elixir()->cancel(RequestId) : gamegate::Error{})
                                  : Client == EClient::Kgen   ? (Owner->Kgen() ? Owner->Kgen()->cancel(RequestId) : gamegate::Error{})
                                  : (Owner->ElixirServer() ? Owner->ElixirServer()->cancel(RequestId) : gamegate::Error{});
        // Already answered is fine: the answer is not broadcast now that the node is done.
        (void)Cancelled;
    }
    Super::Cancel();
}

void UGameGateAsyncAction::Finish()
{
    bDone = true;
    SetReadyToDestroy();
}

void UGameGateAsyncAction::Fail(const FGameGateError& Error)
{
    // Next frame, as for any other failure, so the node's pins are connected by then.
    TWeakObjectPtr<UGameGateAsyncAction> Weak(this);
    UGameInstance* GameInstance = RegisteredWithGameInstance.Get();
    UWorld* World = GameInstance ? GameInstance->GetWorld() : nullptr;
    if (!World)
    {
        OnFailure.Broadcast(Error);
        Finish();
        return;
    }
    World->GetTimerManager().SetTimerForNextTick([Weak, Error]() {
        UGameGateAsyncAction* Self = Weak.Get();
        if (Self && Self->ShouldBroadcastDelegates())
        {
            Self->OnFailure.Broadcast(Error);
            Self->Finish();
        }
    });
}

UGameGateKgenSessionAction* UGameGateKgenSessionAction::CreateKgenSession(UObject* WorldContextObject, const FString& UserId)
{
    return Make<UGameGateKgenSessionAction>(WorldContextObject, [UserId](UGameGateSubsystem& S, UGameGateKgenSessionAction& Self) {
        if (!S.Kgen()) return NotConfigured("Kgen");
        return S.Kgen()->create_session(Utf8(UserId), Deliver<UGameGateKgenSessionAction, gamegate::KgenSession>(Self,
            [](UGameGateKgenSessionAction& Node, const gamegate::KgenSession& Session) {
                Node.OnSuccess.Broadcast(FGameGateKgenSession::From(Session));
            }), Self.Track(S, EClient::Kgen));
    });
}

UGameGateElixirSessionAction* UGameGateElixirSessionAction::VerifyOtp(UObject* WorldContextObject, const FString& TransactionId, const FString& Code)
{
    return Make<UGameGateElixirSessionAction>(WorldContextObject, [TransactionId, Code](UGameGateSubsystem& S, UGameGateElixirSessionAction& Self) {
        if (!S.Elixir()) return NotConfigured("Elixir");
        return S.Elixir()->verify_otp(Utf8(TransactionId), Utf8(Code), SessionDelivery(Self), Self.Track(S, EClient::Elixir));
    });
}

UGameGateElixirSessionAction* UGameGateElixirSessionAction::VerifyQr(UObject* WorldContextObject, const FString& QrValue)
{
    return Make<UGameGateElixirSessionAction>(WorldContextObject, [QrValue](UGameGateSubsystem& S, UGameGateElixirSessionAction& Self) {
        if (!S.Elixir()) return NotConfigured("Elixir");
        return S.Elixir()->verify_qr(Utf8(QrValue), SessionDelivery(Self), Self.Track(S, EClient::Elixir));
    });
}

UGameGateElixirSessionAction* UGameGateElixirSessionAction::SignInWithReiKey(UObject* WorldContextObject, const FString& ReiKey)
{
    return Make<UGameGateElixirSessionAction>(WorldContextObject, [ReiKey](UGameGateSubsystem& S, UGameGateElixirSessionAction& Self) {
        if (!S.Elixir()) return NotConfigured("Elixir");
        return S.Elixir()->reikey_sign_in(Utf8(ReiKey), SessionDelivery(Self), Self.Track(S, EClient::Elixir));
    });
}

UGameGateElixirSessionAction* UGameGateElixirSessionAction::RefreshSession(UObject* WorldContextObject)
{
    return Make<UGameGateElixirSessionAction>(WorldContextObject, [](UGameGateSubsystem& S, UGameGateElixirSessionAction& Self) {
        if (!S.Elixir()) return NotConfigured("Elixir");
        return S.Elixir()->refresh(SessionDelivery(Self), Self.Track(S, EClient::Elixir));
    });
}

UGameGateTextAction* UGameGateTextAction::RequestOtp(UObject* WorldContextObject, const FString& Email)
{
    return Make<UGameGateTextAction>(WorldContextObject, [Email](UGameGateSubsystem& S, UGameGateTextAction& Self) {
        if (!S.Elixir()) return NotConfigured("Elixir");
        return S.Elixir()->request_otp(Utf8(Email), TextDelivery(Self), Self.Track(S, EClient::Elixir));
    });
}

UGameGateTextAction* UGameGateTextAction::ElixirRequest(UObject* WorldContextObject, const FString& Method, const FString& Path, const FString& BodyJson)
{
    return Make<UGameGateTextAction>(WorldContextObject, [Method, Path, BodyJson](UGameGateSubsystem& S, UGameGateTextAction& Self) {
        if (!S.Elixir()) return NotConfigured("Elixir");
        return S.Elixir()->request(Utf8(Method), Utf8(Path), Utf8(BodyJson), TextDelivery(Self), Self.Track(S, EClient::Elixir));
    });
}

UGameGateTextAction* UGameGateTextAction::ElixirServerRequest(UObject* WorldContextObject, const FString& Method, const FString& Path, const FString& BodyJson)
{
    return Make<UGameGateTextAction>(WorldContextObject, [Method, Path, BodyJson](UGameGateSubsystem& S, UGameGateTextAction& Self) {
        if (!S.ElixirServer()) return NotConfigured("ElixirServer");
        return S.ElixirServer()->request(Utf8(Method), Utf8(Path), Utf8(BodyJson), TextDelivery(Self), Self.Track(S, EClient::ElixirServer));
    });
}

UGameGateTextAction* UGameGateTextAction::KgenRequest(UObject* WorldContextObject, const FString& Method, const FString& Path, const FString& BodyJson)
{
    return Make<UGameGateTextAction>(WorldContextObject, [Method, Path, BodyJson](UGameGateSubsystem& S, UGameGateTextAction& Self) {
        if (!S.Kgen()) return NotConfigured("Kgen");
        return S.Kgen()->request(Utf8(Method), Utf8(Path), Utf8(BodyJson), TextDelivery(Self), Self.Track(S, EClient::Kgen));
    });
}

UGameGateDoneAction* UGameGateDoneAction::SignOut(UObject* WorldContextObject)
{
    return Make<UGameGateDoneAction>(WorldContextObject, [](UGameGateSubsystem& S, UGameGateDoneAction& Self) {
        if (!S.Elixir()) return NotConfigured("Elixir");
        return S.Elixir()->sign_out(DoneDelivery(Self), Self.Track(S, EClient::Elixir));
    });
}

UGameGateDoneAction* UGameGateDoneAction::CloseReiKey(UObject* WorldContextObject, const FString& ReiKey)
{
    return Make<UGameGateDoneAction>(WorldContextObject, [ReiKey](UGameGateSubsystem& S, UGameGateDoneAction& Self) {
        if (!S.Elixir()) return NotConfigured("Elixir");
        return S.Elixir()->reikey_close(Utf8(ReiKey), DoneDelivery(Self), Self.Track(S, EClient::Elixir));
    });
}
