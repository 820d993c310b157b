//! An Elixir player session: the token payload of verify, QR, rei-key and refresh.

use crate::error::Error;
use crate::json::{self, Object};
use crate::secret::Secret;
use serde_json::Value;

#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    pub token: Secret,
    /// Epoch milliseconds (64-bit: the service's values overflow 32 bits).
    pub token_expiry_ms: i64,
    pub token_life_ms: i64,
    pub refresh_token: Secret,
    /// `user._id`; "" when the flow sends no user (QR).
    pub user_id: String,
    pub user_status: String,
    /// "" when null.
    pub ban_reason: String,
    pub new_account: bool,
    pub raw_json: Secret,
}

impl Session {
    pub fn parse(data: &Value) -> Result<Session, Error> {
        let Value::Object(obj) = data else {
            return Err(json::bad_response("Elixir's session data is not an object"));
        };
        let token = Secret::new(json::text(obj, "token")?);
        let refresh_token = Secret::new(json::text(obj, "refreshToken")?);
        if token.is_empty() || refresh_token.is_empty() {
            return Err(json::bad_response("Elixir's session data lacks token or refreshToken"));
        }
        let empty = Object::new();
        let user = match obj.get("user") {
            Some(Value::Object(user)) => user,
            None | Some(Value::Null) => &empty,
            Some(_) => return Err(json::bad_response("field \"user\" has the wrong type (expected an object)")),
        };
        Ok(Session {
            token,
            token_expiry_ms: json::int(obj, "tokenExpiry")?,
            token_life_ms: json::int(obj, "tokenLifeMS")?,
            refresh_token,
            user_id: json::text(user, "_id")?,
            user_status: json::text(user, "status")?,
            ban_reason: json::text(user, "banReason")?,
            new_account: json::flag(obj, "newAccount")?,
            raw_json: Secret::new(data.to_string()),
        })
    }

    /// A session known only by a persisted refresh token: the next call refreshes it.
    pub fn restored(refresh_token: &str) -> Session {
        Session {
            token: Secret::default(),
            token_expiry_ms: 0,
            token_life_ms: 0,
            refresh_token: Secret::new(refresh_token),
            user_id: String::new(),
            user_status: String::new(),
            ban_reason: String::new(),
            new_account: false,
            raw_json: Secret::default(),
        }
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("user_id", &self.user_id)
            .field("token_expiry_ms", &self.token_expiry_ms)
            .field("token", &self.token)
            .field("refresh_token", &self.refresh_token)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::GG_BAD_RESPONSE;
    use serde_json::json;

    #[test]
    fn verify_payload_with_64_bit_life() {
        let s = Session::parse(&json!({"token":"eyJ","tokenExpiry":1678126661453i64,"tokenLifeMS":30000000000i64,
            "refreshToken":"210","user":{"_id":"6d3","status":"ACTIVE","banReason":null},"newAccount":true})).unwrap();
        assert_eq!((s.token_expiry_ms, s.token_life_ms), (1_678_126_661_453, 30_000_000_000));
        assert_eq!((s.user_id.as_str(), s.user_status.as_str(), s.ban_reason.as_str(), s.new_account), ("6d3", "ACTIVE", "", true));
        assert!(!format!("{s:?}").contains("eyJ"));
    }

    #[test]
    fn qr_payload_without_user_is_fine() {
        let s = Session::parse(&json!({"token":"t","tokenExpiry":1,"tokenLifeMS":31557600000i64,"refreshToken":"r"})).unwrap();
        assert_eq!((s.user_id.as_str(), s.new_account), ("", false));
    }

    #[test]
    fn missing_tokens_or_wrong_types_are_bad_responses() {
        for data in [json!({"token":"t"}), json!({"token":"t","refreshToken":"r","tokenExpiry":"soon"}),
            json!({"token":"t","refreshToken":"r","user":"me"}), json!([1]), json!(null)] {
            assert_eq!(Session::parse(&data).unwrap_err().code, GG_BAD_RESPONSE, "{data}");
        }
    }
}
