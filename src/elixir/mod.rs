//! Elixir player sign-in: every flow, the session store and authorized calls. Pure Rust; the
//! C boundary lives in `ffi::elixir`.
//!
//! Every flow runs on the client's I/O thread, the same road as a KGeN call. Following
//! `elixir_otp_verify`: the C entry (`ffi::elixir`) registers the request with the engine and
//! calls `Service::otp_verify`, which puts one exchange on the wire; its answer is read on
//! the I/O thread, where the session is stored and the listener's call queued (`changed`);
//! then the request's `Completion` queues the callback, which runs at the game's next tick
//! (in worker dispatch: at once, on the I/O thread). Calls that need an access token start
//! on the I/O thread, join or lead the one refresh in the air (`with_token`), and take their
//! next step from its landing; cancelling one aborts the step on the wire (`Flow`).

pub mod background;
pub mod envelope;
pub mod flow;
pub mod keeping;
pub mod server;
pub mod session;
pub mod store;

use crate::engine::Emitter;
use crate::error::{Error, GG_TIMEOUT};
use crate::http::{self, Http, Method};
use crate::options::Options;
use crate::secret::Secret;
use flow::{Done, FirstOf, Flow};
use serde_json::{json, Value};
use session::Session;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};
pub use store::SessionEvent;
use store::{Change, Flight, Store, Waiter};

pub(crate) const PRODUCTION_URL: &str = "https://kend.elixir.app";

/// Receives every session change with its reason: `Some` after a sign-in or refresh, `None`
/// when signed out or revoked.
pub type Listener = Arc<dyn Fn(SessionEvent, Option<&Session>) + Send + Sync>;

const REFRESH_PATH: &str = "/sdk/auth/v2/session/refresh";
/// How long a refresh's answer is awaited, whatever its caller's timeout: the server rotates
/// the refresh token when it executes the refresh, so a late answer is the session's only
/// future and is stored when it comes.
const REFRESH_ANSWER_WINDOW: Duration = Duration::from_secs(60);

/// The envelope's `data` and the HTTP status it came with.
type Answer = Result<(Value, u16), Error>;

pub struct Service {
    http: Arc<Http>,
    api_key: Secret,
    store: Store,
    refresh_margin_ms: i64,
    device: Mutex<Option<(String, String)>>,
    listener: Listener,
    /// Announces session changes in dispatch context, ahead of the callbacks queued after.
    emitter: Emitter,
    /// Present when background refresh is on.
    background: Option<background::Schedule>,
    /// The credential store the session is kept in, once attached.
    keeper: keeping::Keeper,
    /// What the I/O thread's closures hold: a freed client is not kept alive by its exchanges.
    me: Weak<Service>,
}

impl Service {
    pub fn new(api_key: &str, options: &Options, listener: Listener, emitter: Emitter) -> Result<Arc<Service>, Error> {
        check_api_key(api_key)?;
        let http = Http::new("elixir", options, PRODUCTION_URL)?;
        let service = Arc::new_cyclic(|me| Service {
            http,
            api_key: Secret::new(api_key),
            store: Store::default(),
            refresh_margin_ms: i64::try_from(options.refresh_margin.as_millis()).unwrap_or(i64::MAX),
            device: Mutex::new(None),
            listener,
            emitter,
            background: options.background_refresh.then(background::Schedule::default),
            keeper: keeping::Keeper::default(),
            me: me.clone(),
        });
        if service.background.is_some() {
            crate::app_life::listen(&(service.clone() as Arc<dyn crate::app_life::LifeListener>));
        }
        Ok(service)
    }

    /// What closures on other threads hold: a freed client is not kept alive by them.
    pub fn me(&self) -> Weak<Service> {
        self.me.clone()
    }

    /// One connection made ready for the next call (`elixir_client_prepare`).
    pub fn prepare_connection(&self) {
        self.http.prepare_connection();
    }

    /// Sent with OTP verify, as the official SDKs do.
    pub fn set_device(&self, model: &str, unique_id: &str) {
        *self.device.lock().unwrap_or_else(|p| p.into_inner()) = Some((model.to_string(), unique_id.to_string()));
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn restore(&self, refresh_token: &str) -> Result<(), Error> {
        if refresh_token.is_empty() {
            return Err(Error::invalid("refresh_token is empty"));
        }
        self.store.replace(Session::restored(refresh_token));
        self.reschedule_background(false);
        Ok(())
    }

    /// `signin/otp-login`: e-mails a code; `done` gets the transaction id.
    pub fn otp_request(&self, flow: &Flow, email: &str, done: Done<String>) {
        let request = self.prepare(Method::POST, Route::plain("/sdk/auth/v2/signin/otp-login"), Some(json!({ "email": email })), None);
        self.exchange(flow, request, move |_, answer| {
            done(answer.and_then(|(data, _)| match data.get("transactionId") {
                Some(Value::String(id)) if !id.is_empty() => Ok(id.clone()),
                _ => Err(crate::json::bad_response("Elixir's otp-login answer has no transactionId")),
            }))
        });
    }

    pub fn otp_verify(&self, flow: &Flow, transaction_id: &str, code: &str, done: Done<Session>) {
        let mut body = json!({ "transactionId": transaction_id, "code": code });
        if let Some((model, unique_id)) = self.device.lock().unwrap_or_else(|p| p.into_inner()).clone() {
            body["deviceModel"] = json!(model);
            body["deviceUniqueIdentifier"] = json!(unique_id);
        }
        self.sign_in(flow, Method::POST, Route::plain("/sdk/auth/v2/signin/otp-verify"), Some(body), done);
    }

    pub fn qr_verify(&self, flow: &Flow, qr_value: &str, done: Done<Session>) {
        self.sign_in(flow, Method::POST, Route::plain("/sdk/auth/v2/signin/qr-verify"), Some(json!({ "qrValue": qr_value })), done);
    }

    pub fn reikey_sign_in(&self, flow: &Flow, reikey: &str, done: Done<Session>) {
        let path = format!("/sdk/auth/v2/session/reikey/{}", path_segment(reikey));
        self.sign_in(flow, Method::GET, Route::secret(&path, "/sdk/auth/v2/session/reikey/***"), None, done);
    }

    /// Ends a launcher session (`closerei`); the local session is left as it is.
    pub fn close_reikey(&self, flow: &Flow, reikey: &str, done: Done<()>) {
        let path = format!("/sdk/auth/v2/session/closerei/{}", path_segment(reikey));
        let request = self.prepare(Method::POST, Route::secret(&path, "/sdk/auth/v2/session/closerei/***"), Some(json!({})), None);
        self.exchange(flow, request, move |_, answer| done(answer.map(drop)));
    }

    /// Refreshes now, or joins the refresh in the air. Cancelling stops the wait, never the
    /// refresh: its answer is the session's future and lands whenever it comes.
    pub fn refresh(&self, flow: &Flow, done: Done<Session>) {
        let flow = flow.clone();
        self.on_io_thread(done, move |service, done| match flow.is_cancelled() {
            true => done(Err(Error::cancelled())),
            false => service.join_refresh(Some(service.http.timeout()), done),
        });
    }

    /// Signs out on the server, and always locally (the listener hears `None`).
    pub fn sign_out(&self, flow: &Flow, done: Done<()>) {
        let flow = flow.clone();
        self.on_io_thread(done, move |service, done| {
            service.with_token(&flow.clone(), move |service, token| match token {
                Ok(token) => {
                    let request = service.prepare(Method::POST, Route::plain("/sdk/auth/v2/session/signout"), Some(json!({})), Some(&token));
                    service.exchange(&flow, request, move |service, answer| {
                        service.clear_locally();
                        done(answer.map(drop));
                    });
                }
                Err(error) => {
                    service.clear_locally();
                    done(Err(error));
                }
            })
        });
    }

    /// An authorized call on any path; `done` gets the envelope's `data` as JSON text.
    pub fn request(&self, flow: &Flow, method: Method, path: String, body: Option<Value>, done: Done<String>) {
        let flow = flow.clone();
        self.on_io_thread(done, move |service, done| {
            service.with_token(&flow.clone(), move |service, token| match token {
                Ok(token) => {
                    // The game's own authorized calls: GETs may be retried; sign-in flows never are.
                    let route = Route { path: &path, log_as: &path, retry: http::Retry::for_method(method) };
                    let request = service.prepare(method, route, body, Some(&token));
                    service.exchange(&flow, request, move |_, answer| done(answer.map(|(data, _)| data.to_string())));
                }
                Err(error) => done(Err(error)),
            })
        });
    }

    /// Hands `then` a token valid beyond the refresh margin, refreshing first when needed.
    /// Runs on the I/O thread.
    fn with_token(&self, flow: &Flow, then: impl FnOnce(&Service, Result<Secret, Error>) + Send + 'static) {
        match self.store.fresh_token(now_ms(), self.refresh_margin_ms) {
            Ok(Some(token)) => then(self, Ok(token)),
            Err(error) => then(self, Err(error)),
            Ok(None) if flow.is_cancelled() => then(self, Err(Error::cancelled())),
            Ok(None) => {
                let me = self.me.clone();
                self.join_refresh(
                    Some(self.http.timeout()),
                    Box::new(move |refreshed: Result<Session, Error>| {
                        if let Some(service) = me.upgrade() {
                            then(&service, refreshed.map(|session| session.token));
                        }
                    }),
                );
            }
        }
    }

    /// Leads a refresh or joins the one in the air; `done` hears its landing, or `GG_TIMEOUT`
    /// once `limit` has passed (the refresh itself keeps listening for its answer).
    fn join_refresh(&self, limit: Option<Duration>, done: Done<Session>) {
        let waiter: Waiter = match limit {
            Some(limit) => self.answered_within(limit, refresh_not_answered, done),
            None => done,
        };
        match self.store.join_or_lead(waiter) {
            Err((error, waiter)) => waiter(Err(error)),
            Ok(Flight::Joined) => {}
            Ok(Flight::Lead { refresh_token, epoch }) => {
                let body = json!({ "refreshToken": refresh_token.expose() });
                let request = self.prepare(Method::POST, Route::plain(REFRESH_PATH), Some(body), None).listen_for(REFRESH_ANSWER_WINDOW);
                let landing = Landing { service: self.me.clone(), epoch, landed: false };
                let _keeps_listening_after_a_cancel = self.http.start(
                    request,
                    Box::new(move |outcome| {
                        let session = outcome.and_then(|response| envelope::open_response(&response)).and_then(|data| Session::parse(&data));
                        landing.land(session);
                    }),
                );
            }
        }
    }

    fn sign_in(&self, flow: &Flow, method: Method, route: Route, body: Option<Value>, done: Done<Session>) {
        let request = self.prepare(method, route, body, None);
        self.exchange(flow, request, move |service, answer| {
            // The envelope said success; a session we cannot read still came with a status.
            let signed_in = answer.and_then(|(data, status)| Session::parse(&data).map_err(|e| e.with_status(status)));
            if let Ok(session) = &signed_in {
                service.store.replace(session.clone());
                service.changed(Change::Stored(session.clone(), SessionEvent::SignedIn));
            }
            done(signed_in);
        });
    }

    fn clear_locally(&self) {
        if self.store.clear() {
            self.changed(Change::Cleared(SessionEvent::SignedOut));
        }
    }

    /// A session change: the listener hears it in dispatch context, ahead of any callback
    /// queued after it, and the background refresh plans again.
    fn changed(&self, change: Change) {
        let (event, session) = match change {
            Change::Stored(session, event) => (event, Some(session)),
            Change::Cleared(event) => (event, None),
            Change::Unchanged => return,
        };
        // Written to the credential store before the game hears of it: the store write is a
        // gate in the completion queue that holds back the event and every callback after it.
        self.keep(session.as_ref());
        let listener = self.listener.clone();
        self.emitter.emit(move || listener(event, session.as_ref()));
        self.reschedule_background(false);
    }

    /// Runs `step` on the I/O thread. If the client is freed first, `done` is dropped unrun
    /// (its request was already answered with `GG_SHUTDOWN`).
    fn on_io_thread<T: 'static>(&self, done: Done<T>, step: impl FnOnce(&Service, Done<T>) + Send + 'static) {
        let me = self.me.clone();
        self.http.on_io_thread(Box::new(move || {
            if let Some(service) = me.upgrade() {
                step(&service, done);
            }
        }));
    }

    /// `done`, answered with `late()` once `limit` has passed without its own answer (which is
    /// then dropped); the deadline is an alarm on the I/O thread, cleared by the answer.
    fn answered_within<T: 'static>(&self, limit: Duration, late: fn() -> Error, done: Done<T>) -> Done<T> {
        let first = FirstOf::new(done);
        let deadline = {
            let first = first.clone();
            self.http.at(Instant::now() + limit, Box::new(move || {
                let _ = first.deliver(Err(late()));
            }))
        };
        Box::new(move |result| {
            if first.deliver(result) {
                deadline.abort();
            }
        })
    }

    /// Sends one step of `flow`; `then` gets the envelope's data on the I/O thread.
    fn exchange(&self, flow: &Flow, request: http::Prepared, then: impl FnOnce(&Service, Answer) + Send + 'static) {
        let me = self.me.clone();
        flow.send(
            &self.http,
            request,
            Box::new(move |outcome| {
                let answer = outcome.and_then(|response| envelope::open_response(&response).map(|data| (data, response.status)));
                if let Some(service) = me.upgrade() {
                    then(&service, answer);
                }
            }),
        );
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

/// A game's Elixir API key: sent as a header with every request, so never empty and never a
/// CR/LF that would let it inject another header.
fn check_api_key(api_key: &str) -> Result<(), Error> {
    if api_key.is_empty() {
        return Err(Error::invalid("api_key is empty"));
    }
    http::check_header_value("api_key", api_key)
}

fn refresh_not_answered() -> Error {
    Error::new(
        GG_TIMEOUT,
        "the session refresh was not answered within the request timeout; GameGate keeps listening for its answer \
         and stores the new session (telling the session listener) if it arrives",
    )
}

/// Where a refresh's answer goes, on the I/O thread: into the store, to the listener, to the
/// callers still waiting. If the exchange ends without an answer at all, dropping it lands
/// the refresh as shut down, so the flight never hangs in the air.
struct Landing {
    service: Weak<Service>,
    epoch: u64,
    landed: bool,
}

impl Landing {
    fn land(mut self, result: Result<Session, Error>) {
        self.landed = true;
        if let Some(service) = self.service.upgrade() {
            service.store.land(self.epoch, result, |change| service.changed(change));
        }
    }
}

impl Drop for Landing {
    fn drop(&mut self) {
        if !self.landed {
            if let Some(service) = self.service.upgrade() {
                service.store.land(self.epoch, Err(Error::shutdown()), |_| {});
            }
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
