#include "GameGateTypes.h"

THIRD_PARTY_INCLUDES_START
#include "gamegate.hpp"
THIRD_PARTY_INCLUDES_END

static FString Text(const std::string& Utf8)
{
    return FString(UTF8_TO_TCHAR(Utf8.c_str()));
}

FGameGateError FGameGateError::From(const gamegate::Error& Error)
{
    FGameGateError Out;
    Out.Code = Error.code;
    Out.CodeName = UTF8_TO_TCHAR(Error.name());
    Out.HttpStatus = Error.http_status;
    Out.ApiCode = Text(Error.api_code);
    Out.Message = Text(Error.message);
    Out.RetryAfterMs = Error.retry_after_ms;
    return Out;
}

FGameGateKgenSession FGameGateKgenSession::From(const gamegate::KgenSession& Session)
{
    FGameGateKgenSession Out;
    Out.SessionId = Text(Session.session_id);
    Out.UserId = Text(Session.user_id);
    Out.Name = Text(Session.name);
    Out.Email = Text(Session.email);
    Out.Level = Session.level;
    Out.Rank = Session.rank;
    Out.WalletAddress = Text(Session.wallet_address);
    Out.NamespacedThirdPartyUserId = Text(Session.namespaced_third_party_user_id);
    Out.bIsNewUser = Session.is_new_user;
    Out.AccessToken = Text(Session.access_token);
    Out.RefreshToken = Text(Session.refresh_token);
    Out.SessionStartUnixMs = Session.session_start_unix_ms;
    Out.RawJson = Text(Session.raw_json);
    return Out;
}

FGameGateElixirSession FGameGateElixirSession::From(const gamegate::ElixirSession& Session)
{
    FGameGateElixirSession Out;
    Out.UserId = Text(Session.user_id);
    Out.UserStatus = Text(Session.user_status);
    Out.BanReason = Text(Session.ban_reason);
    Out.bNewAccount = Session.new_account;
    Out.TokenExpiryMs = Session.token_expiry_ms;
    Out.AccessToken = Text(Session.token);
    Out.RawJson = Text(Session.raw_json);
    return Out;
}

FGameGateRequestMetrics FGameGateRequestMetrics::From(const gamegate::RequestMetrics& Metrics)
{
    FGameGateRequestMetrics Out;
    Out.RequestId = static_cast<int64>(Metrics.request_id);
    Out.Method = Text(Metrics.method);
    Out.Path = Text(Metrics.path);
    Out.Code = Metrics.code;
    Out.HttpStatus = Metrics.http_status;
    Out.Attempts = static_cast<int32>(Metrics.attempts);
    Out.bConnectionReused = Metrics.connection_reused;
    Out.DnsUs = Metrics.dns_us;
    Out.ConnectUs = Metrics.connect_us;
    Out.TlsUs = Metrics.tls_us;
    Out.FirstByteUs = Metrics.first_byte_us;
    Out.TotalUs = Metrics.total_us;
    Out.BytesSent = static_cast<int64>(Metrics.bytes_sent);
    Out.BytesReceived = static_cast<int64>(Metrics.bytes_received);
    return Out;
}
