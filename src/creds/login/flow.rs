//! An `aws login` made by aws-runas (`--login`, LOGIN-PROTOCOL.md §5): a new P-256 DPoP key, a
//! random `state` and a PKCE verifier, the authorize page opened (or printed), then the code:
//! on this machine from the loopback redirect (`creds/callback.rs`, the endpoints' bounded
//! server: anything but our state is a 400 and the wait goes on), or from another device
//! (`--remote`) pasted at the terminal as the confirmation page shows it, its `state` checked.
//! The code is exchanged with a proof by the new key, and the session written to the cache the
//! CLI and SDKs share, under its file's lock. The code, the verifier, the key and the tokens
//! never reach any output.

use std::path::Path;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::token::{self, Token};
use crate::aws::dpop::DpopKey;
use crate::aws::http::Agent;
use crate::aws::query::AwsError;
use crate::aws::signin::{self, Code, LoggedIn, CROSS_DEVICE, SAME_DEVICE};
use crate::base64;
use crate::config::login::LoginSession;
use crate::credentials::Secret;
use crate::creds::callback::{Callback, Outcome};
use crate::creds::error::CredsError;
use crate::creds::store::Private;
use crate::creds::terminal::{say, Person, Prompt};
use crate::log;
use crate::random;
use crate::time;

/// How long a login may wait for the person (the CLI's 10 minutes).
pub const TIMEOUT: Duration = Duration::from_secs(600);
/// The longest pasted code read (the code itself is at most 512 characters).
const MAX_PASTED: usize = 4096;

/// What a login is for and how it reaches the person.
pub struct Login<'a> {
    /// The profile logging in, for the messages.
    pub profile: &'a str,
    /// AWS Sign-In's endpoint, ending in `/`.
    pub base: &'a str,
    /// The region of that endpoint when it is AWS's (kept in the file as `signInRegion`); none
    /// for a configured endpoint.
    pub region: Option<&'a str>,
    /// The login cache's directory.
    pub cache_dir: &'a Path,
    /// From another device, the code pasted (`--remote`).
    pub remote: bool,
    /// The principal the session must be of (a run's login for a profile's `login_session`);
    /// another's is refused, nothing written. None: whoever signs in (`--login`).
    pub expect: Option<&'a str>,
    pub agent: &'a Agent,
    pub person: &'a Person,
    pub lock_timeout: Duration,
}

/// A sign-in made: the session it gave, not written yet ([`Login::keep`]).
pub struct Made {
    pub session: LoginSession,
    token: Token,
}

impl Made {
    /// When the session's credentials expire.
    pub fn expires(&self) -> i64 {
        self.token.expires
    }
}

impl Login<'_> {
    fn failed(&self, reason: impl Into<String>) -> CredsError {
        CredsError::Login {
            profile: self.profile.to_string(),
            reason: reason.into(),
        }
    }

    /// Signs in; the session is kept once the caller has decided to ([`Login::keep`]).
    pub fn run(&self) -> Result<Made, CredsError> {
        let (key, pem) = DpopKey::generate().map_err(|why| self.failed(why))?;
        let random = |e: std::io::Error| self.failed(format!("no random bytes: {e}"));
        let state = random::uuid_v4().map_err(random)?;
        // 48 random bytes: 64 characters of the unreserved set, as the CLI's verifier.
        let verifier = Secret::new(base64::url(&random::bytes::<48>().map_err(random)?));
        let challenge = base64::url(&Sha256::digest(verifier.expose().as_bytes()));
        let deadline = Instant::now() + TIMEOUT;
        let (client_id, redirect_uri, code) = if self.remote {
            let redirect = signin::confirmation_url(self.base);
            let url = signin::authorize_url(self.base, CROSS_DEVICE, &state, &redirect, &challenge);
            (CROSS_DEVICE, redirect, self.pasted(&url, &state)?)
        } else {
            self.redirected(&state, &challenge, deadline)?
        };
        let code = Code {
            client_id,
            code: &code,
            verifier: &verifier,
            redirect_uri: &redirect_uri,
        };
        let logged = self.exchanged(&key, &code)?;
        let session = LoginSession {
            arn: logged.arn.clone(),
            cache_dir: self.cache_dir.to_path_buf(),
            region: self.region.map(str::to_string),
            endpoint: None,
        };
        let now = time::unix_now();
        let token = Token::from_login(logged, client_id, pem, self.region, now);
        Ok(Made { session, token })
    }

    /// The code exchanged for a session, of the principal expected if one is.
    fn exchanged(&self, key: &DpopKey, code: &Code<'_>) -> Result<LoggedIn, CredsError> {
        let logged = signin::exchange(self.agent, self.base, key, code).map_err(|e| match e {
            AwsError::Service { code, .. } if code == "AUTHCODE_EXPIRED" => self
                .failed("the code expired or was used already (AUTHCODE_EXPIRED): sign in again"),
            e => self.failed(e.to_string()),
        })?;
        match self.expect.filter(|e| e.trim() != logged.arn) {
            Some(expected) => Err(self.failed(format!(
                "it signed in as {}, but the profile's login_session is {}: sign in as that principal, or run aws-runas --login {} to switch",
                logged.arn,
                log::escape(expected),
                self.profile
            ))),
            None => Ok(logged),
        }
    }

    /// The same-device login: the page opened (or its URL said), the code from the redirect to
    /// our loopback listener.
    fn redirected(
        &self,
        state: &str,
        challenge: &str,
        deadline: Instant,
    ) -> Result<(&'static str, String, Secret), CredsError> {
        if !self.person.can_see_a_page() {
            return Err(self.failed("no browser can be opened here (no display, no BROWSER, or --no-browser) and there is no terminal to show the page's URL on: sign in on a terminal (or with BROWSER set)"));
        }
        let callback = Callback::bind().map_err(|e| {
            self.failed(format!(
                "cannot listen on 127.0.0.1 for the sign-in's redirect: {e}"
            ))
        })?;
        let redirect = callback.redirect_uri.clone();
        let url = signin::authorize_url(self.base, SAME_DEVICE, state, &redirect, challenge);
        let profile = self.profile;
        match self.person.browser.is_some() {
            true => say(format_args!("sign in to AWS for profile '{profile}' in your browser; if it does not open, open {url}")),
            false => say(format_args!("sign in to AWS for profile '{profile}': no browser is opened here; open this URL in a browser on this machine and complete the sign-in (it ends on 127.0.0.1 here; from another device, use --remote instead): {url}")),
        }
        self.person.open(&url);
        match callback.wait(state, deadline, "AWS") {
            Outcome::Code(code) => Ok((SAME_DEVICE, redirect, code)),
            Outcome::Refused(error) => Err(self.failed(format!("it was refused ({error})"))),
            Outcome::TimedOut => {
                Err(self.failed(format!("nobody signed in within {}s", TIMEOUT.as_secs())))
            }
        }
    }

    /// The cross-device login: the URL said, the code the confirmation page shows pasted at the
    /// terminal (echo off) and its `state` checked.
    fn pasted(&self, url: &str, state: &str) -> Result<Secret, CredsError> {
        let prompt = Prompt::open()
            .map_err(|_| self.failed("--remote needs a terminal to paste the code in"))?;
        say(format_args!(
            "sign in to AWS for profile '{}': open this URL in a browser on any device, sign in, then paste the code the page shows: {url}",
            self.profile
        ));
        let pasted = prompt
            .secret("code: ")
            .map_err(|e| self.failed(format!("cannot read the code: {e}")))?;
        verification_code(&pasted, state).map_err(|why| self.failed(why))
    }

    /// Writes the session `made` to its cache file, under its lock.
    pub fn keep(&self, made: &Made) -> Result<(), CredsError> {
        let (session, token) = (&made.session, &made.token);
        let private = Private::open(self.cache_dir).map_err(|e| self.failed(e))?;
        let name = token::file_name(session);
        let label = format!("the aws login session of profile '{}'", self.profile);
        let _lock = private.hold(&name, self.lock_timeout, &label, "writing it")?;
        token::write(&private, session, token).map_err(|e| {
            self.failed(format!(
                "cannot write {}: {e}",
                log::escape(&token::path(session).to_string_lossy())
            ))
        })
    }
}

/// The code in what the confirmation page showed (standard base64 of `state=..&code=..`),
/// once its `state` is ours; the error never quotes what was pasted.
pub fn verification_code(pasted: &str, state: &str) -> Result<Secret, &'static str> {
    let not = "that is not the code the sign-in page showed: sign in again";
    let pasted = pasted.trim();
    if pasted.is_empty() || pasted.len() > MAX_PASTED {
        return Err(not);
    }
    let decoded = base64::decode(pasted).ok_or(not)?;
    let query = String::from_utf8(decoded).map_err(|_| not)?;
    let param = |name: &str| {
        query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| crate::creds::callback::decode(v))
    };
    if param("state").as_deref() != Some(state) {
        return Err("the pasted code is of another sign-in than this one: sign in again, and paste the code it shows");
    }
    match param("code") {
        Some(code) if !code.is_empty() && code.len() <= 512 => Ok(Secret::new(code)),
        _ => Err(not),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_code_is_read_only_with_our_state() {
        // LOGIN-PROTOCOL.md §5's example: base64 of `state=<uuid>&code=EXAMPLEAUTHCODE`.
        let state = "3f1c2a9e-5b7d-4e21-9c4a-0d8e6f1b2a37";
        let pasted =
            "c3RhdGU9M2YxYzJhOWUtNWI3ZC00ZTIxLTljNGEtMGQ4ZTZmMWIyYTM3JmNvZGU9RVhBTVBMRUFVVEhDT0RF";
        let code = verification_code(&format!("  {pasted}\n"), state).unwrap();
        assert_eq!(code.expose(), "EXAMPLEAUTHCODE");
        let other = verification_code(pasted, "another-state").unwrap_err();
        assert!(other.contains("another sign-in"), "{other}");
        let forged = base64::standard(b"code=X&state=evil");
        assert!(verification_code(&forged, state).is_err());
        let no_code = base64::standard(format!("state={state}").as_bytes());
        for bad in [
            "",
            "not base64!",
            no_code.as_str(),
            &"A".repeat(MAX_PASTED + 4),
        ] {
            let e = verification_code(bad, state).unwrap_err();
            assert!(!e.contains("not base64!"), "{e}");
        }
        let long = base64::standard(format!("state={state}&code={}", "c".repeat(513)).as_bytes());
        assert!(verification_code(&long, state).is_err());
    }
}
