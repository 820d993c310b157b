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

// The callback handed to gamegate.hpp: fires the node's pins if it is still alive, then lets
// the node go. Runs inside the subsystem's tick, on the game thread.
template <class ActionT, class ValueT, class OnValueT>
std::function<void(gamegate::Result<ValueT>)> Deliver(ActionT& Action, OnValueT OnValue)
{
    TWeakObjectPtr<ActionT> Weak(&Action);
    return [Weak, OnValue](gamegate::Result<ValueT> Result) {
        ActionT* Self = Weak.Get();
        if (!Self) return;
        if (Result.ok()) OnValue(*Self, *Result.value);
        // GG_SHUTDOWN: the subsystem is going away with the game instance; Blueprint graphs
        // are being torn down too, so no failure pin fires for it.
        else if (Result.error.code != GG_SHUTDOWN) Self->OnFailure.Broadcast(FGameGateError::From(Result.error));
        Self->SetReadyToDestroy();
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
    if (Refused) Fail(FGameGateError::From(Refused));
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
        SetReadyToDestroy();
        return;
    }
    World->GetTimerManager().SetTimerForNextTick([Weak, Error]() {
        if (UGameGateAsyncAction* Self = Weak.Get())
        {
            Self->OnFailure.Broadcast(Error);
            Self->SetReadyToDestroy();
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
            }));
    });
}

UGameGateElixirSessionAction* UGameGateElixirSessionAction::VerifyOtp(UObject* WorldContextObject, const FString& TransactionId, const FString& Code)
{
    return Make<UGameGateElixirSessionAction>(WorldContextObject, [TransactionId, Code](UGameGateSubsystem& S, UGameGateElixirSessionAction& Self) {
        if (!S.Elixir()) return NotConfigured("Elixir");
        return S.Elixir()->verify_otp(Utf8(TransactionId), Utf8(Code), SessionDelivery(Self));
    });
}

UGameGateElixirSessionAction* UGameGateElixirSessionAction::VerifyQr(UObject* WorldContextObject, const FString& QrValue)
{
    return Make<UGameGateElixirSessionAction>(WorldContextObject, [QrValue](UGameGateSubsystem& S, UGameGateElixirSessionAction& Self) {
        if (!S.Elixir()) return NotConfigured("Elixir");
        return S.Elixir()->verify_qr(Utf8(QrValue), SessionDelivery(Self));
    });
}

UGameGateElixirSessionAction* UGameGateElixirSessionAction::SignInWithReiKey(UObject* WorldContextObject, const FString& ReiKey)
{
    return Make<UGameGateElixirSessionAction>(WorldContextObject, [ReiKey](UGameGateSubsystem& S, UGameGateElixirSessionAction& Self) {
        if (!S.Elixir()) return NotConfigured("Elixir");
        return S.Elixir()->reikey_sign_in(Utf8(ReiKey), SessionDelivery(Self));
    });
}

UGameGateElixirSessionAction* UGameGateElixirSessionAction::RefreshSession(UObject* WorldContextObject)
{
    return Make<UGameGateElixirSessionAction>(WorldContextObject, [](UGameGateSubsystem& S, UGameGateElixirSessionAction& Self) {
        if (!S.Elixir()) return NotConfigured("Elixir");
        return S.Elixir()->refresh(SessionDelivery(Self));
    });
}

UGameGateTextAction* UGameGateTextAction::RequestOtp(UObject* WorldContextObject, const FString& Email)
{
    return Make<UGameGateTextAction>(WorldContextObject, [Email](UGameGateSubsystem& S, UGameGateTextAction& Self) {
        if (!S.Elixir()) return NotConfigured("Elixir");
        return S.Elixir()->request_otp(Utf8(Email), TextDelivery(Self));
    });
}

UGameGateTextAction* UGameGateTextAction::ElixirRequest(UObject* WorldContextObject, const FString& Method, const FString& Path, const FString& BodyJson)
{
    return Make<UGameGateTextAction>(WorldContextObject, [Method, Path, BodyJson](UGameGateSubsystem& S, UGameGateTextAction& Self) {
        if (!S.Elixir()) return NotConfigured("Elixir");
        return S.Elixir()->request(Utf8(Method), Utf8(Path), Utf8(BodyJson), TextDelivery(Self));
    });
}

UGameGateTextAction* UGameGateTextAction::KgenRequest(UObject* WorldContextObject, const FString& Method, const FString& Path, const FString& BodyJson)
{
    return Make<UGameGateTextAction>(WorldContextObject, [Method, Path, BodyJson](UGameGateSubsystem& S, UGameGateTextAction& Self) {
        if (!S.Kgen()) return NotConfigured("Kgen");
        return S.Kgen()->request(Utf8(Method), Utf8(Path), Utf8(BodyJson), TextDelivery(Self));
    });
}

UGameGateDoneAction* UGameGateDoneAction::SignOut(UObject* WorldContextObject)
{
    return Make<UGameGateDoneAction>(WorldContextObject, [](UGameGateSubsystem& S, UGameGateDoneAction& Self) {
        if (!S.Elixir()) return NotConfigured("Elixir");
        return S.Elixir()->sign_out(DoneDelivery(Self));
    });
}

UGameGateDoneAction* UGameGateDoneAction::CloseReiKey(UObject* WorldContextObject, const FString& ReiKey)
{
    return Make<UGameGateDoneAction>(WorldContextObject, [ReiKey](UGameGateSubsystem& S, UGameGateDoneAction& Self) {
        if (!S.Elixir()) return NotConfigured("Elixir");
        return S.Elixir()->reikey_close(Utf8(ReiKey), DoneDelivery(Self));
    });
}
