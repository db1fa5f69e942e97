//! aws-runas: run a command under an assumed IAM role, or print the role's credentials as
//! eval-able exports.
//!
//! The crate root: [`main`] parses the arguments, decides the mode, captures the environment,
//! dispatches, and is the one place that prints the final error line and picks the exit code.
//! `main.rs` only hands its result to the process. The modules are private: the one public item
//! is [`main`] (and, in fuzzing builds only, the `fuzz` entry points). ARCHITECTURE.md maps the
//! modules and the layers they sit in.

mod arn;
mod aws;
mod base64;
mod browser;
mod cli;
mod config;
mod credentials;
mod creds;
mod duration;
mod env;
mod error;
mod exec;
mod export;
#[cfg(fuzzing)]
pub mod fuzz;
mod glob;
mod http_server;
mod log;
mod modes;
mod name_format;
mod names;
mod nesting;
mod os;
mod percent;
mod random;
mod server;
mod session;
mod shell;
mod time;
mod update;

use std::io::Write;

use cli::mode::Mode;
use env::Env;
use error::Error;
use modes::roles::Output;

/// Runs aws-runas with the process's arguments and environment; returns the exit code (when
/// a command was run, this process has become it and nothing returns).
pub fn main() -> i32 {
    match run() {
        Ok(code) => code,
        Err(Error::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        // Run by aws-runas: the line goes to that run, which reads our stdout, so that the
        // outermost one says it once.
        Err(e) if e.as_loop().is_some_and(|stopped| stopped.nested) => {
            let relay = e.as_loop().map(nesting::Loop::relay).unwrap_or_default();
            let _ = std::io::stdout().write_all(relay.as_bytes());
            nesting::LOOP_STATUS
        }
        Err(e) => {
            // One line, whatever the error carries (a config value, a server's message).
            let message = e.to_string();
            let _ = writeln!(std::io::stderr(), "aws-runas: {}", log::escape(&message));
            e.exit_code()
        }
    }
}

fn run() -> Result<i32, Error> {
    let args = cli::args::parse(std::env::args_os().skip(1))?;
    match args.mode {
        Mode::Man => modes::print(&cli::usage::man()),
        Mode::Help => modes::print(&cli::usage::help()),
        Mode::CompletionBash => modes::print(&cli::completion::bash_completion()),
        Mode::CompletionZsh => modes::print(&cli::completion::zsh_completion()),
        Mode::CompletionFish => modes::print(&cli::completion::fish_completion()),
        Mode::CompletionProfiles => modes::profiles::run(&environment(&args)),
        Mode::Version => modes::print(&cli::usage::version()),
        Mode::SsoLogin if args.all => modes::sso_all::login(&args, &environment(&args)),
        Mode::SsoLogin => modes::sso::login(&args, &environment(&args)),
        Mode::SsoLogout if args.all => modes::sso_all::logout(&args, &environment(&args)),
        Mode::SsoLogout => modes::sso::logout(&args, &environment(&args)),
        Mode::Login => modes::login::login(&args, &environment(&args)),
        Mode::Logout if args.all => modes::login::logout_all(&environment(&args)),
        Mode::Logout => modes::login::logout(&args, &environment(&args)),
        Mode::ListMfa => modes::mfa_devices::run(&args, &environment(&args)),
        Mode::ListRoles => modes::roles::run(&args, &environment(&args), Output::List),
        Mode::MakeConf => modes::roles::run(&args, &environment(&args), Output::ExtensionConfig),
        Mode::Update => modes::update::run(&environment(&args)),
        Mode::Diagnose => modes::diagnose::run(&args, &environment(&args)),
        Mode::Ec2 => modes::ec2::run(&args, &environment(&args)),
        Mode::Ecs => modes::ecs::run(&args, &environment(&args)),
        Mode::WebConsole => modes::web_console::run(&args, &environment(&args)),
        Mode::Credentials => modes::credentials::run(&args, &environment(&args)),
    }
}

/// What the modes that read configuration start from: `-v` switched on, the environment
/// captured (the texts above need neither, so they work whatever the environment holds).
fn environment(args: &cli::args::Args) -> Env {
    if args.verbose {
        log::enable();
    }
    Env::capture()
}
