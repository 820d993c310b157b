//! The optional player fields `/s2s/session` accepts next to `user_id`.

use crate::error::Error;
use serde_json::{Map, Value};

/// Fields sent as text.
pub(crate) const TEXT_FIELDS: &[&str] = &[
    "name", "username", "email", "device_id", "phonenumber", "date_joined", "playertag", "location",
    "location_name", "device_model", "screen_height", "screen_width", "os_name", "os_version",
    "browser_name", "app_version",
];
/// Fields sent as integers.
pub(crate) const INT_FIELDS: &[&str] = &["level", "rank"];
/// Fields sent as booleans.
pub(crate) const FLAG_FIELDS: &[&str] = &["fb_login", "google_login"];

/// A set of profile fields; unknown names and mismatched types are refused when set.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Profile {
    fields: Map<String, Value>,
}

impl Profile {
    pub fn set_text(&mut self, field: &str, value: &str) -> Result<(), Error> {
        self.check(field, TEXT_FIELDS, "text")?;
        self.fields.insert(field.to_string(), Value::String(value.to_string()));
        Ok(())
    }

    pub fn set_int(&mut self, field: &str, value: i64) -> Result<(), Error> {
        self.check(field, INT_FIELDS, "an integer")?;
        self.fields.insert(field.to_string(), Value::from(value));
        Ok(())
    }

    pub fn set_flag(&mut self, field: &str, value: bool) -> Result<(), Error> {
        self.check(field, FLAG_FIELDS, "a flag")?;
        self.fields.insert(field.to_string(), Value::Bool(value));
        Ok(())
    }

    pub fn clear(&mut self, field: &str) {
        self.fields.remove(field);
    }

    fn check(&self, field: &str, allowed: &[&str], kind: &str) -> Result<(), Error> {
        if allowed.contains(&field) {
            return Ok(());
        }
        let known = TEXT_FIELDS.iter().chain(INT_FIELDS).chain(FLAG_FIELDS).any(|f| *f == field);
        if known {
            Err(Error::invalid(format!("profile field \"{field}\" is not {kind}")))
        } else {
            Err(Error::invalid(format!("unknown profile field \"{field}\"")))
        }
    }

    /// The request body: `user_id` plus every field that was set.
    pub fn request_body(&self, user_id: &str) -> Vec<u8> {
        let mut body = self.fields.clone();
        body.insert("user_id".to_string(), Value::String(user_id.to_string()));
        serde_json::to_vec(&Value::Object(body)).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_typed_and_known() {
        let mut p = Profile::default();
        p.set_text("email", "a@b.c").unwrap();
        p.set_int("level", 12).unwrap();
        p.set_flag("fb_login", true).unwrap();
        assert!(p.set_text("level", "12").is_err());
        assert!(p.set_int("email", 1).is_err());
        assert!(p.set_text("user_id", "hijack").is_err());
        assert!(p.set_text("nonsense", "x").is_err());
        let body: Value = serde_json::from_slice(&p.request_body("P\"1\n")).unwrap();
        assert_eq!(body["user_id"], "P\"1\n");
        assert_eq!(body["email"], "a@b.c");
        assert_eq!(body["level"], 12);
        assert_eq!(body["fb_login"], true);
    }
}
