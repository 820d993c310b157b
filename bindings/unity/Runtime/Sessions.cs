// The typed sessions the services hand back, copied out of the library's borrowed structs.
using System;
using System.Runtime.InteropServices;
using GameGate.Native;

namespace GameGate
{
    /// <summary>Why an Elixir session changed (the C header's GG_SESSION_* values).</summary>
    public enum SessionChange
    {
        /// <summary>Signed in: a sign-in flow, a restore, or the stored session at launch.</summary>
        SignedIn = 1,
        /// <summary>The tokens were refreshed (by a call or in the background).</summary>
        Refreshed = 2,
        /// <summary>The session is null.</summary>
        SignedOut = 3,
        /// <summary>The service refused the refresh token: sign the player in again. The session is null.</summary>
        Revoked = 4,
    }

    /// <summary>A KGeN session, as KGeN returned it ("" where the server sent nothing).</summary>
    public sealed class KgenSession
    {
        /// <summary>The player's KGeN session id.</summary>
        public string SessionId;
        /// <summary>The player's KGeN user id.</summary>
        public string UserId;
        /// <summary>Echoed profile field: display name.</summary>
        public string Name;
        /// <summary>Echoed profile field: user name.</summary>
        public string Username;
        /// <summary>Echoed profile field: e-mail address.</summary>
        public string Email;
        /// <summary>Echoed profile field: device id.</summary>
        public string DeviceId;
        /// <summary>Echoed profile field: phone number.</summary>
        public string PhoneNumber;
        /// <summary>Echoed profile field: player level.</summary>
        public long Level;
        /// <summary>Echoed profile field: player rank.</summary>
        public long Rank;
        /// <summary>Echoed profile field: when the player joined, as sent.</summary>
        public string DateJoined;
        /// <summary>Echoed profile field: player tag.</summary>
        public string PlayerTag;
        /// <summary>Echoed profile field: location code.</summary>
        public string Location;
        /// <summary>Echoed profile field: location name.</summary>
        public string LocationName;
        /// <summary>Echoed profile field: device model.</summary>
        public string DeviceModel;
        /// <summary>Echoed profile field: screen height, as text.</summary>
        public string ScreenHeight;
        /// <summary>Echoed profile field: screen width, as text.</summary>
        public string ScreenWidth;
        /// <summary>Echoed profile field: operating system.</summary>
        public string OsName;
        /// <summary>Echoed profile field: its version.</summary>
        public string OsVersion;
        /// <summary>Echoed profile field: browser name.</summary>
        public string BrowserName;
        /// <summary>Echoed profile field: the game's version.</summary>
        public string AppVersion;
        /// <summary>"true" / "false" / "" as echoed.</summary>
        public string FbLogin;
        /// <summary>"true" / "false" / "" as echoed.</summary>
        public string GoogleLogin;
        /// <summary>The player's IndiGG id, or "".</summary>
        public string IndiggId;
        /// <summary>The player's IndiGG wallet address, or "".</summary>
        public string IndiggWalletAddress;
        /// <summary>The game's KGeN client id.</summary>
        public string ThirdPartyClientId;
        /// <summary>The game's name as registered with KGeN.</summary>
        public string ThirdPartyClientName;
        /// <summary>"&lt;client_id&gt;#&lt;user_id&gt;".</summary>
        public string NamespacedThirdPartyUserId;
        /// <summary>The player's custodial wallet.</summary>
        public string WalletAddress;
        /// <summary>True when this call created the KGeN user.</summary>
        public bool IsNewUser;
        /// <summary>The KGeN access token. A secret: never log it.</summary>
        public string AccessToken;
        /// <summary>The KGeN refresh token. A secret: keep it encrypted at rest, never log it.</summary>
        public string RefreshToken;
        /// <summary>The phone number linked to the account, or "".</summary>
        public string LinkedPhone;
        /// <summary>As sent, e.g. "2024-08-20 08:32:13.025599965 +0000 UTC".</summary>
        public string SessionStartTime;
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

        /// <summary>The user and the wallet; never a token.</summary>
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
        public long TokenExpiryMs;
        /// <summary>How long Token lives from when it was issued, milliseconds.</summary>
        public long TokenLifeMs;
        /// <summary>Persist this (securely) and pass it to ElixirClient.RestoreSession next launch.</summary>
        public string RefreshToken;
        /// <summary>The Elixir user id; "" for flows that send no user (QR).</summary>
        public string UserId;
        /// <summary>The user's status as the service sends it.</summary>
        public string UserStatus;
        /// <summary>"" when not banned.</summary>
        public string BanReason;
        /// <summary>True when this sign-in created the account.</summary>
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

        /// <summary>The user and the expiry; never a token.</summary>
        public override string ToString()
        {
            return "ElixirSession(user " + UserId + ", expires " + TokenExpiryMs + ")"; // never the tokens
        }
    }
}
