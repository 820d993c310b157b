//! One HTTP exchange as the handlers see it: method, path, headers, JSON body in; status and
//! JSON out.

use serde_json::Value;

#[derive(Clone)]
pub struct Exchange {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// 1 for the first request on its connection, 2 for the next one, ...
    pub on_connection: u32,
    /// How long the connection sat idle between the previous answer and this request (zero
    /// for a connection's first request).
    pub idle_before: std::time::Duration,
}

impl Exchange {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Option<serde_json::Map<String, Value>> {
        match serde_json::from_slice(&self.body) {
            Ok(Value::Object(map)) => Some(map),
            _ => None,
        }
    }

    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k == name).then(|| percent_decode(v))
        })
    }

    /// The Bearer token of the `authorization` header.
    pub fn bearer(&self) -> Option<&str> {
        let value = self.header("authorization")?;
        value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer "))
    }

    /// Path without a trailing slash (the services accept both forms).
    pub fn route(&self) -> &str {
        if self.path.len() > 1 { self.path.trim_end_matches('/') } else { &self.path }
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    pub content_type: &'static str,
    /// A redirect target.
    pub location: Option<String>,
    /// A `Retry-After` header value.
    pub retry_after: Option<String>,
}

impl Reply {
    pub fn json(status: u16, value: Value) -> Reply {
        Reply::raw(status, value.to_string().into_bytes(), "application/json")
    }

    pub fn raw(status: u16, body: impl Into<Vec<u8>>, content_type: &'static str) -> Reply {
        Reply { status, body: body.into(), content_type, location: None, retry_after: None }
    }

    pub fn not_found(path: &str) -> Reply {
        Reply::json(404, serde_json::json!({"code": "NOT_FOUND", "message": format!("no route for {path}")}))
    }
}
