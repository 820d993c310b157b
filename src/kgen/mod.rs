//! KGeN server-to-server calls: session creation and generic S2S requests. Pure Rust; the C
//! boundary lives in `ffi::kgen`.

pub mod gotime;
pub mod profile;
pub mod session;

use crate::error::Error;
use crate::http::{self, Http, Method, Retry};
use crate::options::Options;
use crate::secret::Secret;
use profile::Profile;
use session::Session;
use std::sync::Arc;

pub(crate) const PRODUCTION_URL: &str = "https://prod-platform-protocols.kgen.io";
/// As in KGeN's own curl example (trailing slash included).
pub(crate) const SESSION_PATH: &str = "/s2s/session/";

/// A game server's KGeN credentials and connection. Shared by the client's workers.
pub struct Service {
    http: Arc<Http>,
    client_id: String,
    client_secret: Secret,
}

impl Service {
    /// One connection made ready for the next call (`kgen_client_prepare`).
    pub fn prepare_connection(&self) {
        self.http.prepare_connection();
    }

    pub fn new(client_id: &str, client_secret: &str, options: &Options) -> Result<Service, Error> {
        if client_id.trim().is_empty() {
            return Err(Error::invalid("client_id is empty"));
        }
        if client_secret.is_empty() {
            return Err(Error::invalid("client_secret is empty"));
        }
        http::check_header_value("client_id", client_id)?;
        http::check_header_value("client_secret", client_secret)?;
        Ok(Service {
            http: Http::new("kgen", options, PRODUCTION_URL)?,
            client_id: client_id.to_string(),
            client_secret: Secret::new(client_secret),
        })
    }

    /// Checked on the caller's thread so that bad input fails the call, not the callback.
    pub fn check_user_id(user_id: &str) -> Result<(), Error> {
        if user_id.is_empty() {
            return Err(Error::invalid("user_id is empty"));
        }
        Ok(())
    }

    /// `POST /s2s/session/`: creates or retrieves the player's KGeN session. `done` gets the
    /// response on the client's I/O thread (`session_from` reads the session out of it); the
    /// `Aborter` cancels it there.
    pub fn create_session(&self, user_id: &str, profile: &Profile, done: impl FnOnce(Result<http::Response, Error>) + Send + 'static) -> http::Aborter {
        let body = profile.request_body(user_id);
        // Create-or-retrieve: safe to send again after a transient failure.
        let request = self.prepare(Method::POST, SESSION_PATH, Some(&body), Retry::IfTransient);
        self.http.start(request, Box::new(done))
    }

    /// Any S2S call (arguments checked by `http::check_request`). `done` gets the response;
    /// `json_from` gives its body as JSON text ("null" for an empty body).
    pub fn request(&self, method: Method, path: &str, body_json: Option<&str>, done: impl FnOnce(Result<http::Response, Error>) + Send + 'static) -> http::Aborter {
        let request = self.prepare(method, path, body_json.map(str::as_bytes), Retry::for_method(method));
        self.http.start(request, Box::new(done))
    }

    fn prepare(&self, method: Method, path: &str, body: Option<&[u8]>, retry: Retry) -> http::Prepared {
        let headers = [("x-client-id", self.client_id.as_str()), ("x-client-secret", self.client_secret.expose())];
        self.http.prepare(method, path, path, &headers, body, retry)
    }
}

/// A 2xx response, or the error its status and body describe.
fn success(outcome: Result<http::Response, Error>) -> Result<http::Response, Error> {
    let response = outcome?;
    if !response.is_success() {
        return Err(response.error(crate::json::http_status_error("KGeN", response.status, &response.body)));
    }
    Ok(response)
}

pub fn session_from(outcome: Result<http::Response, Error>) -> Result<Session, Error> {
    let response = success(outcome)?;
    // A body we cannot use still came with an HTTP status: report it.
    Session::parse(&response.body).map_err(|e| e.with_status(response.status))
}

pub fn json_from(outcome: Result<http::Response, Error>) -> Result<String, Error> {
    let response = success(outcome)?;
    if response.body.iter().all(u8::is_ascii_whitespace) {
        return Ok("null".to_string());
    }
    match serde_json::from_slice::<serde_json::Value>(&response.body) {
        Ok(_) => Ok(String::from_utf8_lossy(&response.body).into_owned()),
        Err(_) => Err(crate::json::not_json("KGeN").with_status(response.status)),
    }
}
