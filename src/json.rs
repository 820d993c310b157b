//! Reading service JSON tolerantly but never loosely: a missing or null field is empty, a
//! number where text was expected is kept as text, and anything else of the wrong type is a
//! `GG_BAD_RESPONSE` naming the field.

use crate::error::{Error, GG_BAD_RESPONSE};
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;

pub type Object = Map<String, Value>;

pub fn bad_response(message: impl Into<String>) -> Error {
    Error::new(GG_BAD_RESPONSE, message)
}

/// A body that does not parse as JSON at all.
pub fn not_json(service: &str) -> Error {
    bad_response(format!("{service} answered with a body that is not valid JSON"))
}

/// Valid JSON where an object was expected.
pub fn not_an_object(service: &str) -> Error {
    bad_response(format!("{service} answered with JSON that is not an object"))
}

/// Parses a body that must be a JSON object.
pub fn parse_object(body: &[u8], service: &str) -> Result<Object, Error> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(not_an_object(service)),
        Err(_) => Err(not_json(service)),
    }
}

/// One field's value as the tolerant readers below see it. Borrowed from the document where
/// it can be, so a typed reader (the KGeN session) need not build a `Value` tree first.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar<'a> {
    /// Missing or null.
    Null,
    Text(Cow<'a, str>),
    Bool(bool),
    Number(Number),
    /// An object or an array: never what a scalar field expects.
    Nested,
}

impl<'a> Scalar<'a> {
    pub fn of(value: Option<&'a Value>) -> Scalar<'a> {
        match value {
            None | Some(Value::Null) => Scalar::Null,
            Some(Value::String(s)) => Scalar::Text(Cow::Borrowed(s)),
            Some(Value::Bool(b)) => Scalar::Bool(*b),
            Some(Value::Number(n)) => Scalar::Number(n.clone()),
            Some(Value::Array(_) | Value::Object(_)) => Scalar::Nested,
        }
    }

    /// "" when null; numbers and booleans as their JSON text.
    pub fn into_text(self, key: &str) -> Result<Cow<'a, str>, Error> {
        match self {
            Scalar::Null => Ok(Cow::Borrowed("")),
            Scalar::Text(s) => Ok(s),
            Scalar::Bool(b) => Ok(Cow::Borrowed(if b { "true" } else { "false" })),
            Scalar::Number(n) => Ok(Cow::Owned(n.to_string())),
            Scalar::Nested => Err(bad_response(format!("field \"{key}\" has the wrong type (expected text)"))),
        }
    }

    /// 0 when null; whole numbers and numeric text.
    pub fn to_int(&self, key: &str) -> Result<i64, Error> {
        let wrong = || bad_response(format!("field \"{key}\" has the wrong type (expected an integer)"));
        match self {
            Scalar::Null => Ok(0),
            Scalar::Number(n) => n
                .as_i64()
                .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18).map(|f| f as i64))
                .ok_or_else(wrong),
            Scalar::Text(s) if s.trim().is_empty() => Ok(0),
            Scalar::Text(s) => s.trim().parse().map_err(|_| wrong()),
            Scalar::Bool(_) | Scalar::Nested => Err(wrong()),
        }
    }

    /// false when null; booleans and 0/1.
    pub fn to_flag(&self, key: &str) -> Result<bool, Error> {
        match self {
            Scalar::Null => Ok(false),
            Scalar::Bool(b) => Ok(*b),
            Scalar::Number(n) if n.as_i64() == Some(0) => Ok(false),
            Scalar::Number(n) if n.as_i64() == Some(1) => Ok(true),
            _ => Err(bad_response(format!("field \"{key}\" has the wrong type (expected true/false)"))),
        }
    }
}

/// Reads any JSON value as a `Scalar`, borrowing strings without escapes and skipping over
/// (while still checking) whatever an object or array holds.
impl<'de> Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Bool(b))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Number(n.into()))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Number(n.into()))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Scalar<'de>, E> {
        // JSON numbers are finite; as serde_json's own Value does, a non-finite one is null.
        Ok(Number::from_f64(n).map_or(Scalar::Null, Scalar::Number))
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Text(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Text(Cow::Owned(s.to_string())))
    }
    fn visit_string<E>(self, s: String) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Text(Cow::Owned(s)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Nested)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Nested)
    }
}

/// Text of `key`: "" when missing or null; numbers and booleans as their JSON text.
pub fn text(obj: &Object, key: &str) -> Result<String, Error> {
    Scalar::of(obj.get(key)).into_text(key).map(Cow::into_owned)
}

/// Integer of `key`: 0 when missing or null; accepts whole numbers and numeric text.
pub fn int(obj: &Object, key: &str) -> Result<i64, Error> {
    Scalar::of(obj.get(key)).to_int(key)
}

/// Flag of `key`: false when missing or null; accepts booleans and 0/1.
pub fn flag(obj: &Object, key: &str) -> Result<bool, Error> {
    Scalar::of(obj.get(key)).to_flag(key)
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
