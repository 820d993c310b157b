//! KGeN `/s2s/*` as the real service behaves (see shared/REFERENCE.md).

use crate::exchange::{Exchange, Reply};
use crate::util;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// Optional body fields the service echoes back.
const PROFILE_FIELDS: &[&str] = &[
    "name", "username", "email", "device_id", "phonenumber", "level", "rank", "date_joined", "playertag",
    "location", "location_name", "device_model", "screen_height", "screen_width", "os_name", "os_version",
    "browser_name", "fb_login", "google_login", "app_version",
];

pub struct Kgen {
    client_id: String,
    client_secret: String,
    client_name: String,
    players: HashMap<String, Map<String, Value>>,
    pub sessions_created: u64,
}

impl Kgen {
    pub fn new(client_id: &str, client_secret: &str) -> Kgen {
        Kgen {
            client_id: client_id.to_string(),
            client_secret: client_secret.to_string(),
            client_name: "GAMEGATE_EMULATOR_GAME".to_string(),
            players: HashMap::new(),
            sessions_created: 0,
        }
    }

    pub fn handle(&mut self, ex: &Exchange) -> Reply {
        let authorized = ex.header("x-client-id") == Some(self.client_id.as_str())
            && ex.header("x-client-secret") == Some(self.client_secret.as_str());
        if !authorized {
            return Reply::json(401, json!({"code": "UN_AUTHORIZED", "message": "invalid client credentials"}));
        }
        match (ex.method.as_str(), ex.route()) {
            ("POST", "/s2s/session") => self.session(ex),
            ("GET", "/s2s/loyalty/rewardable-events") => Reply::json(
                200,
                json!({"events": [{"event": "MATCH_WON", "points": 10}, {"event": "DAILY_LOGIN", "points": 2}]}),
            ),
            _ => Reply::not_found(&ex.path),
        }
    }

    fn session(&mut self, ex: &Exchange) -> Reply {
        let Some(body) = ex.json() else {
            return Reply::json(400, json!({"code": "BAD_REQUEST", "message": "body must be a JSON object"}));
        };
        let user_id = match body.get("user_id") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            _ => return Reply::json(400, json!({"code": "BAD_REQUEST", "message": "user_id is required"})),
        };
        let is_new_user = !self.players.contains_key(&user_id);
        let namespaced = format!("{}#{}", self.client_id, user_id);
        let profile = self.players.entry(user_id.clone()).or_default();
        for field in PROFILE_FIELDS {
            if let Some(value) = body.get(*field) {
                profile.insert(field.to_string(), value.clone());
            }
        }
        self.sessions_created += 1;
        let access_token = util::token("kgen-at-");
        let mut reply = json!({
            "session_id": util::uuid(),
            "user_id": user_id,
            "name": "", "username": "", "email": "", "device_id": "", "phonenumber": "",
            "level": 0, "rank": 0, "date_joined": "", "playertag": "", "location": "", "location_name": "",
            "device_model": "", "screen_height": "", "screen_width": "", "os_name": "", "os_version": "",
            "browser_name": "",
            "indigg_id": null,
            "indigg_wallet_address": "",
            "third_party_client_id": self.client_id,
            "third_party_client_name": self.client_name,
            "namespaced_third_party_user_id": namespaced,
            "wallet_address": util::wallet_for(&namespaced),
            "is_new_user": is_new_user,
            "access_token": access_token,
            "refresh_token": util::token("kgen-rt-"),
            "linked_phone": "",
            "session_start_time": util::go_time_now(),
            // The live service still sends this undocumented field; clients must ignore it.
            "token": access_token,
        });
        if let Value::Object(map) = &mut reply {
            for (k, v) in profile.iter() {
                map.insert(k.clone(), v.clone());
            }
        }
        Reply::json(200, reply)
    }
}
