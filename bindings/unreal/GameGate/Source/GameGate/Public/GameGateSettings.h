// Project Settings > Plugins > GameGate: what the subsystem configures itself with when the
// game instance starts. Stored in Config/DefaultGame.ini ([/Script/GameGate.GameGateSettings]).
// KGeN's client secret and Elixir's server key are not settings: a config file ships with the
// game, so a dedicated server passes them to ConfigureKgen / ConfigureElixirServer from its own
// secret store.
#pragma once

#include "CoreMinimal.h"
#include "Engine/DeveloperSettings.h"
#include "GameGateTypes.h"
#include "GameGateSettings.generated.h"

UCLASS(config = Game, defaultconfig, meta = (DisplayName = "GameGate"))
class GAMEGATE_API UGameGateSettings : public UDeveloperSettings
{
    GENERATED_BODY()

public:
    /** Elixir's public API key for this game. Set: the player's client is configured when the
     *  game instance starts. Empty: call ConfigureElixir yourself. */
    UPROPERTY(config, EditAnywhere, Category = "Elixir")
    FString ElixirApiKey;

    /** Empty = production. The bundled emulator: http://127.0.0.1:8910. */
    UPROPERTY(config, EditAnywhere, Category = "Elixir")
    FString ElixirBaseUrl;

    /** Keep the player's session in the OS credential store and restore it at start. */
    UPROPERTY(config, EditAnywhere, Category = "Elixir")
    bool bKeepElixirSession = true;

    /** Empty = production (KGeN is configured by ConfigureKgen on a dedicated server). */
    UPROPERTY(config, EditAnywhere, Category = "KGeN")
    FString KgenBaseUrl;

    /** One deadline per request, retries included. */
    UPROPERTY(config, EditAnywhere, Category = "Network", meta = (ClampMin = "100", ClampMax = "600000"))
    int32 TimeoutMs = 10000;

    /** A pooled connection idle longer than this is closed, never reused. */
    UPROPERTY(config, EditAnywhere, Category = "Network", meta = (ClampMin = "0"))
    int32 MaxIdleMs = 60000;

    /** Every request through this HTTP proxy: http://[user:password@]host:port. Empty = none. */
    UPROPERTY(config, EditAnywhere, Category = "Network")
    FString Proxy;

    /** Development only: http:// to a host on the LAN (an emulator on a devkit or at 10.0.2.2
     *  from an Android emulator); logged as a warning. */
    UPROPERTY(config, EditAnywhere, Category = "Network")
    bool bAllowPlainHttp = false;

    /** Whom TLS trusts. */
    UPROPERTY(config, EditAnywhere, Category = "Network")
    EGameGateTrust Trust = EGameGateTrust::Default;

    /** Where results are prepared: GameThread (the subsystem's tick) or Worker (the library's
     *  callback thread converts them, then hands them to the game thread): Blueprint events
     *  always fire on the game thread. */
    UPROPERTY(config, EditAnywhere, Category = "Network")
    EGameGateDispatch Dispatch = EGameGateDispatch::GameThread;

    /** Library log lines at or above this reach the LogGameGate category. */
    UPROPERTY(config, EditAnywhere, Category = "Logging")
    EGameGateLogLevel LogLevel = EGameGateLogLevel::Warning;
};
