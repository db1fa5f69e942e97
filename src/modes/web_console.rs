//! `-w`: an AWS console sign-in URL for the profile's role, from the role's temporary
//! credentials through the federation endpoint of its partition (`AWS_RUNAS_SIGNIN_URL`
//! overrides it); or an `aws login` session's own credentials when its principal is an assumed
//! role (one of a user or root is refused before any request: AWS federates only a role's).
//! Printed on stdout; with `--open`, opened in the browser (`browser.rs`; printed when nothing
//! here opens one), and with a command, handed to that command. The console session lasts as
//! long as the role's credentials.

use std::ffi::OsString;

use crate::aws::federation::{self, FederationError};
use crate::browser::{Browser, Streams};
use crate::cli::args::Args;
use crate::config::profile::SourceKind;
use crate::env::Env;
use crate::error::Error;
use crate::exec;
use crate::log;
use crate::session::Session;

/// Runs `-w`; returns the exit code.
pub fn run(args: &Args, env: &Env) -> Result<i32, Error> {
    let session = Session::open(args, env)?;
    let partition = partition(&session, args.session)?;
    let (default_endpoint, destination) = federation::endpoints(&partition);
    let endpoint = env
        .non_empty("AWS_RUNAS_SIGNIN_URL")
        .unwrap_or(default_endpoint)
        .to_string();
    let mut mfa = session.mfa(args.otp.clone());
    let person = session.person();
    let credentials = session.fetch(args.refresh, &mut mfa, &person)?.credentials;
    let token = federation::signin_token(&session.agent, &endpoint, &credentials)
        .map_err(|e| login_refused(e, &session, args.session))?;
    let url = federation::login_url(&endpoint, &token, destination);
    if !session.command.is_empty() {
        let mut command = session.command.clone();
        command.push(url.into());
        let mut child = exec::spawn(&command, env.vars().to_vec())?;
        return Ok(exec::wait(&mut child, &command)?);
    }
    if args.open {
        if let Some(browser) = Browser::find(env) {
            return open(&browser, &url);
        }
        log::note(format_args!(
            "nothing here opens a browser (set BROWSER): open the URL below"
        ));
    }
    super::print(&format!("{url}\n"))
}

/// The partition of the console the profile's credentials sign in to, when they are a role's
/// (`session_only`: `-s`, the source's credentials without the role). An `aws login` session
/// of an assumed role is a role's session, tried (only AWS can tell whether it federates the
/// sign-in service's credentials); one of a user or root is not, refused before any request.
fn partition(session: &Session, session_only: bool) -> Result<String, FederationError> {
    let of = |arn: &str| arn.split(':').nth(1).unwrap_or("aws").to_string();
    let profile = || session.profile.name().to_string();
    match (session.profile.roles.last(), &session.profile.source.kind) {
        (Some(role), _) if !session_only => Ok(of(&role.role_arn.raw)),
        // An Identity Center role's credentials are a role's too.
        (None, SourceKind::Sso(sso)) if sso.login.region.starts_with("cn-") => Ok("aws-cn".into()),
        (None, SourceKind::Sso(_)) => Ok("aws".to_string()),
        (_, SourceKind::Login(login)) if login.arn.contains(":assumed-role/") => Ok(of(&login.arn)),
        (_, SourceKind::Login(login)) => Err(FederationError::LoginUser {
            profile: profile(),
            principal: log::escape(&login.arn).into_owned(),
        }),
        _ => Err(FederationError::NotARole { profile: profile() }),
    }
}

/// A refusal of an `aws login` session's own credentials (no role on top, or `-s`) said as
/// such; any other error as it is.
fn login_refused(e: FederationError, session: &Session, session_only: bool) -> FederationError {
    let own = session_only || session.profile.roles.is_empty();
    match (e, &session.profile.source.kind) {
        (FederationError::Refused { url, status }, SourceKind::Login(_)) if own => {
            FederationError::LoginRefused {
                profile: session.profile.name().to_string(),
                url,
                status,
            }
        }
        (e, _) => e,
    }
}

/// Opens `url` in `browser` and returns the opener's exit code.
fn open(browser: &Browser, url: &str) -> Result<i32, Error> {
    let command: Vec<OsString> = vec![browser.program().into()];
    let mut child = browser
        .open(url, Streams::Inherited)
        .map_err(|error| exec::ExecError {
            program: browser.program(),
            error,
            hint: None,
        })?;
    Ok(exec::wait(&mut child, &command)?)
}
