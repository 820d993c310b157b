// Owns the GameGate clients of a game instance and ticks them on the game thread every frame,
// so every callback and Blueprint event runs there. The player's Elixir session is kept in the
// OS credential store (Keychain, Credential Manager, Secret Service): never in a SaveGame.
// It configures itself from Project Settings > Plugins > GameGate (UGameGateSettings) when the
// game instance starts; the Configure* functions configure (or reconfigure) it by hand.
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
DECLARE_DYNAMIC_MULTICAST_DELEGATE_TwoParams(FGameGateElixirSessionEvent, EGameGateSessionEvent, Reason, const FGameGateElixirSession&, Session);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_OneParam(FGameGateRequestMetricsEvent, const FGameGateRequestMetrics&, Metrics);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_ThreeParams(FGameGateElixirSessionRestored, bool, bSignedIn, const FGameGateElixirSession&, Session, const FGameGateError&, Error);

UCLASS()
class GAMEGATE_API UGameGateSubsystem : public UGameInstanceSubsystem, public FTickableGameObject
{
    GENERATED_BODY()

public:
    /** Elixir: the player's client. Empty BaseUrl = production. With bKeepSession the session is
     *  kept in the OS credential store (slot "default", or "pie-N" under Play In Editor) and
     *  restored at once: OnElixirSessionRestored answers "is the player still signed in?". */
    UFUNCTION(BlueprintCallable, Category = "GameGate")
    bool ConfigureElixir(const FString& ApiKey, const FString& BaseUrl, bool bKeepSession, FGameGateError& Error);

    /** KGeN: dedicated servers only; the client secret must never ship in a game build. */
    UFUNCTION(BlueprintCallable, Category = "GameGate")
    bool ConfigureKgen(const FString& ClientId, const FString& ClientSecret, const FString& BaseUrl, FGameGateError& Error);

    /** Elixir's signed server calls (e.g. POST /sdk/v2/game-stats) with the game's RSA key,
     *  unencrypted PKCS#8 PEM: dedicated servers only. In a build without server code
     *  (WITH_SERVER_CODE 0: a client-only game) it refuses, and no key is ever asked for. */
    UFUNCTION(BlueprintCallable, Category = "GameGate")
    bool ConfigureElixirServer(const FString& ApiKey, const FString& PrivateKeyPem, const FString& BaseUrl, FGameGateError& Error);

    /** Whether the kept session was restored (true once OnElixirSessionRestored said so). */
    UFUNCTION(BlueprintCallable, Category = "GameGate")
    bool RestoreElixirSession();

    UFUNCTION(BlueprintPure, Category = "GameGate")
    bool IsElixirSignedIn() const;

    /** Opens the Elixir connection now (a sign-in screen opening, a code about to be verified):
     *  the next call skips the connect and TLS round trips. */
    UFUNCTION(BlueprintCallable, Category = "GameGate")
    void PrepareElixir();

    /** The device's network as the game knows it (process-wide): offline, requests fail at once
     *  and nothing is sent; any report closes pooled connections. */
    UFUNCTION(BlueprintCallable, Category = "GameGate")
    static void SetNetworkOnline(bool bOnline);

    /** Fires on every sign-in, refresh and sign-out, on the game thread. */
    UPROPERTY(BlueprintAssignable, Category = "GameGate")
    FGameGateElixirSessionChanged OnElixirSessionChanged;

    /** Every session change with why it changed (Revoked: sign the player in again). */
    UPROPERTY(BlueprintAssignable, Category = "GameGate")
    FGameGateElixirSessionEvent OnElixirSessionEvent;

    /** Whom TLS trusts, for the clients configured after it is set (starts as in Project Settings). */
    UPROPERTY(BlueprintReadWrite, Category = "GameGate")
    EGameGateTrust Trust = EGameGateTrust::Default;

    /** Every request's numbers (timings, attempts, bytes), on the game thread, right before the
     *  request's own result. */
    UPROPERTY(BlueprintAssignable, Category = "GameGate")
    FGameGateRequestMetricsEvent OnRequestMetrics;

    /** After ConfigureElixir with bKeepSession: the kept session restored, nobody, or the error. */
    UPROPERTY(BlueprintAssignable, Category = "GameGate")
    FGameGateElixirSessionRestored OnElixirSessionRestored;

    gamegate::ElixirClient* Elixir() { return ElixirClient.IsSet() ? &ElixirClient.GetValue() : nullptr; }
    gamegate::KgenClient* Kgen() { return KgenClient.IsSet() ? &KgenClient.GetValue() : nullptr; }
    gamegate::ElixirServer* ElixirServer() { return ElixirServerClient.IsSet() ? &ElixirServerClient.GetValue() : nullptr; }

    /** Bumped whenever a client is replaced or freed: a request id is only meaningful to the
     *  client of the generation that issued it. */
    uint32 Generation() const { return ClientGeneration; }

    /** Runs `Function` on the game thread: now when called there (tick dispatch), else at the
     *  game thread's next task pass (worker dispatch). */
    static void OnGameThread(TUniqueFunction<void()> Function);

    // UGameInstanceSubsystem
    virtual void Initialize(FSubsystemCollectionBase& Collection) override;
    virtual void Deinitialize() override;

    // FTickableGameObject
    virtual void Tick(float DeltaTime) override;
    virtual TStatId GetStatId() const override;
    virtual bool IsTickable() const override { return ElixirClient.IsSet() || KgenClient.IsSet() || ElixirServerClient.IsSet(); }
    virtual bool IsTickableInEditor() const override { return false; }
    virtual ETickableTickType GetTickableTickType() const override { return ETickableTickType::Conditional; }

private:
    gamegate::Options MakeOptions(const FString& BaseUrl, FGameGateError& Error);
    /** The credential store slot: one per local profile, and per PIE instance in the editor. */
    std::string SessionSlot() const;
    void KeepSession();

    TOptional<gamegate::ElixirClient> ElixirClient;
    TOptional<gamegate::KgenClient> KgenClient;
    TOptional<gamegate::ElixirServer> ElixirServerClient;
    uint32 ClientGeneration = 0;
    bool bRestored = false;
};
