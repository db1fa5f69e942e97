//! The `--ec2` console: a page at `/` to switch profiles and type MFA codes, and the
//! JSON calls behind it. Only the user can drive it:
//!
//! - every POST carries `X-Aws-Runas-Token`, a per-process secret that only the page we serve
//!   holds (in `<meta name="aws-runas-token">`); another origin cannot read our page (no CORS),
//!   so it cannot learn it;
//! - a POST with an `Origin` must come from our own origin (`null` is foreign);
//! - the Host check of every path (`http.rs`) stops DNS rebinding.
//!
//! A switch keeps every profile's cache; the instance-metadata paths serve the new profile from
//! the moment the switch answers 200.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::holder::{Fetch, Holder, Identity, Want};
use super::http::{constant_time_eq, Reply, Request};
use super::json;
use crate::credentials::MfaCode;

/// Refused MFA codes in a row after which `POST /mfa` is refused, without asking AWS, for
/// [`LOCKOUT`]: a page or process guessing codes gets 3 tries, not a million.
const MAX_REFUSED: u32 = 3;
const LOCKOUT: Duration = Duration::from_secs(30);

/// The refused MFA codes in a row, and until when `POST /mfa` is refused.
#[derive(Default)]
struct Refusals {
    in_a_row: u32,
    until: Option<Instant>,
}

/// The page; `{{TOKEN}}` is replaced by the per-process secret.
const PAGE: &str = include_str!("console.html");

/// Opens a profile: whom its credentials are for, and its fetch.
pub type Opener = Box<dyn Fn(&str) -> Result<(Identity, Fetch), String> + Send + Sync>;

/// What waits for an MFA code.
enum Pending {
    /// A switch to this profile.
    Switch { identity: Identity, fetch: Fetch },
    /// New credentials for the current profile.
    Refresh,
}

/// The console of one `--ec2` endpoint.
pub struct Console {
    holder: Arc<Holder>,
    token: String,
    /// Our origins (`http://127.0.0.1:<port>`, and the same with `localhost`, `[::1]`).
    origins: Vec<String>,
    /// The config's role profiles, sorted.
    profiles: Vec<String>,
    open: Opener,
    pending: Mutex<Option<Pending>>,
    refusals: Mutex<Refusals>,
}

impl Console {
    pub fn new(
        holder: Arc<Holder>,
        token: String,
        port: u16,
        profiles: Vec<String>,
        open: Opener,
    ) -> Console {
        let origins = ["127.0.0.1", "localhost", "[::1]"]
            .iter()
            .map(|host| format!("http://{host}:{port}"))
            .collect();
        Console {
            holder,
            token,
            origins,
            profiles,
            open,
            pending: Mutex::new(None),
            refusals: Mutex::new(Refusals::default()),
        }
    }

    /// Answers a console path; `None` for the other paths.
    pub fn handle(&self, request: &Request) -> Option<Reply> {
        let path = request.path.as_str();
        if !["/", "/profiles", "/profile", "/mfa", "/refresh"].contains(&path) {
            return None;
        }
        let reply = match (request.method.as_str(), path) {
            ("GET", "/") => self.page(),
            ("GET", "/profiles") => self.state(200),
            ("POST", "/profile" | "/mfa" | "/refresh") if !self.trusted(request) => {
                Reply::error(403, "this call needs the console's token and origin")
            }
            ("POST", "/profile") => self.switch(request),
            ("POST", "/mfa") => self.mfa(request),
            ("POST", "/refresh") => self.refresh(),
            _ => Reply::error(405, "method not allowed"),
        };
        Some(reply)
    }

    fn page(&self) -> Reply {
        let mut reply = Reply::text(200, PAGE.replace("{{TOKEN}}", &self.token));
        reply.content_type = "text/html; charset=utf-8";
        reply.headers.extend([
            ("Cache-Control", "no-store".to_string()),
            ("X-Frame-Options", "DENY".to_string()),
            (
                "Content-Security-Policy",
                "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'".to_string(),
            ),
        ]);
        reply
    }

    /// Whether a POST carries our token and, if it says where it comes from, our origin.
    fn trusted(&self, request: &Request) -> bool {
        let token = request.header("x-aws-runas-token").unwrap_or_default();
        let origin_ok = request
            .header("origin")
            .is_none_or(|origin| self.origins.iter().any(|o| o == origin));
        constant_time_eq(token.as_bytes(), self.token.as_bytes()) && origin_ok
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, Option<Pending>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The state as JSON, with `status`.
    fn state(&self, status: u16) -> Reply {
        let served = self.holder.current();
        let body = json::console_state(
            &served.identity.profile,
            served.credentials.expiration,
            &self.profiles,
            self.pending().is_some() || self.holder.needs_code(),
        );
        Reply::json(status, body)
    }

    fn switch(&self, request: &Request) -> Reply {
        let Some(name) = json::field(&request.body, "profile") else {
            return Reply::error(400, "the body must be {\"profile\": \"<name>\"}");
        };
        if !self.profiles.contains(&name) {
            return Reply::error(404, &format!("unknown profile '{name}'"));
        }
        let (identity, mut fetch) = match (self.open)(&name) {
            Ok(opened) => opened,
            Err(message) => return Reply::error(400, &message),
        };
        match fetch(Want::default()) {
            Ok(credentials) => {
                *self.pending() = None;
                self.holder.switch(credentials, identity, fetch);
                self.state(200)
            }
            Err(e) if e.needs_mfa_code() => {
                *self.pending() = Some(Pending::Switch { identity, fetch });
                Reply::error(401, "MFA code required")
            }
            Err(e) => Reply::error(502, &e.to_string()),
        }
    }

    /// How long `POST /mfa` is still refused, if it is.
    fn locked_for(&self) -> Option<Duration> {
        let refusals = self.refusals.lock().unwrap_or_else(|p| p.into_inner());
        refusals
            .until
            .and_then(|until| until.checked_duration_since(Instant::now()))
    }

    /// Counts a refused code (`false`) or clears the count (`true`).
    fn code_answered(&self, accepted: bool) {
        let mut refusals = self.refusals.lock().unwrap_or_else(|p| p.into_inner());
        if accepted {
            *refusals = Refusals::default();
            return;
        }
        refusals.in_a_row += 1;
        if refusals.in_a_row >= MAX_REFUSED {
            *refusals = Refusals {
                in_a_row: 0,
                until: Some(Instant::now() + LOCKOUT),
            };
        }
    }

    fn mfa(&self, request: &Request) -> Reply {
        if let Some(left) = self.locked_for() {
            let mut reply = Reply::error(
                429,
                &format!(
                    "{MAX_REFUSED} MFA codes were refused in a row: try again in {} s",
                    left.as_secs() + 1
                ),
            );
            reply
                .headers
                .push(("Retry-After", (left.as_secs() + 1).to_string()));
            return reply;
        }
        let result = self.try_code(request);
        if result.status != 400 && result.status != 409 {
            self.code_answered(result.status == 200);
        }
        result
    }

    fn try_code(&self, request: &Request) -> Reply {
        let Some(code) = json::field(&request.body, "code").and_then(|c| MfaCode::parse(&c)) else {
            return Reply::error(400, "an MFA code is 6 digits");
        };
        let mut pending = self.pending();
        let waiting = pending
            .take()
            .or_else(|| self.holder.needs_code().then_some(Pending::Refresh));
        match waiting {
            None => Reply::error(409, "no switch or refresh is waiting for a code"),
            Some(Pending::Switch {
                identity,
                mut fetch,
            }) => {
                let want = Want {
                    code: Some(code),
                    ..Want::default()
                };
                match fetch(want) {
                    Ok(credentials) => {
                        drop(pending);
                        self.holder.switch(credentials, identity, fetch);
                        self.state(200)
                    }
                    Err(e) => {
                        *pending = Some(Pending::Switch { identity, fetch });
                        Reply::error(401, &e.to_string())
                    }
                }
            }
            Some(Pending::Refresh) => match self.holder.refresh(Some(code)) {
                Ok(()) => {
                    drop(pending);
                    self.state(200)
                }
                Err(e) => {
                    *pending = Some(Pending::Refresh);
                    Reply::error(401, &e.to_string())
                }
            },
        }
    }

    fn refresh(&self) -> Reply {
        match self.holder.refresh(None) {
            Ok(()) => {
                *self.pending() = None;
                self.state(200)
            }
            Err(e) if e.needs_mfa_code() => {
                *self.pending() = Some(Pending::Refresh);
                Reply::error(401, "MFA code required")
            }
            Err(e) => Reply::error(502, &e.to_string()),
        }
    }
}
