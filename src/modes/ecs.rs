//! `--ecs`: the credentials as a container-credentials endpoint. Alone, it prints the
//! two export lines and serves until SIGINT or SIGTERM (exit 0). With a command, it runs the
//! command with the endpoint's variables (and without anything that would let its SDK find the
//! user's long-term keys first), passes on the signals sent to aws-runas, and exits with the
//! command's status.

use std::ffi::OsString;

use crate::cli::args::Args;
use crate::env::Env;
use crate::error::Error;
use crate::exec;
use crate::log;
use crate::os::{self, Signals};
use crate::random;
use crate::server::ecs::Ecs;
use crate::server::http::{self, Server, ServerError};

use super::endpoints;

/// What the command's SDK must not find before the container provider: other container
/// settings it would prefer, and the user's credentials file (set to the null device; the config
/// file stays, for the region and the like).
const HIDDEN: &[&str] = &[
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
];

/// Runs `--ecs`; returns the exit code.
pub fn run(args: &Args, env: &Env) -> Result<i32, Error> {
    let addr = http::listen_addr(
        "AWS_RUNAS_ECS_ADDR",
        env.non_empty("AWS_RUNAS_ECS_ADDR"),
        "127.0.0.1:0",
        false,
    )?;
    let started = endpoints::start(args, env)?;
    let signals = Signals::block();
    let server = Server::bind(addr)?;
    let ecs = Ecs {
        holder: started.holder.clone(),
        path: format!(
            "/{}",
            random::hex_token::<16>().map_err(ServerError::Random)?
        ),
        token: random::hex_token::<32>().map_err(ServerError::Random)?,
    };
    let uri = format!("http://{}{}", server.addr, ecs.path);
    let token = ecs.token.clone();
    started.holder.renew_in_background();
    let ecs = std::sync::Arc::new(ecs);
    let hider = std::sync::Arc::clone(&ecs);
    server.start(
        move |request| ecs.handle(request),
        move |target| hider.hides(target),
    );
    if started.command.is_empty() {
        super::print(&format!(
            "export AWS_CONTAINER_CREDENTIALS_FULL_URI={uri}\nexport AWS_CONTAINER_AUTHORIZATION_TOKEN={token}\n"
        ))?;
        log::note(format_args!(
            "serving the credentials of {} (container credentials; stop with Ctrl-C)",
            started.holder.current().identity.profile
        ));
        let signal = signals.next();
        os::restore_terminal();
        log::note(format_args!("stopped (signal {})", signal.number));
        return Ok(0);
    }
    let child_env = command_env(env, &started, uri, token);
    run_command(&started.command, child_env, signals)
}

/// The command's environment: the endpoint's URI and token (and the profile's region and name)
/// added, the variables that would take precedence over them, or point elsewhere, removed.
fn command_env(
    env: &Env,
    started: &endpoints::Started,
    uri: String,
    token: String,
) -> Vec<(OsString, OsString)> {
    let null = if cfg!(windows) { "NUL" } else { "/dev/null" };
    let mut ours: Vec<(&'static str, String)> = vec![
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", token),
        ("AWS_SHARED_CREDENTIALS_FILE", null.to_string()),
        ("AWS_CREDENTIAL_PROFILES_FILE", null.to_string()),
    ];
    if let Some(region) = &started.region {
        ours.push(("AWS_REGION", region.clone()));
        ours.push(("AWS_DEFAULT_REGION", region.clone()));
    }
    if let Some(name) = &started.profile_name {
        ours.push(("AWSRUNAS_PROFILE", name.clone()));
    }
    exec::child_env_without(env.vars(), &ours, HIDDEN)
}

/// Runs the command, passing on the signals sent to us, and returns its exit code (128 + the
/// signal for one killed by a signal, as shells report it).
fn run_command(
    command: &[OsString],
    child_env: Vec<(OsString, OsString)>,
    signals: Signals,
) -> Result<i32, Error> {
    let mut child = exec::spawn(command, child_env)?;
    let forward = os::ChildSignals::new(&child);
    let forwarder = forward.clone();
    std::thread::spawn(move || loop {
        let signal = signals.next();
        if signal.sent {
            forwarder.send(signal.number);
        }
    });
    // Reaped only once no signal can be passed on any more: its pid could be another
    // process's after that.
    if let Err(e) = forward.wait_ended() {
        crate::log::debug!("waiting for the command without reaping it: {e}");
    }
    let code = exec::wait(&mut child, command)?;
    os::restore_terminal();
    Ok(code)
}
