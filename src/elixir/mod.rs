//! Elixir player sign-in: every flow, the session store and authorized calls. Pure Rust; the
//! C boundary lives in `ffi::elixir`. Methods run on the engine's workers; session changes are
//! announced through `JobContext::emit`, so the listener runs in dispatch context before the
//! call's own callback.

pub mod background;
pub mod envelope;
pub mod session;
pub mod store;

use crate::engine::{Emitter, JobContext};
use crate::error::Error;
use crate::http::{self, Http};
use crate::options::Options;
use crate::secret::Secret;
use serde_json::{json, Value};
use session::Session;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use store::{Change, Flight, Store};
use crate::http::Method;

pub(crate) const PRODUCTION_URL: &str = "https://kend.elixir.app";

/// Receives every session change: `Some` after a sign-in or refresh, `None` when signed out.
pub type Listener = Arc<dyn Fn(Option<&Session>) + Send + Sync>;

const REFRESH_PATH: &str = "/sdk/auth/v2/session/refresh";
/// How long a refresh's answer is awaited, whatever its caller's timeout: the server rotates
/// the refresh token when it executes the refresh, so a late answer is the session's only
/// future and is stored when it comes.
const REFRESH_ANSWER_WINDOW: Duration = Duration::from_secs(60);

pub struct Service {
    http: Arc<Http>,
    api_key: Secret,
    store: Arc<Store>,
    refresh_margin_ms: i64,
    device: Mutex<Option<(String, String)>>,
    listener: Listener,
}

impl Service {
    pub fn new(api_key: &str, options: &Options, listener: Listener) -> Result<Service, Error> {
        if api_key.is_empty() {
            return Err(Error::invalid("api_key is empty"));
        }
        http::check_header_value("api_key", api_key)?;
        Ok(Service {
            http: Http::new("elixir", options, PRODUCTION_URL)?,
            api_key: Secret::new(api_key),
            store: Arc::new(Store::default()),
            refresh_margin_ms: i64::try_from(options.refresh_margin.as_millis()).unwrap_or(i64::MAX),
            device: Mutex::new(None),
            listener,
        })
    }

    /// Sent with OTP verify, as the official SDKs do.
    pub fn set_device(&self, model: &str, unique_id: &str) {
        *self.device.lock().unwrap_or_else(|p| p.into_inner()) = Some((model.to_string(), unique_id.to_string()));
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// For the background refresh: milliseconds until the token should be refreshed (<= 0:
    /// now), or `None` when there is no session. Tokens that live shorter than twice the margin
    /// are refreshed at half-life, so a short life never turns into a refresh loop.
    pub fn background_refresh_due_in_ms(&self) -> Option<i64> {
        let session = self.store.current()?;
        if session.token.is_empty() {
            return Some(0); // restored from a refresh token only
        }
        let lead = self.refresh_margin_ms.min(session.token_life_ms / 2).max(0);
        Some(session.token_expiry_ms.saturating_sub(lead).saturating_sub(now_ms()))
    }

    pub fn restore(&self, refresh_token: &str) -> Result<(), Error> {
        if refresh_token.is_empty() {
            return Err(Error::invalid("refresh_token is empty"));
        }
        self.store.replace(Session::restored(refresh_token));
        Ok(())
    }

    /// `signin/otp-login`: e-mails a code; returns the transaction id.
    pub fn otp_request(&self, email: &str) -> Result<String, Error> {
        let data = self.call(Method::POST, Route::plain("/sdk/auth/v2/signin/otp-login"), Some(json!({ "email": email })), None)?;
        match data.get("transactionId") {
            Some(Value::String(id)) if !id.is_empty() => Ok(id.clone()),
            _ => Err(crate::json::bad_response("Elixir's otp-login answer has no transactionId")),
        }
    }

    pub fn otp_verify(&self, ctx: &JobContext, transaction_id: &str, code: &str) -> Result<Session, Error> {
        let mut body = json!({ "transactionId": transaction_id, "code": code });
        if let Some((model, unique_id)) = self.device.lock().unwrap_or_else(|p| p.into_inner()).clone() {
            body["deviceModel"] = json!(model);
            body["deviceUniqueIdentifier"] = json!(unique_id);
        }
        self.sign_in(ctx, Method::POST, Route::plain("/sdk/auth/v2/signin/otp-verify"), Some(body))
    }

    pub fn qr_verify(&self, ctx: &JobContext, qr_value: &str) -> Result<Session, Error> {
        self.sign_in(ctx, Method::POST, Route::plain("/sdk/auth/v2/signin/qr-verify"), Some(json!({ "qrValue": qr_value })))
    }

    pub fn reikey_sign_in(&self, ctx: &JobContext, reikey: &str) -> Result<Session, Error> {
        let path = format!("/sdk/auth/v2/session/reikey/{}", path_segment(reikey));
        self.sign_in(ctx, Method::GET, Route::secret(&path, "/sdk/auth/v2/session/reikey/***"), None)
    }

    /// Ends a launcher session (`closerei`); the local session is left as it is.
    pub fn close_reikey(&self, reikey: &str) -> Result<(), Error> {
        let path = format!("/sdk/auth/v2/session/closerei/{}", path_segment(reikey));
        self.call(Method::POST, Route::secret(&path, "/sdk/auth/v2/session/closerei/***"), Some(json!({})), None).map(|_| ())
    }

    /// Refreshes now, or joins the refresh in the air. The refresh lands on the I/O thread
    /// when its answer arrives, even after this caller gave up waiting (its timeout).
    pub fn refresh(&self, ctx: &JobContext) -> Result<Session, Error> {
        let ticket = match self.store.join_or_lead()? {
            Flight::Join { ticket } => ticket,
            Flight::Lead { refresh_token, epoch, ticket } => {
                let body = json!({ "refreshToken": refresh_token.expose() });
                let request = self.prepare(Method::POST, Route::plain(REFRESH_PATH), Some(body), None).listen_for(REFRESH_ANSWER_WINDOW);
                let landing = Landing { store: self.store.clone(), epoch, listener: self.listener.clone(), emitter: ctx.emitter(), landed: false };
                let _keeps_listening_after_a_cancel = self.http.start(
                    request,
                    Box::new(move |outcome| {
                        let session = outcome.and_then(|response| envelope::open(response.status, &response.body)).and_then(|data| Session::parse(&data));
                        landing.land(session);
                    }),
                );
                ticket
            }
        };
        self.store.wait(ticket, Some(self.http.timeout()))
    }

    /// Signs out on the server, and always locally (the listener hears `None`).
    pub fn sign_out(&self, ctx: &JobContext) -> Result<(), Error> {
        let result = self
            .access_token(ctx)
            .and_then(|token| self.call(Method::POST, Route::plain("/sdk/auth/v2/session/signout"), Some(json!({})), Some(&token)));
        if self.store.clear() {
            self.announce(ctx, Change::Cleared);
        }
        result.map(|_| ())
    }

    /// An authorized call on any path; returns the envelope's `data` as JSON text.
    pub fn request(&self, ctx: &JobContext, method: &str, path: &str, body: Option<&str>) -> Result<String, Error> {
        let method = http::parse_method(method)?;
        let body = body.map(serde_json::from_str::<Value>).transpose().map_err(|_| Error::invalid("body_json is not valid JSON"))?;
        let token = self.access_token(ctx)?;
        // The game's own authorized calls: GETs may be retried; sign-in flows never are.
        let route = Route { path, log_as: path, retry: http::Retry::for_method(method) };
        let data = self.call(method, route, body, Some(&token))?;
        Ok(data.to_string())
    }

    /// A token valid beyond the refresh margin, refreshing first when needed.
    fn access_token(&self, ctx: &JobContext) -> Result<Secret, Error> {
        match self.store.fresh_token(now_ms(), self.refresh_margin_ms)? {
            Some(token) => Ok(token),
            None => self.refresh(ctx).map(|session| session.token),
        }
    }

    fn sign_in(&self, ctx: &JobContext, method: Method, route: Route, body: Option<Value>) -> Result<Session, Error> {
        let (data, status) = self.call_with_status(method, route, body, None)?;
        // The envelope said success; a session we cannot read still came with a status.
        let session = Session::parse(&data).map_err(|e| e.with_status(status))?;
        self.store.replace(session.clone());
        self.announce(ctx, Change::Stored(session.clone()));
        Ok(session)
    }

    /// Within a job: delivered with the job's result, the listener first.
    fn announce(&self, ctx: &JobContext, change: Change) {
        if let Some(event) = listener_call(&self.listener, change) {
            ctx.emit(event);
        }
    }

    fn call(&self, method: Method, route: Route, body: Option<Value>, bearer: Option<&Secret>) -> Result<Value, Error> {
        self.call_with_status(method, route, body, bearer).map(|(data, _)| data)
    }

    /// The envelope's `data` and the HTTP status it came with.
    fn call_with_status(&self, method: Method, route: Route, body: Option<Value>, bearer: Option<&Secret>) -> Result<(Value, u16), Error> {
        let response = self.http.wait_for(self.prepare(method, route, body, bearer))?;
        envelope::open(response.status, &response.body).map(|data| (data, response.status))
    }

    fn prepare(&self, method: Method, route: Route, body: Option<Value>, bearer: Option<&Secret>) -> http::Prepared {
        let authorization = bearer.map(|t| format!("Bearer {}", t.expose())).map(Secret::new);
        let mut headers = vec![("x-api-key", self.api_key.expose())];
        if let Some(value) = &authorization {
            headers.push(("authorization", value.expose()));
        }
        // Request bodies carry OTP codes and refresh tokens: wiped when sent.
        let body = body.map(|b| crate::secret::SecretBytes::new(b.to_string().into_bytes()));
        self.http.prepare(method, route.path, route.log_as, &headers, body.as_ref().map(|b| b.as_slice()), route.retry)
    }
}

/// The listener's call for a session change, to run in dispatch context (none when nothing
/// changed).
fn listener_call(listener: &Listener, change: Change) -> Option<impl FnOnce() + Send + 'static> {
    let listener = listener.clone();
    let session = match change {
        Change::Stored(session) => Some(session),
        Change::Cleared => None,
        Change::Unchanged => return None,
    };
    Some(move || listener(session.as_ref()))
}

/// Where a refresh's answer goes, on the I/O thread: into the store, to the listener, to the
/// callers still waiting. If the exchange ends without an answer at all (the client was
/// freed), dropping it lands the refresh as shut down, so the flight never hangs in the air.
struct Landing {
    store: Arc<Store>,
    epoch: u64,
    listener: Listener,
    emitter: Emitter,
    landed: bool,
}

impl Landing {
    fn land(mut self, result: Result<Session, Error>) {
        self.landed = true;
        self.store.land(self.epoch, result, |change| {
            if let Some(event) = listener_call(&self.listener, change) {
                self.emitter.emit(event);
            }
        });
    }
}

impl Drop for Landing {
    fn drop(&mut self) {
        if !self.landed {
            self.store.land(self.epoch, Err(Error::shutdown()), |_| {});
        }
    }
}

/// A request path, what log lines may show of it, and whether it may be retried.
struct Route<'a> {
    path: &'a str,
    log_as: &'a str,
    retry: http::Retry,
}

impl<'a> Route<'a> {
    /// Sign-in and session flows: never sent twice.
    fn plain(path: &'a str) -> Route<'a> {
        Route { path, log_as: path, retry: http::Retry::Never }
    }

    /// For paths that carry a credential (launcher rei-keys).
    fn secret(path: &'a str, log_as: &'a str) -> Route<'a> {
        Route { path, log_as, retry: http::Retry::Never }
    }
}

/// Percent-encodes a value used as one path segment (rei-keys are opaque).
fn path_segment(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
