//! Logging in to IAM Identity Center, as the AWS CLI v2 does: a public client registered with
//! RegisterClient (`registration.rs`), then either the authorization-code grant with PKCE
//! through a loopback redirect (`callback.rs`), or with `--use-device-code` the device grant
//! (StartDeviceAuthorization, then CreateToken polled at the interval given, slower after
//! `slow_down`, 1 to 60 s whatever the service says, never past the code's expiry or the
//! login's 10 minutes). The URL (and the user code) go to stderr; the person's browser is
//! opened when there is one, on a page of the login service only (`pages.rs`); without one
//! (`--no-browser`, or nothing here opens one), the line says where to open the page instead:
//! a browser on this machine for the redirect, any device for the device grant. A login through
//! the browser that no one could see is refused at once. The code, the verifier and the tokens
//! never reach any output.

use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::pages;
use super::registration::{self, registration};
use super::token::{Granted, Token};
use crate::aws::http::Agent;
use crate::aws::oidc::{self, DeviceAuthorization, Grant, Registration};
use crate::aws::query::{encode, AwsError};
use crate::base64;
use crate::config::sso::Login;
use crate::credentials::Secret;
use crate::creds::callback::{self, Callback, Outcome};
use crate::creds::error::CredsError;
use crate::creds::store::Private;
use crate::creds::terminal::{say, Person};
use crate::log::{self, debug};
use crate::random;
use crate::time;

/// How long a login may wait for the user.
pub const TIMEOUT: Duration = Duration::from_secs(600);
/// What `slow_down` adds to the polling interval (RFC 8628).
const SLOW_DOWN: Duration = Duration::from_secs(5);
/// The polling interval's bounds, whatever the service says.
const FASTEST: Duration = Duration::from_secs(1);
const SLOWEST: Duration = Duration::from_secs(60);

/// The error of a login that did not end with a token.
fn failed(login: &Login, reason: impl Into<String>) -> CredsError {
    CredsError::SsoLogin {
        label: login.label(),
        reason: reason.into(),
    }
}

/// What a login works with: what it is for, the run's agent, the token cache's private
/// directory (for the client registration), and the person who logs in.
#[derive(Clone, Copy)]
pub struct Flow<'a> {
    pub login: &'a Login,
    pub agent: &'a Agent,
    pub private: &'a Private,
    pub person: &'a Person,
}

/// Logs in; `previous` is the token being replaced, whose unknown fields are kept.
pub fn run(flow: Flow<'_>, previous: Option<&Token>) -> Result<Token, CredsError> {
    let login = flow.login;
    let deadline = Instant::now() + TIMEOUT;
    let result = if flow.person.device_code {
        device(flow, deadline)
    } else if !flow.person.can_see_a_page() {
        Err(failed(
            login,
            "no browser can be opened here (no display, no BROWSER, or --no-browser) and there is no terminal to show the page's URL on: log in with --use-device-code",
        ))
    } else {
        authorization_code(flow, deadline)
    };
    let granted = result.map_err(|e| match e {
        CredsError::Aws(AwsError::Service { code, .. }) if code == "invalid_client" => {
            // A registration the service no longer knows: forget it, so that the next login
            // registers again.
            registration::forget(login);
            failed(
                login,
                "the cached client registration was refused (it is removed): log in again",
            )
        }
        e => e,
    })?;
    let token = Token::from_grant(login, granted, previous).map_err(|why| failed(login, why))?;
    log::note(format_args!(
        "logged in to IAM Identity Center ({}) until {}",
        login.label(),
        time::rfc3339::format(token.expires)
    ));
    Ok(token)
}

/// The authorization-code grant with PKCE through the loopback redirect.
fn authorization_code(flow: Flow<'_>, deadline: Instant) -> Result<Granted, CredsError> {
    let (login, agent) = (flow.login, flow.agent);
    let callback = Callback::bind().map_err(|e| {
        failed(
            login,
            format!("cannot listen on 127.0.0.1 for the login's redirect: {e}"),
        )
    })?;
    let redirect = callback.redirect_uri.clone();
    // The registered redirect: any port of the loopback address (RFC 8252).
    let registered = format!("http://127.0.0.1{}", callback::PATH);
    let client = registration(login, agent, flow.private, Some(&registered))?;
    let random = |e: std::io::Error| failed(login, format!("no random bytes: {e}"));
    let verifier = Secret::new(base64::url(&random::bytes::<32>().map_err(random)?));
    let challenge = base64::url(&Sha256::digest(verifier.expose().as_bytes()));
    let state = random::hex_token::<16>().map_err(random)?;
    let url = format!(
        "{}authorize?response_type=code&client_id={}&redirect_uri={}&state={state}&code_challenge_method=S256&scopes={}&code_challenge={challenge}",
        login.endpoints.oidc,
        encode(&client.client_id),
        encode(&redirect),
        encode(&login.scopes.join(",")),
    );
    say(format_args!(
        "{}",
        code_grant_line(&login.label(), &url, flow.person.browser.is_some())
    ));
    flow.person.open(&url);
    let code = match callback.wait(&state, deadline, "IAM Identity Center") {
        Outcome::Code(code) => code,
        Outcome::Refused(error) => return Err(failed(login, format!("it was refused ({error})"))),
        Outcome::TimedOut => {
            return Err(failed(
                login,
                format!("nobody logged in within {}s", TIMEOUT.as_secs()),
            ))
        }
    };
    let grant = Grant::AuthorizationCode {
        code: &code,
        redirect_uri: &redirect,
        verifier: &verifier,
    };
    let tokens = oidc::create_token(agent, &login.endpoints.oidc, client.client(), grant)?;
    Ok(granted(tokens, client))
}

/// What the person is told to do with the code grant's page at `url`, for the login `label`:
/// where a browser is opened (`opened`), to finish there; else (`--no-browser`, or nothing here
/// opens one) to open it in a browser of this machine, as its last step is the redirect to our
/// loopback listener, which no other device reaches: there, the device grant is the way.
fn code_grant_line(label: &str, url: &str, opened: bool) -> String {
    match opened {
        true => format!(
            "log in to IAM Identity Center ({label}) in your browser; if it does not open, open {url}"
        ),
        false => format!(
            "log in to IAM Identity Center ({label}): no browser is opened here; open this URL in a browser on this machine and complete the login (it ends on 127.0.0.1 here; from another device, log in with --use-device-code instead): {url}"
        ),
    }
}

fn granted(tokens: oidc::Tokens, client: Registration) -> Granted {
    Granted {
        access_token: tokens.access_token,
        expires_in: tokens.expires_in,
        refresh_token: tokens.refresh_token,
        client_id: client.client_id,
        client_secret: client.client_secret,
        registration_expires: client.expires_at,
    }
}

/// The device grant: the user approves the code on the page; we poll.
fn device(flow: Flow<'_>, deadline: Instant) -> Result<Granted, CredsError> {
    let (login, agent) = (flow.login, flow.agent);
    let client = registration(login, agent, flow.private, None)?;
    let endpoint = &login.endpoints.oidc;
    let auth = oidc::start_device_authorization(agent, endpoint, &client, &login.start_url)?;
    let polling = Polling::of(&auth, Instant::now(), deadline);
    // Without a browser to open, any device's will do: the code carries the login.
    let anywhere = match flow.person.browser {
        Some(_) => "",
        None => " in a browser on any device",
    };
    say(format_args!(
        "log in to IAM Identity Center ({}): open {}{anywhere} and enter the code {}",
        login.label(),
        auth.verification_uri,
        auth.user_code
    ));
    let complete = auth.verification_uri_complete.as_ref();
    let named = [
        Some(&auth.verification_uri),
        complete.filter(|c| **c != auth.verification_uri),
    ];
    for page in named.into_iter().flatten() {
        if !pages::is_login_page(page, endpoint) {
            say(format_args!(
                "{page} is not a page of the login service ({endpoint}): it is not opened; check it before you open it"
            ));
        }
    }
    let url = complete.unwrap_or(&auth.verification_uri);
    if pages::is_login_page(url, endpoint) {
        flow.person.open(url);
    }
    let tokens = poll(login, agent, &client, &auth, polling)?;
    Ok(granted(tokens, client))
}

/// How a device code is polled: every `interval` (1 to 60 s, whatever the service says), until
/// `deadline`: the code's expiry (at most the login's 10 minutes away) or the login's,
/// whichever comes first.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Polling {
    pub(crate) interval: Duration,
    pub(crate) deadline: Instant,
}

impl Polling {
    /// The polling of `auth`, received at `now`, for a login that ends at `login_deadline`.
    pub(crate) fn of(auth: &DeviceAuthorization, now: Instant, login_deadline: Instant) -> Polling {
        let seconds = |n: i64| Duration::from_secs(n.max(0).unsigned_abs());
        Polling {
            interval: seconds(auth.interval).clamp(FASTEST, SLOWEST),
            deadline: login_deadline.min(now + seconds(auth.expires_in).min(TIMEOUT)),
        }
    }

    /// After a `slow_down`: 5 s more, still at most 60.
    fn slower(&mut self) {
        self.interval = (self.interval + SLOW_DOWN).min(SLOWEST);
    }

    /// How long to wait at `now` before the next poll: the interval, cut short at the deadline;
    /// none once the deadline has passed.
    fn pause(&self, now: Instant) -> Option<Duration> {
        (now < self.deadline).then(|| self.interval.min(self.deadline - now))
    }
}

/// CreateToken with the device code, after each pause of `polling` (longer after `slow_down`),
/// until the user approves it, refuses it, or the deadline passes.
fn poll(
    login: &Login,
    agent: &Agent,
    client: &Registration,
    auth: &DeviceAuthorization,
    mut polling: Polling,
) -> Result<oidc::Tokens, CredsError> {
    let expired = || {
        failed(
            login,
            "the code expired before it was approved: log in again",
        )
    };
    let grant = || Grant::DeviceCode(&auth.device_code);
    let endpoint = &login.endpoints.oidc;
    loop {
        let Some(pause) = polling.pause(Instant::now()) else {
            return Err(expired());
        };
        std::thread::sleep(pause);
        let error = match oidc::create_token(agent, endpoint, client.client(), grant()) {
            Ok(tokens) => return Ok(tokens),
            Err(e) => e,
        };
        let code = match &error {
            AwsError::Service { code, .. } => code.as_str(),
            _ => "",
        };
        match code {
            "authorization_pending" => debug!("sso login: not approved yet"),
            "slow_down" => {
                polling.slower();
                let every = polling.interval.as_secs();
                debug!("sso login: slow_down, polling every {every}s");
            }
            "access_denied" => return Err(failed(login, "it was refused in the browser")),
            "expired_token" => return Err(expired()),
            _ => return Err(error.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_browser_the_page_is_to_open_on_this_machine_or_use_a_device_code() {
        let url = "https://oidc.us-east-1.amazonaws.com/authorize?x=1";
        let opened = code_grant_line("session corp", url, true);
        assert!(
            opened.contains("in your browser; if it does not open, open"),
            "{opened}"
        );
        let shown = code_grant_line("session corp", url, false);
        assert!(
            !shown.contains("your browser") && !shown.contains("does not open"),
            "{shown}"
        );
        for says in [
            "no browser is opened here",
            "in a browser on this machine",
            "--use-device-code",
        ] {
            assert!(shown.contains(says), "{says:?} in {shown}");
        }
        // The URL last, whole, to copy.
        for line in [opened, shown] {
            assert!(line.ends_with(&format!(" {url}")), "{line}");
        }
    }

    #[test]
    fn the_pkce_challenge_is_rfc_7636_s256() {
        // RFC 7636 appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            base64::url(&Sha256::digest(verifier.as_bytes())),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    fn device_answer(expires_in: i64, interval: i64) -> DeviceAuthorization {
        DeviceAuthorization {
            device_code: Secret::new("d"),
            user_code: "u".into(),
            verification_uri: "https://device.sso.eu-west-1.amazonaws.com/".into(),
            verification_uri_complete: None,
            expires_in,
            interval,
        }
    }

    #[test]
    fn the_interval_is_1_to_60_s_and_the_code_lives_at_most_the_login_s_10_minutes() {
        let now = Instant::now();
        let login_deadline = now + TIMEOUT;
        let polling = |expires_in, interval| {
            let p = Polling::of(&device_answer(expires_in, interval), now, login_deadline);
            (p.interval.as_secs(), p.deadline - now)
        };
        assert_eq!(polling(600, 5), (5, TIMEOUT));
        assert_eq!(
            polling(300, 1_000_000_000_000),
            (60, Duration::from_secs(300))
        );
        assert_eq!(polling(i64::MAX, i64::MAX), (60, TIMEOUT));
        assert_eq!(polling(1_000_000_000_000, 0), (1, TIMEOUT));
        assert_eq!(polling(i64::MIN, -1), (1, Duration::ZERO));
        // A login that began earlier ends at its own deadline.
        let late = Polling::of(&device_answer(600, 5), now, now + Duration::from_secs(90));
        assert_eq!(late.deadline - now, Duration::from_secs(90));
        // slow_down: 5 s more each time, at most 60.
        let mut slowed = Polling::of(&device_answer(600, 50), now, login_deadline);
        slowed.slower();
        assert_eq!(slowed.interval.as_secs(), 55);
        slowed.slower();
        slowed.slower();
        assert_eq!(slowed.interval.as_secs(), 60);
    }

    #[test]
    fn no_pause_goes_past_the_deadline_and_none_is_made_after_it() {
        let now = Instant::now();
        let polling = Polling::of(&device_answer(2, 1_000_000_000_000), now, now + TIMEOUT);
        assert_eq!(polling.pause(now), Some(Duration::from_secs(2)));
        let later = now + Duration::from_millis(1500);
        assert_eq!(polling.pause(later), Some(Duration::from_millis(500)));
        assert_eq!(polling.pause(now + Duration::from_secs(2)), None);
        let expired = Polling::of(&device_answer(0, 5), now, now + TIMEOUT);
        assert_eq!(expired.pause(now), None);
    }
}
