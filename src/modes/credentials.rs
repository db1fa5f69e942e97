//! The everyday mode: get the profile's credentials, then run the command with them or print
//! them as eval-able exports.

use std::io::Write;

use crate::aws::http::Agent;
use crate::cli::args::Args;
use crate::config::endpoint;
use crate::config::profile::{self, Files};
use crate::creds::{plan, Context};
use crate::debug;
use crate::env::Env;
use crate::error::Error;
use crate::exec;
use crate::export::{self, Shell};

/// Runs the credentials mode; returns the exit code (only when no command replaced us).
pub fn run(args: &Args, env: &Env) -> Result<i32, Error> {
    let files = Files::load(env)?;
    let resolved = profile::resolve(args, env, &files)?;
    let profile = &resolved.profile;
    let endpoint = endpoint::sts(env, profile)?;
    let plan = plan::plan(profile, &endpoint)?;
    debug!("plan: {} ({})", plan.provider.describe(), plan.reason);

    let agent = Agent::new();
    let mut ctx = Context {
        agent: &agent,
        session_name: None,
    };
    let credentials = plan.provider.retrieve(&mut ctx)?;

    let profile_var = (!profile.is_arn).then_some(profile.name.as_str());
    let vars = export::variables(&credentials, profile.region.as_deref(), profile_var);
    if resolved.command.is_empty() {
        let shell = if cfg!(windows) && !env.is_set("SHELL") {
            Shell::Cmd
        } else {
            Shell::Posix
        };
        let text = export::render(&vars, shell);
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(Error::Output)?;
        return Ok(0);
    }
    debug!("running {:?}", resolved.command[0]);
    let child_env = exec::child_env(env.vars(), &vars);
    Err(exec::exec(&resolved.command, child_env))
}
