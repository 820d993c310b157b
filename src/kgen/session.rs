//! The `/s2s/session` response as a typed value.

use crate::error::Error;
use crate::json::{self, Object};
use crate::secret::Secret;

/// Declares the text fields of a session once: the struct fields and their parsing.
macro_rules! text_fields {
    ($($field:ident),+ $(,)?) => {
        /// Every documented text field of a KGeN session response, named as in the JSON.
        #[derive(Clone, Default, PartialEq, Eq)]
        pub struct SessionText {
            $(pub $field: String,)+
        }

        impl SessionText {
            fn parse(obj: &mut Object) -> Result<SessionText, Error> {
                Ok(SessionText { $($field: json::take_text(obj, stringify!($field))?,)+ })
            }
        }
    };
}

text_fields!(
    session_id, user_id, name, username, email, device_id, phonenumber, date_joined, playertag,
    location, location_name, device_model, screen_height, screen_width, os_name, os_version,
    browser_name, app_version, fb_login, google_login, indigg_id, indigg_wallet_address,
    third_party_client_id, third_party_client_name, namespaced_third_party_user_id,
    wallet_address, linked_phone, session_start_time,
);

/// A KGeN session. Tokens and the raw body (which holds them) are `Secret`s.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    pub text: SessionText,
    pub is_new_user: bool,
    pub level: i64,
    pub rank: i64,
    /// Parsed from `session_start_time`; 0 when that is missing or not Go's format.
    pub session_start_unix_ms: i64,
    pub access_token: Secret,
    pub refresh_token: Secret,
    pub raw_json: Secret,
}

impl Session {
    pub fn parse(body: &[u8]) -> Result<Session, Error> {
        let mut obj = json::parse_object(body, "KGeN")?;
        let text = SessionText::parse(&mut obj)?;
        let access_token = Secret::new(json::take_text(&mut obj, "access_token")?);
        if access_token.is_empty() {
            return Err(json::bad_response("KGeN's session response has no access_token"));
        }
        Ok(Session {
            session_start_unix_ms: super::gotime::parse_unix_ms(&text.session_start_time).unwrap_or(0),
            is_new_user: json::flag(&obj, "is_new_user")?,
            level: json::int(&obj, "level")?,
            rank: json::int(&obj, "rank")?,
            refresh_token: Secret::new(json::take_text(&mut obj, "refresh_token")?),
            access_token,
            raw_json: Secret::new(String::from_utf8_lossy(body).into_owned()),
            text,
        })
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("session_id", &self.text.session_id)
            .field("user_id", &self.text.user_id)
            .field("wallet_address", &self.text.wallet_address)
            .field("is_new_user", &self.is_new_user)
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::GG_BAD_RESPONSE;

    const DOCUMENTED: &str = r#"{
        "session_id": "3ab35108-1902-4a1f-4382998f305d", "user_id": "FTC_User1", "name": "", "username": "",
        "email": "", "device_id": "", "phonenumber": "", "level": 0, "rank": 0, "date_joined": "",
        "playertag": "", "location": "", "location_name": "", "device_model": "", "screen_height": "",
        "screen_width": "", "os_name": "", "os_version": "", "browser_name": "", "indigg_id": null,
        "indigg_wallet_address": "", "third_party_client_id": "20798813",
        "third_party_client_name": "ESPORTS_PROTOCOL_CALLBREAK",
        "namespaced_third_party_user_id": "20798813#FTC_User1", "wallet_address": "0xexamplewallet",
        "is_new_user": false, "access_token": "exampleToken1", "refresh_token": "exampleToken2",
        "linked_phone": "", "session_start_time": "2024-08-20 08:32:13.025599965 +0000 UTC",
        "token": "undocumented-but-sent"
    }"#;

    #[test]
    fn parses_the_documented_response() {
        let s = Session::parse(DOCUMENTED.as_bytes()).unwrap();
        assert_eq!(s.text.session_id, "3ab35108-1902-4a1f-4382998f305d");
        assert_eq!(s.text.namespaced_third_party_user_id, "20798813#FTC_User1");
        assert_eq!(s.text.third_party_client_name, "ESPORTS_PROTOCOL_CALLBREAK");
        assert_eq!(s.text.wallet_address, "0xexamplewallet");
        assert_eq!(s.text.indigg_id, "");
        assert_eq!(s.access_token.expose(), "exampleToken1");
        assert_eq!(s.refresh_token.expose(), "exampleToken2");
        assert!(!s.is_new_user);
        assert_eq!(s.session_start_unix_ms, 1_724_142_733_025);
        assert!(s.raw_json.expose().contains("undocumented-but-sent"));
    }

    #[test]
    fn debug_hides_tokens() {
        let s = Session::parse(DOCUMENTED.as_bytes()).unwrap();
        let printed = format!("{s:?}");
        assert!(!printed.contains("exampleToken"), "{printed}");
    }

    #[test]
    fn wrong_types_and_missing_token_are_bad_responses() {
        for body in [r#"{"access_token": {"x": 1}}"#, r#"{"access_token": "t", "level": "high"}"#,
            r#"{"access_token": "t", "is_new_user": "yes"}"#, r#"{"user_id": "u"}"#, "[]", "nope"] {
            assert_eq!(Session::parse(body.as_bytes()).unwrap_err().code, GG_BAD_RESPONSE, "{body}");
        }
    }
}
