//! `--ec2`: the credentials as a local EC2 instance-metadata service, until SIGINT or
//! SIGTERM; exit 0.

use crate::cli::args::Args;
use crate::env::Env;
use crate::error::Error;
use crate::log;
use crate::os::{self, Signals};
use crate::random;
use crate::server::console::Console;
use crate::server::http::ServerError;
use crate::server::http::{self, Server};
use crate::server::imds::Imds;
use crate::server::token::Tokens;
use crate::time;

use super::endpoints;

/// Runs `--ec2`; returns the exit code.
pub fn run(args: &Args, env: &Env) -> Result<i32, Error> {
    let addr = http::listen_addr(
        "AWS_RUNAS_EC2_ADDR",
        env.non_empty("AWS_RUNAS_EC2_ADDR"),
        "127.0.0.1:12319",
        true,
    )?;
    let started = endpoints::start(args, env)?;
    // Before any thread starts, so that every thread leaves them to the waiter below.
    let signals = Signals::block();
    let server = Server::bind(addr)?;
    let imds = Imds {
        holder: started.holder.clone(),
        tokens: Tokens::new().map_err(ServerError::Random)?,
        require_token: env
            .non_empty("AWS_RUNAS_EC2_REQUIRE_TOKEN")
            .is_some_and(|v| v.eq_ignore_ascii_case("true")),
        started: time::unix_now(),
    };
    let console = Console::new(
        started.holder.clone(),
        random::hex_token::<32>().map_err(ServerError::Random)?,
        server.addr.port(),
        started.role_profiles.clone(),
        Box::new(endpoints::opener(args, env)),
    );
    let endpoint = format!("http://{}/", server.addr);
    super::print(&format!(
        "export AWS_EC2_METADATA_SERVICE_ENDPOINT={endpoint}\n"
    ))?;
    log::note(format_args!(
        "serving the credentials of {} at {endpoint} (instance metadata; console: open {endpoint} in a browser; stop with Ctrl-C)",
        started.holder.current().identity.profile
    ));
    started.holder.renew_in_background();
    server.start(
        move |request| {
            console
                .handle(request)
                .unwrap_or_else(|| imds.handle(request))
        },
        |_| false,
    );
    let signal = signals.next();
    os::restore_terminal();
    log::note(format_args!("stopped (signal {})", signal.number));
    Ok(0)
}
