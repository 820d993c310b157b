// Owns the GameGate clients of a game instance and ticks them on the game thread every frame,
// so every callback and Blueprint event runs there.
#pragma once

#include "CoreMinimal.h"
#include "Subsystems/GameInstanceSubsystem.h"
#include "Tickable.h"
#include "GameGateTypes.h"

THIRD_PARTY_INCLUDES_START
#include "gamegate.hpp"
THIRD_PARTY_INCLUDES_END

#include "GameGateSubsystem.generated.h"

DECLARE_DYNAMIC_MULTICAST_DELEGATE_TwoParams(FGameGateElixirSessionChanged, bool, bSignedIn, const FGameGateElixirSession&, Session);

UCLASS()
class GAMEGATE_API UGameGateSubsystem : public UGameInstanceSubsystem, public FTickableGameObject
{
    GENERATED_BODY()

public:
    /** Elixir: the player's client. Empty BaseUrl = production. */
    UFUNCTION(BlueprintCallable, Category = "GameGate")
    bool ConfigureElixir(const FString& ApiKey, const FString& BaseUrl, bool bPersistRefreshToken, FGameGateError& Error);

    /** KGeN: dedicated servers only; the client secret must never ship in a game build. */
    UFUNCTION(BlueprintCallable, Category = "GameGate")
    bool ConfigureKgen(const FString& ClientId, const FString& ClientSecret, const FString& BaseUrl, FGameGateError& Error);

    /** Signs back in from the saved refresh token, if there is one. */
    UFUNCTION(BlueprintCallable, Category = "GameGate")
    bool RestoreElixirSession();

    UFUNCTION(BlueprintPure, Category = "GameGate")
    bool IsElixirSignedIn() const;

    /** Fires on every sign-in, refresh and sign-out, on the game thread. */
    UPROPERTY(BlueprintAssignable, Category = "GameGate")
    FGameGateElixirSessionChanged OnElixirSessionChanged;

    gamegate::ElixirClient* Elixir() { return ElixirClient.IsSet() ? &ElixirClient.GetValue() : nullptr; }
    gamegate::KgenClient* Kgen() { return KgenClient.IsSet() ? &KgenClient.GetValue() : nullptr; }

    // UGameInstanceSubsystem
    virtual void Deinitialize() override;

    // FTickableGameObject
    virtual void Tick(float DeltaTime) override;
    virtual TStatId GetStatId() const override;
    virtual bool IsTickable() const override { return ElixirClient.IsSet() || KgenClient.IsSet(); }
    virtual bool IsTickableInEditor() const override { return false; }
    virtual ETickableTickType GetTickableTickType() const override { return ETickableTickType::Conditional; }

private:
    static gamegate::Options MakeOptions(const FString& BaseUrl, FGameGateError& Error);
    void SaveRefreshToken(const FString& Token);

    TOptional<gamegate::ElixirClient> ElixirClient;
    TOptional<gamegate::KgenClient> KgenClient;
    bool bPersistRefreshToken = false;
    bool bSaveInFlight = false;
    TOptional<FString> PendingToken;
};
