//! Reading service JSON tolerantly but never loosely: a missing or null field is empty, a
//! number where text was expected is kept as text, and anything else of the wrong type is a
//! `GG_BAD_RESPONSE` naming the field.

use crate::error::{Error, GG_BAD_RESPONSE};
use serde_json::{Map, Value};

pub type Object = Map<String, Value>;

pub fn bad_response(message: impl Into<String>) -> Error {
    Error::new(GG_BAD_RESPONSE, message)
}

/// Parses a body that must be a JSON object.
pub fn parse_object(body: &[u8], service: &str) -> Result<Object, Error> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(bad_response(format!("{service} answered with JSON that is not an object"))),
        Err(_) => Err(bad_response(format!("{service} answered with a body that is not valid JSON"))),
    }
}

/// Text of `key`: "" when missing or null; numbers and booleans as their JSON text.
pub fn text(obj: &Object, key: &str) -> Result<String, Error> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(v @ (Value::Number(_) | Value::Bool(_))) => Ok(v.to_string()),
        Some(_) => Err(bad_response(format!("field \"{key}\" has the wrong type (expected text)"))),
    }
}

/// As `text`, but moves the string out of `obj` instead of copying it (one allocation less
/// per field on the hot path of every KGeN session).
pub fn take_text(obj: &mut Object, key: &str) -> Result<String, Error> {
    match obj.get_mut(key) {
        Some(Value::String(s)) => Ok(std::mem::take(s)),
        _ => text(obj, key),
    }
}

/// Integer of `key`: 0 when missing or null; accepts whole numbers and numeric text.
pub fn int(obj: &Object, key: &str) -> Result<i64, Error> {
    let wrong = || bad_response(format!("field \"{key}\" has the wrong type (expected an integer)"));
    match obj.get(key) {
        None | Some(Value::Null) => Ok(0),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18).map(|f| f as i64))
            .ok_or_else(wrong),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(0),
        Some(Value::String(s)) => s.trim().parse().map_err(|_| wrong()),
        Some(_) => Err(wrong()),
    }
}

/// Flag of `key`: false when missing or null; accepts booleans and 0/1.
pub fn flag(obj: &Object, key: &str) -> Result<bool, Error> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::Number(n)) if n.as_i64() == Some(0) => Ok(false),
        Some(Value::Number(n)) if n.as_i64() == Some(1) => Ok(true),
        Some(_) => Err(bad_response(format!("field \"{key}\" has the wrong type (expected true/false)"))),
    }
}

/// A short, printable excerpt of a non-JSON error body for an error message.
pub fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let cleaned: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).take(200).collect();
    cleaned.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Object {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn text_is_tolerant_of_null_and_numbers_but_not_objects() {
        let o = obj(json!({"a": "x", "b": null, "c": 5, "d": true, "e": {"k": 1}, "f": [1]}));
        assert_eq!(text(&o, "a").unwrap(), "x");
        assert_eq!(text(&o, "b").unwrap(), "");
        assert_eq!(text(&o, "missing").unwrap(), "");
        assert_eq!(text(&o, "c").unwrap(), "5");
        assert_eq!(text(&o, "d").unwrap(), "true");
        assert_eq!(text(&o, "e").unwrap_err().code, GG_BAD_RESPONSE);
        assert_eq!(text(&o, "f").unwrap_err().code, GG_BAD_RESPONSE);
    }

    #[test]
    fn int_handles_64_bit_and_numeric_text() {
        let o = obj(json!({"big": 31557600000i64, "s": "12", "f": 3.0, "frac": 2.5, "bad": "x", "empty": ""}));
        assert_eq!(int(&o, "big").unwrap(), 31_557_600_000);
        assert_eq!(int(&o, "s").unwrap(), 12);
        assert_eq!(int(&o, "f").unwrap(), 3);
        assert_eq!(int(&o, "empty").unwrap(), 0);
        assert!(int(&o, "frac").is_err());
        assert!(int(&o, "bad").is_err());
    }

    #[test]
    fn parse_object_rejects_garbage_and_non_objects() {
        assert!(parse_object(b"{\"a\":1}", "svc").is_ok());
        assert_eq!(parse_object(b"<html>", "svc").unwrap_err().code, GG_BAD_RESPONSE);
        assert_eq!(parse_object(b"[1,2]", "svc").unwrap_err().code, GG_BAD_RESPONSE);
        assert_eq!(parse_object(b"", "svc").unwrap_err().code, GG_BAD_RESPONSE);
    }
}

/// A non-2xx answer without a service envelope: `GG_HTTP_STATUS`, with whatever code and
/// message the body carried (`{"message": ..}`, `{"error": ..}`, `{"code": ..}` or plain text).
pub fn http_status_error(service: &str, status: u16, body: &[u8]) -> Error {
    let mut api_code = String::new();
    let mut message = String::new();
    if let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(body) {
        api_code = match obj.get("code") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        message = ["message", "error", "msg"]
            .iter()
            .find_map(|key| match obj.get(*key) {
                Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
                Some(Value::Object(inner)) => inner.get("message").and_then(Value::as_str).map(str::to_string),
                _ => None,
            })
            .unwrap_or_default();
    } else if !body.is_empty() {
        message = excerpt(body);
    }
    if message.is_empty() {
        message = format!("{service} answered HTTP {status}");
    }
    Error::new(crate::error::GG_HTTP_STATUS, message).with_status(status).with_api_code(api_code)
}
