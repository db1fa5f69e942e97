//! `-w`: an AWS console sign-in URL for the profile's role, from the role's temporary
//! credentials through the federation endpoint of its partition (`AWS_RUNAS_SIGNIN_URL`
//! overrides it). Printed on stdout; with `--open`, opened in the browser (`browser.rs`; printed
//! when nothing here opens one), and with a command, handed to that command. The console session lasts as long as the role's credentials.

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
    let partition = match (session.profile.roles.last(), &session.profile.source.kind) {
        (Some(role), _) if !args.session => role
            .role_arn
            .raw
            .split(':')
            .nth(1)
            .unwrap_or("aws")
            .to_string(),
        // An Identity Center role's credentials are a role's too.
        (None, SourceKind::Sso(sso)) if sso.login.region.starts_with("cn-") => "aws-cn".into(),
        (None, SourceKind::Sso(_)) => "aws".to_string(),
        _ => {
            return Err(FederationError::NotARole {
                profile: session.profile.name().to_string(),
            }
            .into())
        }
    };
    let (default_endpoint, destination) = federation::endpoints(&partition);
    let endpoint = env
        .non_empty("AWS_RUNAS_SIGNIN_URL")
        .unwrap_or(default_endpoint)
        .to_string();
    let mut mfa = session.mfa(args.otp.clone());
    let person = session.person();
    let credentials = session.fetch(args.refresh, &mut mfa, &person)?.credentials;
    let token = federation::signin_token(&session.agent, &endpoint, &credentials)?;
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
