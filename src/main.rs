//! aws-runas: run a command under an assumed IAM role, or print the role's credentials as
//! eval-able exports.
//!
//! `main` captures the environment, parses the arguments, dispatches on the mode, and is the one
//! place that prints the final error line and picks the exit code.

mod arn;
mod aws;
mod cli;
mod config;
mod creds;
mod duration;
mod env;
mod error;
mod exec;
mod export;
mod localtime;
mod log;
mod modes;
mod rfc3339;

use std::io::Write;

use env::Env;
use error::Error;

fn main() {
    let code = match run() {
        Ok(code) => code,
        Err(Error::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "aws-runas: {e}");
            e.exit_code()
        }
    };
    std::process::exit(code);
}

fn run() -> Result<i32, Error> {
    let args = cli::args::parse(std::env::args_os().skip(1))?;
    if args.help_man {
        return print(&cli::usage::man());
    }
    if args.help {
        return print(&cli::usage::help());
    }
    if args.version {
        return print(&cli::usage::version());
    }
    if args.verbose {
        log::enable();
    }
    let env = Env::capture();
    modes::credentials::run(&args, &env)
}

fn print(text: &str) -> Result<i32, Error> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(Error::Output)?;
    Ok(0)
}
