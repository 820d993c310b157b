//! Elixir `/sdk/auth/v2/*` and `/sdk/v2/*` as the real service behaves (see
//! shared/REFERENCE.md): envelopes, numeric and string error codes, rotating refresh tokens,
//! 64-bit token lifetimes, launcher rei-keys.

use crate::exchange::{Exchange, Reply};
use crate::signed::Verifier;
use crate::util;
use serde_json::{json, Value};
use std::collections::HashMap;

pub const OTP_LIFE_MS: i64 = 5 * 60 * 1000;

struct Player {
    id: String,
    email: String,
}

struct Otp {
    email: String,
    code: String,
    expires_ms: i64,
}

struct Session {
    player_id: String,
    access_token: String,
    access_expiry_ms: i64,
}

#[derive(Default, Clone, Copy)]
pub struct Counters {
    pub otp_requests: u64,
    pub otp_verifies: u64,
    pub refreshes: u64,
    pub signouts: u64,
    pub reikey_sign_ins: u64,
    pub authorized_calls: u64,
    pub signed_calls: u64,
    pub signed_refusals: u64,
}

pub struct Elixir {
    api_key: String,
    pub token_life_ms: i64,
    pub echo_log: bool,
    players: HashMap<String, Player>, // by e-mail
    otps: HashMap<String, Otp>,       // by transaction id
    /// The newest code per e-mail, for the development endpoint.
    latest_code: HashMap<String, (String, String)>,
    qr_values: HashMap<String, String>, // qr value -> e-mail
    reikeys: HashMap<String, String>,   // rei-key -> e-mail
    sessions: HashMap<String, Session>, // by refresh token (the live one only)
    pub counters: Counters,
    pub last_device: (String, String),
    pub signatures: Verifier,
    /// Game stats accepted through signed calls, as sent.
    game_stats: Vec<Value>,
}

impl Elixir {
    pub fn new(api_key: &str, token_life_ms: i64) -> Elixir {
        Elixir {
            api_key: api_key.to_string(),
            token_life_ms,
            echo_log: true,
            players: HashMap::new(),
            otps: HashMap::new(),
            latest_code: HashMap::new(),
            qr_values: HashMap::new(),
            reikeys: HashMap::new(),
            sessions: HashMap::new(),
            counters: Counters::default(),
            last_device: Default::default(),
            signatures: Verifier::new(),
            game_stats: Vec::new(),
        }
    }

    pub fn handle(&mut self, ex: &Exchange) -> Reply {
        if ex.header("x-api-key") != Some(self.api_key.as_str()) {
            return fail(json!(1001), Some("Invalid API Key"));
        }
        let route = ex.route();
        if let Some(key) = route.strip_prefix("/sdk/auth/v2/session/reikey/") {
            return if ex.method == "GET" { self.reikey_sign_in(key) } else { Reply::not_found(&ex.path) };
        }
        if let Some(key) = route.strip_prefix("/sdk/auth/v2/session/closerei/") {
            return if ex.method == "POST" { self.close_reikey(key) } else { Reply::not_found(&ex.path) };
        }
        match (ex.method.as_str(), route) {
            ("POST", "/sdk/auth/v2/signin/otp-login") => self.otp_login(ex),
            ("POST", "/sdk/auth/v2/signin/otp-verify") => self.otp_verify(ex),
            ("POST", "/sdk/auth/v2/signin/qr-verify") => self.qr_verify(ex),
            ("POST", "/sdk/auth/v2/session/refresh") => self.refresh(ex),
            ("POST", "/sdk/auth/v2/session/signout") => self.sign_out(ex),
            ("GET", "/sdk/auth/v2/dev/reikey") => self.dev_reikey(ex),
            ("GET", "/sdk/v2/userinfo") => self.userinfo(ex),
            ("GET", "/sdk/v2/friends") => self.authorized(ex, |_, _| json!([])),
            ("GET", "/sdk/v2/nfts/user") => self.authorized(ex, |_, _| json!([])),
            ("GET", "/sdk/v2/tournaments") => self.authorized(ex, |_, _| json!([])),
            ("POST", "/sdk/v2/game-stats") => self.signed(ex, |elixir| {
                let stats = serde_json::from_slice(&ex.body).unwrap_or(Value::Null);
                elixir.game_stats.push(stats.clone());
                json!({"accepted": true, "stats": stats})
            }),
            ("GET", "/sdk/v2/game-stats") => self.signed(ex, |elixir| json!({"count": elixir.game_stats.len()})),
            _ => Reply::not_found(&ex.path),
        }
    }

    fn otp_login(&mut self, ex: &Exchange) -> Reply {
        let email = ex.json().and_then(|b| b.get("email").and_then(Value::as_str).map(str::to_string)).unwrap_or_default();
        if !email.contains('@') || email.len() > 254 {
            return fail(json!(1000), Some("Invalid email"));
        }
        self.counters.otp_requests += 1;
        let transaction_id = format!("OTP:{}", util::uuid());
        let code = util::otp_code();
        if self.echo_log {
            println!("[gamegate-emulator] Elixir sign-in code for {email}: {code}");
        }
        self.latest_code.insert(email.to_ascii_lowercase(), (transaction_id.clone(), code.clone()));
        self.otps.insert(transaction_id.clone(), Otp { email, code, expires_ms: util::now_ms() + OTP_LIFE_MS });
        ok(json!({"transactionId": transaction_id}))
    }

    fn otp_verify(&mut self, ex: &Exchange) -> Reply {
        let body = ex.json().unwrap_or_default();
        let text = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        let (transaction_id, code) = (text("transactionId"), text("code"));
        self.counters.otp_verifies += 1;
        let valid = matches!(self.otps.get(&transaction_id), Some(otp) if otp.code == code && otp.expires_ms > util::now_ms());
        if !valid {
            return fail(json!(1000), Some("Invalid Credentials!"));
        }
        // The device of the last sign-in: a refused verify (a straggler of an earlier suite,
        // held by a latency fault past its client's end) must not overwrite it.
        self.last_device = (text("deviceModel"), text("deviceUniqueIdentifier"));
        // A code works once.
        let otp = self.otps.remove(&transaction_id).expect("checked above");
        let new_account = !self.players.contains_key(&otp.email.to_ascii_lowercase());
        let mut data = self.issue_session(&otp.email);
        data["newAccount"] = json!(new_account);
        ok(data)
    }

    fn qr_verify(&mut self, ex: &Exchange) -> Reply {
        let qr = ex.json().and_then(|b| b.get("qrValue").and_then(Value::as_str).map(str::to_string)).unwrap_or_default();
        let Some(email) = self.qr_values.remove(&qr) else {
            return fail(json!(1000), Some("Invalid Credentials!"));
        };
        let mut data = self.issue_session(&email);
        // The QR flow returns tokens only.
        if let Value::Object(map) = &mut data {
            map.remove("user");
        }
        ok(data)
    }

    fn reikey_sign_in(&mut self, key: &str) -> Reply {
        let Some(email) = self.reikeys.get(key).cloned() else {
            return fail(json!(1000), Some("Invalid Credentials!"));
        };
        self.counters.reikey_sign_ins += 1;
        ok(self.issue_session(&email))
    }

    fn close_reikey(&mut self, key: &str) -> Reply {
        match self.reikeys.remove(key) {
            Some(_) => ok(json!({"closed": true})),
            None => fail(json!(1000), Some("Invalid Credentials!")),
        }
    }

    fn dev_reikey(&mut self, ex: &Exchange) -> Reply {
        let player = ex.query_param("playerId").filter(|p| !p.is_empty()).unwrap_or_else(|| "launcher-player".to_string());
        let reikey = self.issue_reikey(&player);
        ok(json!({"reikey": reikey, "playerId": player}))
    }

    /// Development: a launcher key for `player`, valid until closed.
    pub fn issue_reikey(&mut self, player: &str) -> String {
        let reikey = util::uuid();
        self.reikeys.insert(reikey.clone(), format!("{player}@launcher.emulator"));
        reikey
    }

    fn refresh(&mut self, ex: &Exchange) -> Reply {
        let token = ex.json().and_then(|b| b.get("refreshToken").and_then(Value::as_str).map(str::to_string)).unwrap_or_default();
        self.counters.refreshes += 1;
        // Rotation: the presented token dies whether or not it was valid.
        let Some(old) = self.sessions.remove(&token) else {
            return Reply::json(400, json!({"code": -1, "success": false, "error": {"status": 400, "code": "INVALID_REFRESH_TOKEN"}}));
        };
        let email = self.players.values().find(|p| p.id == old.player_id).map(|p| p.email.clone()).unwrap_or_default();
        ok(self.issue_session(&email))
    }

    fn sign_out(&mut self, ex: &Exchange) -> Reply {
        let Some(refresh) = self.session_of(ex.bearer()) else {
            return fail(json!(1000), Some("Invalid Credentials!"));
        };
        self.sessions.remove(&refresh);
        self.counters.signouts += 1;
        ok(json!({"message": "Session closed successfully for this device"}))
    }

    fn userinfo(&mut self, ex: &Exchange) -> Reply {
        self.authorized(ex, |player, wallet| {
            json!({
                "sub": player.id,
                "wallets": [format!("ETH:{wallet}")],
                "nickname": player.email.split('@').next().unwrap_or_default(),
                "picture": "",
                "status": "ACTIVE",
                "email": player.email,
            })
        })
    }

    /// A server-side call: answered by `data` only when its signature checks out.
    fn signed(&mut self, ex: &Exchange, data: impl FnOnce(&mut Elixir) -> Value) -> Reply {
        match self.signatures.check(ex, util::now_ms()) {
            Ok(()) => {
                self.counters.signed_calls += 1;
                ok(data(self))
            }
            Err((code, message)) => {
                self.counters.signed_refusals += 1;
                fail(json!(code), Some(message))
            }
        }
    }

    fn authorized(&mut self, ex: &Exchange, data: impl FnOnce(&Player, &str) -> Value) -> Reply {
        let Some(token) = ex.bearer() else {
            return fail(json!(1001), Some("jwt must be provided"));
        };
        let Some(session) = self.sessions.values().find(|s| s.access_token == token) else {
            return fail(json!(1001), Some("invalid signature"));
        };
        if session.access_expiry_ms <= util::now_ms() {
            return fail(json!(1001), Some("jwt expired"));
        }
        let player_id = session.player_id.clone();
        self.counters.authorized_calls += 1;
        let player = self.players.values().find(|p| p.id == player_id).expect("sessions belong to players");
        ok(data(player, &util::wallet_for(&player.id)))
    }

    /// The refresh token of the session whose access token is `bearer`, if it is still valid.
    fn session_of(&self, bearer: Option<&str>) -> Option<String> {
        let bearer = bearer?;
        let now = util::now_ms();
        self.sessions.iter().find(|(_, s)| s.access_token == bearer && s.access_expiry_ms > now).map(|(rt, _)| rt.clone())
    }

    fn issue_session(&mut self, email: &str) -> Value {
        let key = email.to_ascii_lowercase();
        let player = self.players.entry(key).or_insert_with(|| Player { id: format!("{:024x}", util::random_u64() as u128 * 7919), email: email.to_string() });
        let player_id = player.id.clone();
        let access_token = format!("eyJhbGciOiJIUzUxMiJ9.{}", util::token(""));
        let refresh_token = util::token("");
        let expiry = util::now_ms() + self.token_life_ms;
        self.sessions.insert(
            refresh_token.clone(),
            Session { player_id: player_id.clone(), access_token: access_token.clone(), access_expiry_ms: expiry },
        );
        json!({
            "token": access_token,
            "tokenExpiry": expiry,
            "tokenLifeMS": self.token_life_ms,
            "refreshToken": refresh_token,
            "user": {"_id": player_id, "status": "ACTIVE", "banReason": null},
        })
    }

    /// Development: the newest code sent to `email` and its transaction.
    pub fn latest_code(&self, email: &str) -> Option<(String, String)> {
        self.latest_code.get(&email.to_ascii_lowercase()).cloned()
    }

    /// Development: a fresh QR value that signs `email` in once.
    pub fn issue_qr(&mut self, email: &str) -> String {
        let value = format!("REIKEY:{}", util::uuid());
        self.qr_values.insert(value.clone(), email.to_string());
        value
    }

    /// Development: make every live access token expire now.
    pub fn expire_access_tokens(&mut self) {
        let past = util::now_ms() - 1;
        for session in self.sessions.values_mut() {
            session.access_expiry_ms = past;
        }
    }
}

fn ok(data: Value) -> Reply {
    Reply::json(200, json!({"code": 1, "success": true, "data": data}))
}

/// The service's error envelope; `message` is absent for string codes like INVALID_REFRESH_TOKEN.
fn fail(code: Value, message: Option<&str>) -> Reply {
    let mut error = json!({"status": 400, "code": code});
    if let Some(m) = message {
        error["message"] = json!(m);
    }
    Reply::json(400, json!({"code": -1, "success": false, "error": error}))
}
