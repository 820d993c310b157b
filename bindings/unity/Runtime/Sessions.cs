// The typed sessions the services hand back, copied out of the library's borrowed structs.
using System;
using System.Runtime.InteropServices;
using GameGate.Native;

namespace GameGate
{
    /// <summary>Why an Elixir session changed (the C header's GG_SESSION_* values).</summary>
    public enum SessionChange
    {
        SignedIn = 1,
        Refreshed = 2,
        /// <summary>The session is null.</summary>
        SignedOut = 3,
        /// <summary>The service refused the refresh token: sign the player in again. The session is null.</summary>
        Revoked = 4,
    }

    /// <summary>A KGeN session, as KGeN returned it ("" where the server sent nothing).</summary>
    public sealed class KgenSession
    {
        public string SessionId, UserId, Name, Username, Email, DeviceId, PhoneNumber;
        public long Level, Rank;
        public string DateJoined, PlayerTag, Location, LocationName, DeviceModel, ScreenHeight, ScreenWidth,
            OsName, OsVersion, BrowserName, AppVersion, FbLogin, GoogleLogin, IndiggId, IndiggWalletAddress,
            ThirdPartyClientId, ThirdPartyClientName, NamespacedThirdPartyUserId;
        /// <summary>The player's custodial wallet.</summary>
        public string WalletAddress;
        public bool IsNewUser;
        public string AccessToken, RefreshToken, LinkedPhone, SessionStartTime;
        /// <summary>SessionStartTime in Unix milliseconds; 0 if it could not be parsed.</summary>
        public long SessionStartUnixMs;
        /// <summary>The whole response body.</summary>
        public string RawJson;

        internal static KgenSession FromNative(IntPtr pointer)
        {
            var s = (kgen_session)Marshal.PtrToStructure(pointer, typeof(kgen_session));
            return new KgenSession
            {
                SessionId = Utf8.Decode(s.session_id), UserId = Utf8.Decode(s.user_id), Name = Utf8.Decode(s.name),
                Username = Utf8.Decode(s.username), Email = Utf8.Decode(s.email), DeviceId = Utf8.Decode(s.device_id),
                PhoneNumber = Utf8.Decode(s.phonenumber), Level = s.level, Rank = s.rank,
                DateJoined = Utf8.Decode(s.date_joined), PlayerTag = Utf8.Decode(s.playertag),
                Location = Utf8.Decode(s.location), LocationName = Utf8.Decode(s.location_name),
                DeviceModel = Utf8.Decode(s.device_model), ScreenHeight = Utf8.Decode(s.screen_height),
                ScreenWidth = Utf8.Decode(s.screen_width), OsName = Utf8.Decode(s.os_name),
                OsVersion = Utf8.Decode(s.os_version), BrowserName = Utf8.Decode(s.browser_name),
                AppVersion = Utf8.Decode(s.app_version), FbLogin = Utf8.Decode(s.fb_login),
                GoogleLogin = Utf8.Decode(s.google_login), IndiggId = Utf8.Decode(s.indigg_id),
                IndiggWalletAddress = Utf8.Decode(s.indigg_wallet_address),
                ThirdPartyClientId = Utf8.Decode(s.third_party_client_id),
                ThirdPartyClientName = Utf8.Decode(s.third_party_client_name),
                NamespacedThirdPartyUserId = Utf8.Decode(s.namespaced_third_party_user_id),
                WalletAddress = Utf8.Decode(s.wallet_address), IsNewUser = s.is_new_user != 0,
                AccessToken = Utf8.Decode(s.access_token), RefreshToken = Utf8.Decode(s.refresh_token),
                LinkedPhone = Utf8.Decode(s.linked_phone), SessionStartTime = Utf8.Decode(s.session_start_time),
                SessionStartUnixMs = s.session_start_unix_ms, RawJson = Utf8.Decode(s.raw_json),
            };
        }

        public override string ToString()
        {
            return "KgenSession(user " + UserId + ", wallet " + WalletAddress + ")"; // never the tokens
        }
    }

    /// <summary>A signed-in Elixir session.</summary>
    public sealed class ElixirSession
    {
        /// <summary>The access token (a JWT).</summary>
        public string Token;
        /// <summary>When Token expires, Unix milliseconds.</summary>
        public long TokenExpiryMs, TokenLifeMs;
        /// <summary>Persist this (securely) and pass it to ElixirClient.RestoreSession next launch.</summary>
        public string RefreshToken;
        /// <summary>"" for flows that send no user (QR).</summary>
        public string UserId, UserStatus, BanReason;
        public bool NewAccount;
        /// <summary>The envelope's data as JSON.</summary>
        public string RawJson;

        internal static ElixirSession FromNative(IntPtr pointer)
        {
            var s = (elixir_session)Marshal.PtrToStructure(pointer, typeof(elixir_session));
            return new ElixirSession
            {
                Token = Utf8.Decode(s.token), TokenExpiryMs = s.token_expiry_ms, TokenLifeMs = s.token_life_ms,
                RefreshToken = Utf8.Decode(s.refresh_token), UserId = Utf8.Decode(s.user_id),
                UserStatus = Utf8.Decode(s.user_status), BanReason = Utf8.Decode(s.ban_reason),
                NewAccount = s.new_account != 0, RawJson = Utf8.Decode(s.raw_json),
            };
        }

        public override string ToString()
        {
            return "ElixirSession(user " + UserId + ", expires " + TokenExpiryMs + ")"; // never the tokens
        }
    }
}
