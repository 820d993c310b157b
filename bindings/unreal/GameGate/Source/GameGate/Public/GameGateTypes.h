// Blueprint-visible results: the error and the two sessions, converted from gamegate.hpp.
#pragma once

#include "CoreMinimal.h"
#include "GameGateTypes.generated.h"

#include <string>

namespace gamegate { struct Error; struct KgenSession; struct ElixirSession; struct RequestMetrics; }

/** An FString as UTF-8, every character of it: an embedded NUL stays in, so gamegate.hpp
 *  refuses the string (GG_INVALID_ARGUMENT) instead of C cutting it short at the NUL. */
inline std::string GameGateUtf8(const FString& Text)
{
    FTCHARToUTF8 Converted(*Text, Text.Len());
    return std::string(Converted.Get(), Converted.Length());
}

/** Where a client's results are prepared before Blueprint sees them (on the game thread either way). */
UENUM(BlueprintType)
enum class EGameGateDispatch : uint8
{
    /** In the subsystem's tick (GG_DISPATCH_TICK). */
    GameThread = 0,
    /** On the library's callback thread, then handed to the game thread (GG_DISPATCH_WORKER). */
    Worker = 1,
};

/** How much of the library's log reaches LogGameGate (GG_LOG_* in gamegate.h). */
UENUM(BlueprintType)
enum class EGameGateLogLevel : uint8
{
    Off = 0,
    Error = 1,
    Warning = 2,
    Info = 3,
    Verbose = 4,
};

/** Whom TLS trusts (GG_TRUST_* in gamegate.h). */
UENUM(BlueprintType)
enum class EGameGateTrust : uint8
{
    /** The OS's verifier and trust store; the bundled roots where the OS cannot be asked. */
    Default = 0,
    /** Only the bundled Mozilla roots. */
    Bundled = 1,
    /** Only the OS. */
    Os = 2,
};

/** Why the Elixir session changed (GG_SESSION_* in gamegate.h). */
UENUM(BlueprintType)
enum class EGameGateSessionEvent : uint8
{
    None = 0 UMETA(Hidden),
    SignedIn = 1,
    Refreshed = 2,
    /** No session any more. */
    SignedOut = 3,
    /** The service refused the refresh token: sign the player in again. */
    Revoked = 4,
};

USTRUCT(BlueprintType)
struct GAMEGATE_API FGameGateError
{
    GENERATED_BODY()

    /** 0 = success; otherwise a GG_* code (see gamegate.h). */
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") int32 Code = 0;
    /** "GG_TIMEOUT", ... */
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") FString CodeName;
    /** 0 when no HTTP response arrived. */
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") int32 HttpStatus = 0;
    /** The service's own code ("1001", "INVALID_REFRESH_TOKEN") or empty. */
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") FString ApiCode;
    /** Never contains a secret. */
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") FString Message;
    /** The server's Retry-After on a 429 or 503, in milliseconds ("try again in N s"); 0 when none. */
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") int64 RetryAfterMs = 0;

    static FGameGateError From(const gamegate::Error& Error);
};

USTRUCT(BlueprintType)
struct GAMEGATE_API FGameGateKgenSession
{
    GENERATED_BODY()

    UPROPERTY(BlueprintReadOnly, Category = "GameGate") FString SessionId;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") FString UserId;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") FString Name;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") FString Email;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") int64 Level = 0;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") int64 Rank = 0;
    /** The player's custodial wallet. */
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") FString WalletAddress;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") FString NamespacedThirdPartyUserId;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") bool bIsNewUser = false;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") FString AccessToken;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") FString RefreshToken;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") int64 SessionStartUnixMs = 0;
    /** The whole response, for the fields not copied above. */
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") FString RawJson;

    static FGameGateKgenSession From(const gamegate::KgenSession& Session);
};

/** One request's numbers (times in microseconds), for profiling sign-in and calls. */
USTRUCT(BlueprintType)
struct GAMEGATE_API FGameGateRequestMetrics
{
    GENERATED_BODY()

    UPROPERTY(BlueprintReadOnly, Category = "GameGate") int64 RequestId = 0;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") FString Method;
    /** As sent, rei-keys and query values replaced. */
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") FString Path;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") int32 Code = 0;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") int32 HttpStatus = 0;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") int32 Attempts = 0;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") bool bConnectionReused = false;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") int64 DnsUs = 0;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") int64 ConnectUs = 0;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") int64 TlsUs = 0;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") int64 FirstByteUs = 0;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") int64 TotalUs = 0;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") int64 BytesSent = 0;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") int64 BytesReceived = 0;

    static FGameGateRequestMetrics From(const gamegate::RequestMetrics& Metrics);
};

USTRUCT(BlueprintType)
struct GAMEGATE_API FGameGateElixirSession
{
    GENERATED_BODY()

    UPROPERTY(BlueprintReadOnly, Category = "GameGate") FString UserId;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") FString UserStatus;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") FString BanReason;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") bool bNewAccount = false;
    /** When the access token expires, Unix milliseconds. */
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") int64 TokenExpiryMs = 0;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") FString AccessToken;
    UPROPERTY(BlueprintReadOnly, Category = "GameGate") FString RawJson;

    static FGameGateElixirSession From(const gamegate::ElixirSession& Session);
};
