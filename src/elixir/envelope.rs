//! Elixir's response envelope: `{"code":1,"success":true,"data":..}` or, with HTTP 400,
//! `{"code":-1,"success":false,"error":{"status":400,"code":C,"message":M}}` where `C` is a
//! number (1001) or a string ("INVALID_REFRESH_TOKEN", which comes with no message).

use crate::error::{Error, GG_API_ERROR};
use crate::json;
use serde_json::Value;

/// The envelope of an answer, its error carrying the answer's `Retry-After`.
pub fn open_response(response: &crate::http::Response) -> Result<Value, Error> {
    open(response.status, &response.body).map_err(|e| response.error(e))
}

/// The envelope's `data` (may be null, an object or an array), or the error it carries.
pub fn open(status: u16, body: &[u8]) -> Result<Value, Error> {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    if let Some(Value::Object(obj)) = &parsed {
        if let Some(Value::Object(error)) = obj.get("error") {
            let api_code = match error.get("code") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            };
            let message = error.get("message").and_then(Value::as_str).unwrap_or_default().to_string();
            let message = if message.is_empty() && !api_code.is_empty() { api_code.clone() } else { message };
            return Err(Error::new(GG_API_ERROR, message).with_status(status).with_api_code(api_code));
        }
        if (200..300).contains(&status) {
            let succeeded = obj.get("success").and_then(Value::as_bool).unwrap_or(false)
                || obj.get("code").and_then(Value::as_i64) == Some(1);
            if !succeeded {
                return Err(json::bad_response("Elixir answered without success or error").with_status(status));
            }
            return Ok(obj.get("data").cloned().unwrap_or(Value::Null));
        }
    }
    if !(200..300).contains(&status) {
        return Err(json::http_status_error("Elixir", status, body));
    }
    let error = if parsed.is_some() { json::bad_response("Elixir answered with JSON that is not an envelope") } else { json::not_json("Elixir") };
    Err(error.with_status(status))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{GG_BAD_RESPONSE, GG_HTTP_STATUS};

    #[test]
    fn success_yields_data_of_any_shape() {
        assert_eq!(open(200, br#"{"code":1,"success":true,"data":{"a":1}}"#).unwrap()["a"], 1);
        assert!(open(200, br#"{"code":1,"success":true,"data":[1,2]}"#).unwrap().is_array());
        assert!(open(200, br#"{"code":1,"success":true}"#).unwrap().is_null());
    }

    #[test]
    fn numeric_and_string_error_codes_are_both_kept_as_text() {
        let e = open(400, br#"{"code":-1,"success":false,"error":{"status":400,"code":1001,"message":"Invalid API Key"}}"#).unwrap_err();
        assert_eq!((e.code, e.http_status, e.api_code.as_str(), e.message.as_str()), (GG_API_ERROR, 400, "1001", "Invalid API Key"));
        let e = open(400, br#"{"code":-1,"success":false,"error":{"status":400,"code":"INVALID_REFRESH_TOKEN"}}"#).unwrap_err();
        assert_eq!((e.code, e.api_code.as_str(), e.message.as_str()), (GG_API_ERROR, "INVALID_REFRESH_TOKEN", "INVALID_REFRESH_TOKEN"));
    }

    #[test]
    fn other_failures_are_status_or_bad_response() {
        assert_eq!(open(502, b"<html>bad gateway</html>").unwrap_err().code, GG_HTTP_STATUS);
        assert_eq!(open(200, b"<html>").unwrap_err().code, GG_BAD_RESPONSE);
        assert_eq!(open(200, br#"{"hello":1}"#).unwrap_err().code, GG_BAD_RESPONSE);
        assert_eq!(open(200, br#"{"code":-1,"success":false}"#).unwrap_err().code, GG_BAD_RESPONSE);
    }
}
