// Blueprint async nodes for every flow. Each node starts one request through the game
// instance's UGameGateSubsystem and fires OnSuccess or OnFailure exactly once, on the game
// thread (the subsystem ticks the clients). Refusals (bad arguments, not signed in, client
// not configured) arrive as OnFailure on the next frame, like any other failure; so does
// GG_SHUTDOWN when the client is reconfigured or the game instance ends. Cancel (the node's
// Async Task pin) cancels the request, and the node fires nothing after it.
#pragma once

#include "CoreMinimal.h"
#include "Engine/CancellableAsyncAction.h"
#include "GameGateTypes.h"

THIRD_PARTY_INCLUDES_START
#include "gamegate.hpp"
THIRD_PARTY_INCLUDES_END

#include "GameGateAsyncActions.generated.h"

class UGameGateSubsystem;

DECLARE_DYNAMIC_MULTICAST_DELEGATE_OneParam(FGameGateKgenSessionPin, const FGameGateKgenSession&, Session);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_OneParam(FGameGateElixirSessionPin, const FGameGateElixirSession&, Session);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_OneParam(FGameGateTextPin, const FString&, Text);
DECLARE_DYNAMIC_MULTICAST_DELEGATE(FGameGateDonePin);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_OneParam(FGameGateErrorPin, const FGameGateError&, Error);

/** Shared plumbing: find the subsystem, keep the node alive until it has fired. */
UCLASS(Abstract)
class GAMEGATE_API UGameGateAsyncAction : public UCancellableAsyncAction
{
    GENERATED_BODY()

public:
    UPROPERTY(BlueprintAssignable) FGameGateErrorPin OnFailure;

    virtual void Activate() override;
    /** Cancels the request (its client answers GG_CANCELLED, which this node does not broadcast). */
    virtual void Cancel() override;
    virtual bool IsActive() const override { return !bDone; }

    /** Which of the subsystem's clients a request went to, for Cancel. */
    enum class EClient : uint8 { Elixir, Kgen, ElixirServer };

    /** Records where the request goes; returns where its id is written. */
    uint64_t* Track(UGameGateSubsystem& Subsystem, EClient Client);

    /** The node has fired (or was cancelled): nothing more is broadcast. */
    void Finish();

protected:
    /** Starts the request; returns the refusal, if any. */
    TFunction<gamegate::Error(UGameGateSubsystem&)> Start;

    /** A node of type ActionT whose Activate runs `Starter` with the subsystem and the node. */
    template <class ActionT>
    static ActionT* Make(UObject* WorldContextObject, TFunction<gamegate::Error(UGameGateSubsystem&, ActionT&)> Starter)
    {
        ActionT* Action = NewObject<ActionT>();
        Action->Start = [Action, Starter](UGameGateSubsystem& Subsystem) { return Starter(Subsystem, *Action); };
        Action->RegisterWithGameInstance(WorldContextObject);
        return Action;
    }

    void Fail(const FGameGateError& Error);

private:
    TWeakObjectPtr<UGameGateSubsystem> Subsystem;
    uint32 Generation = 0;
    EClient Client = EClient::Elixir;
    uint64_t RequestId = 0;
    bool bDone = false;
};

UCLASS()
class GAMEGATE_API UGameGateKgenSessionAction : public UGameGateAsyncAction
{
    GENERATED_BODY()

public:
    UPROPERTY(BlueprintAssignable) FGameGateKgenSessionPin OnSuccess;

    /** KGeN: create or retrieve the player's session (dedicated server). */
    UFUNCTION(BlueprintCallable, Category = "GameGate|KGeN", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
    static UGameGateKgenSessionAction* CreateKgenSession(UObject* WorldContextObject, const FString& UserId);
};

UCLASS()
class GAMEGATE_API UGameGateElixirSessionAction : public UGameGateAsyncAction
{
    GENERATED_BODY()

public:
    UPROPERTY(BlueprintAssignable) FGameGateElixirSessionPin OnSuccess;

    /** Elixir: sign in with the code from the e-mail. */
    UFUNCTION(BlueprintCallable, Category = "GameGate|Elixir", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
    static UGameGateElixirSessionAction* VerifyOtp(UObject* WorldContextObject, const FString& TransactionId, const FString& Code);

    /** Elixir: sign in with a scanned QR value. */
    UFUNCTION(BlueprintCallable, Category = "GameGate|Elixir", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
    static UGameGateElixirSessionAction* VerifyQr(UObject* WorldContextObject, const FString& QrValue);

    /** Elixir: sign in with the launcher's rei-key (-rei <key>). */
    UFUNCTION(BlueprintCallable, Category = "GameGate|Elixir", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
    static UGameGateElixirSessionAction* SignInWithReiKey(UObject* WorldContextObject, const FString& ReiKey);

    /** Elixir: refresh the session now. */
    UFUNCTION(BlueprintCallable, Category = "GameGate|Elixir", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
    static UGameGateElixirSessionAction* RefreshSession(UObject* WorldContextObject);
};

UCLASS()
class GAMEGATE_API UGameGateTextAction : public UGameGateAsyncAction
{
    GENERATED_BODY()

public:
    UPROPERTY(BlueprintAssignable) FGameGateTextPin OnSuccess;

    /** Elixir: e-mail the player a code; the result is the transaction id for Verify OTP. */
    UFUNCTION(BlueprintCallable, Category = "GameGate|Elixir", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
    static UGameGateTextAction* RequestOtp(UObject* WorldContextObject, const FString& Email);

    /** Elixir: an authorized call (e.g. GET /sdk/v2/userinfo); the result is the data as JSON. */
    UFUNCTION(BlueprintCallable, Category = "GameGate|Elixir", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
    static UGameGateTextAction* ElixirRequest(UObject* WorldContextObject, const FString& Method, const FString& Path, const FString& BodyJson);

    /** Elixir, dedicated servers: a signed server call (e.g. POST /sdk/v2/game-stats) through
     *  ConfigureElixirServer's client; the result is the envelope's data as JSON. */
    UFUNCTION(BlueprintCallable, Category = "GameGate|Elixir", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
    static UGameGateTextAction* ElixirServerRequest(UObject* WorldContextObject, const FString& Method, const FString& Path, const FString& BodyJson);

    /** KGeN: any S2S call; the result is the response body. */
    UFUNCTION(BlueprintCallable, Category = "GameGate|KGeN", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
    static UGameGateTextAction* KgenRequest(UObject* WorldContextObject, const FString& Method, const FString& Path, const FString& BodyJson);
};

UCLASS()
class GAMEGATE_API UGameGateDoneAction : public UGameGateAsyncAction
{
    GENERATED_BODY()

public:
    UPROPERTY(BlueprintAssignable) FGameGateDonePin OnSuccess;

    /** Elixir: sign out (always locally; OnFailure reports what the server said). */
    UFUNCTION(BlueprintCallable, Category = "GameGate|Elixir", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
    static UGameGateDoneAction* SignOut(UObject* WorldContextObject);

    /** Elixir: end a launcher session. */
    UFUNCTION(BlueprintCallable, Category = "GameGate|Elixir", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
    static UGameGateDoneAction* CloseReiKey(UObject* WorldContextObject, const FString& ReiKey);
};
