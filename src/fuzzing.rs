//! Entry points for the fuzz targets (`fuzz/`) and the corpus replay below: every parser of
//! untrusted input, and the option setters through the C ABI. Each checks what must hold for
//! any input, beyond "does not panic".

use crate::error::{GG_API_ERROR, GG_BAD_RESPONSE, GG_HTTP_STATUS, GG_INVALID_ARGUMENT, GG_NULL_PARAM, GG_OK};
use std::ffi::CString;

/// A KGeN session response body. The session reader, which picks fields out as serde_json
/// walks the bytes, must agree with reading the same fields from a serde_json tree (as the
/// Elixir responses are read).
pub fn kgen_session(data: &[u8]) {
    use crate::kgen::session::{Session, Text};
    let from_tree = || -> Result<(Vec<String>, bool, i64, i64), crate::error::Error> {
        let obj = crate::json::parse_object(data, "KGeN")?;
        let texts = Text::ALL.iter().map(|t| crate::json::text(&obj, t.name())).collect::<Result<Vec<_>, _>>()?;
        if texts[Text::access_token as usize].is_empty() {
            return Err(crate::json::bad_response("no access_token"));
        }
        Ok((texts, crate::json::flag(&obj, "is_new_user")?, crate::json::int(&obj, "level")?, crate::json::int(&obj, "rank")?))
    };
    match (Session::parse(data), from_tree()) {
        (Ok(session), Ok((texts, is_new_user, level, rank))) => {
            for (&field, text) in Text::ALL.iter().zip(&texts) {
                assert_eq!(session.text(field), text.replace('\0', "\u{FFFD}"), "{}", field.name());
            }
            assert_eq!((session.is_new_user, session.level, session.rank), (is_new_user, level, rank));
            assert_eq!(session.raw_json().as_bytes(), data);
            assert!(!session.text(Text::access_token).is_empty(), "a parsed session always has a token");
        }
        (Err(e), Err(_)) => assert_eq!(e.code, GG_BAD_RESPONSE, "{e:?}"),
        // A tree stops at 128 levels of nesting; skipping an unknown field does not.
        (Ok(_), Err(_)) => assert!(serde_json::from_slice::<serde::de::IgnoredAny>(data).is_ok(), "accepted what is not JSON"),
        (Err(e), Ok(_)) => panic!("refused a session a tree reads: {e:?}"),
    }
}

/// An Elixir response: the first two bytes pick the HTTP status, the rest is the body; a
/// successful envelope's data is then read as a session.
pub fn elixir_response(data: &[u8]) {
    let (status, body) = match data {
        [a, b, rest @ ..] => (100 + (u16::from_le_bytes([*a, *b]) % 500), rest),
        _ => (200, data),
    };
    match crate::elixir::envelope::open(status, body) {
        Ok(value) => {
            assert!((200..300).contains(&status), "success only for 2xx, got {status}");
            if let Err(e) = crate::elixir::session::Session::parse(&value) {
                assert_eq!(e.code, GG_BAD_RESPONSE, "{e:?}");
            }
        }
        Err(e) => assert!([GG_BAD_RESPONSE, GG_API_ERROR, GG_HTTP_STATUS].contains(&e.code), "{e:?}"),
    }
}

/// Go's `time.Time.String()` as KGeN sends `session_start_time`.
pub fn go_time(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some(ms) = crate::kgen::gotime::parse_unix_ms(text) {
            // Years 0000..=9999, shifted by at most a 99:59 offset: anything else is not Go's format.
            const MAX_OFFSET_MS: i64 = (99 * 60 + 59) * 60_000;
            const YEAR_0: i64 = -62_167_219_200_000;
            const END_OF_9999: i64 = 253_402_300_800_000 + 1_000; // a leap second included
            assert!((YEAR_0 - MAX_OFFSET_MS..=END_OF_9999 + MAX_OFFSET_MS).contains(&ms), "{ms} from {text:?}");
        }
    }
}

/// Bytes a server sends as an HTTP response: the first byte picks how the rest is split into
/// reads. However the bytes arrive, the outcome is the same; a body never exceeds the cap.
pub fn http_response(data: &[u8]) {
    use crate::error::GG_NETWORK;
    use crate::net::response::ResponseReader;
    const CAP: u64 = 4096;
    let (step, wire) = match data {
        [first, rest @ ..] => (usize::from(*first % 64) + 1, rest),
        [] => (1, data),
    };
    let read = |pieces: &mut dyn Iterator<Item = &[u8]>| {
        let mut reader = ResponseReader::new(CAP);
        let mut done = false;
        for piece in pieces {
            done = reader.feed(piece)?;
            if done {
                break;
            }
        }
        if !done {
            reader.end_of_stream(true)?;
        }
        reader.into_response().map(|r| (r.status, r.body.to_vec()))
    };
    let whole = read(&mut std::iter::once(wire));
    let split = read(&mut wire.chunks(step));
    match &whole {
        Ok((status, body)) => {
            assert!((100..1000).contains(status), "status {status}");
            assert!(body.len() as u64 <= CAP, "body of {} bytes", body.len());
        }
        Err(e) => assert!([GG_BAD_RESPONSE, GG_NETWORK].contains(&e.code), "{e:?}"),
    }
    let summary = |r: &Result<(u16, Vec<u8>), crate::error::Error>| r.as_ref().map(|(s, b)| (*s, b.clone())).map_err(|e| e.code);
    assert_eq!(summary(&whole), summary(&split), "split into {step}-byte reads");
}

/// The option setters (proxy URLs included) and the profile setters, through the C ABI, with
/// arbitrary bytes as their strings: each either accepts the value or refuses it with a code,
/// never crashes.
pub fn option_setters(data: &[u8]) {
    use crate::ffi::kgen::{kgen_profile_free, kgen_profile_new, kgen_profile_set_int, kgen_profile_set_text};
    use crate::ffi::options::*;
    let text = CString::new(data.iter().copied().filter(|&b| b != 0).collect::<Vec<u8>>()).expect("NULs removed");
    let number = data.iter().fold(0u32, |n, &b| n.wrapping_mul(31).wrapping_add(u32::from(b)));
    let options = gg_options_new();
    let results = [
        gg_options_set_base_url(options, text.as_ptr()),
        gg_options_add_root_certificates_pem(options, text.as_ptr()),
        gg_options_set_user_agent(options, text.as_ptr()),
        gg_options_set_timeout_ms(options, number),
        gg_options_set_worker_threads(options, number % 300),
        gg_options_set_dispatch(options, number % 3),
        gg_options_set_retries(options, number % 12, number % 3),
        gg_options_set_max_body_bytes(options, u64::from(number)),
        gg_options_set_refresh_margin_ms(options, number),
        gg_options_set_background_refresh(options, (number % 3) as u8),
        gg_options_set_proxy(options, text.as_ptr()),
        gg_options_set_proxy_from_environment(options, (number % 3) as u8),
        gg_options_set_base_url(options, std::ptr::null()),
    ];
    gg_options_free(options);
    let profile = kgen_profile_new();
    let profile_results = [
        kgen_profile_set_text(profile, text.as_ptr(), text.as_ptr()),
        kgen_profile_set_int(profile, text.as_ptr(), i64::from(number)),
    ];
    kgen_profile_free(profile);
    for code in results.iter().chain(&profile_results) {
        assert!([GG_OK, GG_INVALID_ARGUMENT, GG_NULL_PARAM].contains(code), "unexpected code {code}");
    }
}

/// Every input of the committed corpus (fuzz/corpus/<target>/), through the same entry points,
/// on the stable toolchain: what a fuzzing session found stays fixed.
#[cfg(test)]
mod corpus {
    use std::path::Path;

    fn replay(target: &str, entry: fn(&[u8])) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
        let mut inputs = 0;
        for file in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = file.expect("a directory entry").path();
            let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(std::panic::catch_unwind(|| entry(&data)).is_ok(), "{} fails its checks", path.display());
            inputs += 1;
        }
        assert!(inputs > 0, "no corpus for {target}");
    }

    #[test]
    fn kgen_session_corpus() {
        replay("kgen_session", super::kgen_session);
    }

    #[test]
    fn elixir_response_corpus() {
        replay("elixir_response", super::elixir_response);
    }

    #[test]
    fn go_time_corpus() {
        replay("go_time", super::go_time);
    }

    #[test]
    fn http_response_corpus() {
        replay("http_response", super::http_response);
    }

    #[test]
    fn option_setters_corpus() {
        replay("option_setters", super::option_setters);
    }
}
