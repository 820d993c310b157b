//! The `/s2s/session` response as a typed value, read straight from the bytes.
//!
//! A session is parsed for every player (on the I/O thread in tick dispatch, on the callback
//! thread in worker dispatch: `Completion::finish_refined`), so it avoids building a JSON
//! tree: serde_json walks the document once, the fields GameGate knows are picked out as
//! they pass (borrowed where they have no escapes), and all text lands in one buffer, each
//! value followed by a NUL, so the C callback can point into it without copying.

use crate::error::Error;
use crate::json::{self, Scalar};
use crate::secret::Secret;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::ffi::{c_char, CStr};

/// Declares the text fields of a session once: their names and their order in the buffer.
macro_rules! text_fields {
    ($($field:ident),+ $(,)?) => {
        /// A text field of a KGeN session, named as in the JSON.
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Text {
            $($field,)+
        }

        impl Text {
            pub const ALL: &'static [Text] = &[$(Text::$field,)+];

            pub fn name(self) -> &'static str {
                match self {
                    $(Text::$field => stringify!($field),)+
                }
            }
        }
    };
}

text_fields!(
    session_id, user_id, name, username, email, device_id, phonenumber, date_joined, playertag,
    location, location_name, device_model, screen_height, screen_width, os_name, os_version,
    browser_name, app_version, fb_login, google_login, indigg_id, indigg_wallet_address,
    third_party_client_id, third_party_client_name, namespaced_third_party_user_id,
    wallet_address, linked_phone, session_start_time, access_token, refresh_token,
);

const TEXTS: usize = Text::ALL.len();
/// The non-text fields, read after the text ones.
const NUMBERS: [&str; 3] = ["is_new_user", "level", "rank"];

/// A KGeN session. Its text, tokens and raw body included, is one `Secret` buffer.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    /// Every text field in `Text::ALL` order, then the raw JSON; each followed by a NUL.
    buffer: Secret,
    /// Where each of those starts in `buffer`; one more entry marks the end.
    starts: [usize; TEXTS + 2],
    pub is_new_user: bool,
    pub level: i64,
    pub rank: i64,
    /// Parsed from `session_start_time`; 0 when that is missing or not Go's format.
    pub session_start_unix_ms: i64,
}

impl Session {
    pub fn parse(body: &[u8]) -> Result<Session, Error> {
        let raw = std::str::from_utf8(body).map_err(|_| json::not_json("KGeN"))?;
        let fields = match serde_json::from_str::<Document>(raw) {
            Ok(Document::Object(fields)) => fields,
            Ok(Document::Other) => return Err(json::not_an_object("KGeN")),
            Err(_) => return Err(json::not_json("KGeN")),
        };
        let mut values = fields.values.into_iter();
        let mut texts: [Cow<str>; TEXTS] = std::array::from_fn(|_| Cow::Borrowed(""));
        for (i, value) in values.by_ref().take(TEXTS).enumerate() {
            texts[i] = value.into_text(Text::ALL[i].name())?;
        }
        if texts[Text::access_token as usize].is_empty() {
            return Err(json::bad_response("KGeN's session response has no access_token"));
        }
        let [is_new_user, level, rank] = [values.next(), values.next(), values.next()].map(|v| v.unwrap_or(Scalar::Null));
        let is_new_user = is_new_user.to_flag(NUMBERS[0])?;
        let (level, rank) = (level.to_int(NUMBERS[1])?, rank.to_int(NUMBERS[2])?);
        let session_start_unix_ms = super::gotime::parse_unix_ms(&texts[Text::session_start_time as usize]).unwrap_or(0);

        // One allocation for all the text. A NUL inside a value would cut its C string
        // short: it becomes U+FFFD, in C and in Rust alike.
        let size = texts.iter().map(|t| t.len() + 1).sum::<usize>() + raw.len() + 1;
        let mut buffer = String::with_capacity(size);
        let mut starts = [0; TEXTS + 2];
        for (i, text) in texts.iter().map(|t| &**t).chain([raw]).enumerate() {
            starts[i] = buffer.len();
            if text.contains('\0') {
                buffer.push_str(&text.replace('\0', "\u{FFFD}"));
            } else {
                buffer.push_str(text);
            }
            buffer.push('\0');
        }
        starts[TEXTS + 1] = buffer.len();
        Ok(Session { buffer: Secret::new(buffer), starts, is_new_user, level, rank, session_start_unix_ms })
    }

    /// A text field, as the JSON had it (numbers and booleans as their JSON text, "" when
    /// missing or null).
    pub fn text(&self, field: Text) -> &str {
        self.entry(field as usize)
    }

    /// The response body as received.
    pub fn raw_json(&self) -> &str {
        self.entry(TEXTS)
    }

    /// A text field as a C string; valid as long as the session.
    pub fn c_text(&self, field: Text) -> *const c_char {
        self.c_entry(field as usize)
    }

    pub fn c_raw_json(&self) -> *const c_char {
        self.c_entry(TEXTS)
    }

    fn entry(&self, index: usize) -> &str {
        &self.buffer.expose()[self.starts[index]..self.starts[index + 1] - 1]
    }

    fn c_entry(&self, index: usize) -> *const c_char {
        let with_nul = &self.buffer.expose().as_bytes()[self.starts[index]..self.starts[index + 1]];
        // Every entry ends with the NUL pushed after it and holds no other (see `parse`).
        debug_assert!(CStr::from_bytes_with_nul(with_nul).is_ok());
        with_nul.as_ptr().cast()
    }
}

/// What the top level of a session body holds.
enum Document<'de> {
    Object(Fields<'de>),
    /// Valid JSON, but not an object.
    Other,
}

/// The known fields' values, in `Text::ALL` order then `NUMBERS` order; null when missing.
/// A field given twice keeps its last value.
struct Fields<'de> {
    values: [Scalar<'de>; TEXTS + NUMBERS.len()],
}

/// The slot of a known field in `Fields`, through a small hash table built once. Every key of
/// every session is looked up: a linear scan, then a binary search, spent a tenth of the I/O
/// thread's time comparing strings; this compares once.
fn field_index(key: &str) -> Option<usize> {
    const SLOTS: usize = 128; // a power of two, well above the field count
    // The length and three bytes tell the field names apart well enough; equality decides.
    fn hash(key: &str) -> usize {
        let bytes = key.as_bytes();
        let at = |i: usize| bytes.get(i).copied().map_or(0, usize::from);
        bytes.len().wrapping_mul(31) ^ at(0) ^ at(bytes.len() / 2) << 2 ^ at(bytes.len().wrapping_sub(1)) << 4
    }
    static TABLE: once_cell::sync::Lazy<[Option<(&str, usize)>; SLOTS]> = once_cell::sync::Lazy::new(|| {
        let mut table = [None; SLOTS];
        for (index, name) in Text::ALL.iter().map(|t| t.name()).chain(NUMBERS).enumerate() {
            let mut slot = hash(name) % SLOTS;
            while table[slot].is_some() {
                slot = (slot + 1) % SLOTS;
            }
            table[slot] = Some((name, index));
        }
        table
    });
    let mut slot = hash(key) % SLOTS;
    while let Some((name, index)) = TABLE[slot] {
        if name == key {
            return Some(index);
        }
        slot = (slot + 1) % SLOTS;
    }
    None
}

impl<'de> Deserialize<'de> for Document<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DocumentVisitor)
    }
}

struct DocumentVisitor;

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = Document<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document<'de>, A::Error> {
        let mut fields = Fields { values: std::array::from_fn(|_| Scalar::Null) };
        // Keys are read as scalars so that a key with escapes still matches its field.
        while let Some(key) = map.next_key::<Scalar<'de>>()? {
            match key {
                Scalar::Text(key) => match field_index(&key) {
                    Some(index) => fields.values[index] = map.next_value()?,
                    None => map.next_value::<IgnoredAny>().map(drop)?,
                },
                _ => map.next_value::<IgnoredAny>().map(drop)?,
            }
        }
        Ok(Document::Object(fields))
    }
    // Anything else is consumed whole, so that broken JSON is still told from valid JSON.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Document<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Document::Other)
    }
    fn visit_unit<E>(self) -> Result<Document<'de>, E> {
        Ok(Document::Other)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Document<'de>, E> {
        Ok(Document::Other)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Document<'de>, E> {
        Ok(Document::Other)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Document<'de>, E> {
        Ok(Document::Other)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Document<'de>, E> {
        Ok(Document::Other)
    }
    fn visit_str<E>(self, _: &str) -> Result<Document<'de>, E> {
        Ok(Document::Other)
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("session_id", &self.text(Text::session_id))
            .field("user_id", &self.text(Text::user_id))
            .field("wallet_address", &self.text(Text::wallet_address))
            .field("is_new_user", &self.is_new_user)
            .field("access_token", &"***")
            .field("refresh_token", &"***")
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
        assert_eq!(s.text(Text::session_id), "3ab35108-1902-4a1f-4382998f305d");
        assert_eq!(s.text(Text::namespaced_third_party_user_id), "20798813#FTC_User1");
        assert_eq!(s.text(Text::third_party_client_name), "ESPORTS_PROTOCOL_CALLBREAK");
        assert_eq!(s.text(Text::wallet_address), "0xexamplewallet");
        assert_eq!(s.text(Text::indigg_id), "");
        assert_eq!(s.text(Text::app_version), "", "missing");
        assert_eq!(s.text(Text::access_token), "exampleToken1");
        assert_eq!(s.text(Text::refresh_token), "exampleToken2");
        assert!(!s.is_new_user);
        assert_eq!(s.session_start_unix_ms, 1_724_142_733_025);
        assert_eq!(s.raw_json(), DOCUMENTED);
    }

    #[test]
    fn debug_hides_tokens() {
        let s = Session::parse(DOCUMENTED.as_bytes()).unwrap();
        let printed = format!("{s:?}");
        assert!(!printed.contains("exampleToken"), "{printed}");
    }

    #[test]
    fn every_field_name_finds_its_own_slot() {
        for (index, &field) in Text::ALL.iter().enumerate() {
            assert_eq!(field_index(field.name()), Some(index));
        }
        for (index, name) in NUMBERS.iter().enumerate() {
            assert_eq!(field_index(name), Some(TEXTS + index));
        }
        for unknown in ["", "token", "access_token ", "zzz", "a"] {
            assert_eq!(field_index(unknown), None);
        }
    }

    #[test]
    fn c_strings_point_into_the_session() {
        let s = Session::parse(DOCUMENTED.as_bytes()).unwrap();
        for &field in Text::ALL {
            // SAFETY: the pointer is valid while `s` lives.
            let c = unsafe { CStr::from_ptr(s.c_text(field)) };
            assert_eq!(c.to_str().unwrap(), s.text(field), "{}", field.name());
        }
        // SAFETY: as above.
        assert_eq!(unsafe { CStr::from_ptr(s.c_raw_json()) }.to_str().unwrap(), DOCUMENTED);
    }

    #[test]
    fn escapes_numbers_duplicates_and_nul_are_read_as_before() {
        let body = r#"{"access\u005ftoken": "t\"1", "user_id": 42, "name": true, "email": 1.5e3,
            "username": "a\u0000b", "level": "7", "rank": 2.0, "is_new_user": 1, "user_id": "last",
            "session_id": null, "other": [[{"deep": [1, {"x": null}]}]]}"#;
        let s = Session::parse(body.as_bytes()).unwrap();
        assert_eq!(s.text(Text::access_token), "t\"1");
        assert_eq!(s.text(Text::user_id), "last");
        assert_eq!(s.text(Text::name), "true");
        assert_eq!(s.text(Text::email), "1500.0");
        assert_eq!(s.text(Text::username), "a\u{FFFD}b");
        assert_eq!(s.text(Text::session_id), "");
        assert_eq!((s.level, s.rank, s.is_new_user), (7, 2, true));
        assert_eq!(s.raw_json(), body);
    }

    #[test]
    fn wrong_types_and_missing_token_are_bad_responses() {
        for body in [r#"{"access_token": {"x": 1}}"#, r#"{"access_token": "t", "level": "high"}"#,
            r#"{"access_token": "t", "is_new_user": "yes"}"#, r#"{"user_id": "u"}"#, "[]", "nope",
            r#"{"access_token": "t"} x"#, r#"{"access_token": "t""#, r#"{"access_token": "", "x": 1}"#] {
            assert_eq!(Session::parse(body.as_bytes()).unwrap_err().code, GG_BAD_RESPONSE, "{body}");
        }
        let not_utf8 = b"{\"access_token\": \"\xff\"}";
        assert_eq!(Session::parse(not_utf8).unwrap_err().code, GG_BAD_RESPONSE);
    }
}
