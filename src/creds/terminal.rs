//! The person who started the run and how the run talks to them: [`Person`], decided once at the
//! edge and carried by every retrieval (`Ctx`), says whether someone is at the terminal to be
//! asked (probed once, when first needed) and how a login goes when one is needed; and the
//! controlling terminal itself (`/dev/tty`, so that a prompt works even when stdout is captured
//! by `eval "$(aws-runas prof)"`): a line told there, a prompt with echo off.
//!
//! None of this is a setting of a profile: the same profile is used from a terminal, from a
//! `credential_process` run and from the `--ec2` console's page.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::sync::OnceLock;

use crate::browser::{Browser, Streams};
use crate::log;
use crate::os;

/// The controlling terminal.
const TTY: &str = "/dev/tty";

/// The person a run may talk to, and how.
#[derive(Debug, Default)]
pub struct Person {
    /// Whether this run may ask at the terminal at all (false for the fetches that must not wait
    /// on anyone: `-D`, the console's, which asks on its page).
    may_ask: bool,
    /// Whether a terminal is there, probed on first need.
    present: OnceLock<bool>,
    /// A login shows a code to enter on any device instead of a loopback redirect
    /// (`--use-device-code`).
    pub device_code: bool,
    /// What opens a login page: none with `--no-browser`, or where nothing can (`browser.rs`).
    pub browser: Option<Browser>,
}

impl Person {
    /// A run that may ask at the terminal, if there is one.
    pub fn at_terminal(device_code: bool, browser: Option<Browser>) -> Person {
        Person {
            may_ask: true,
            present: OnceLock::new(),
            device_code,
            browser,
        }
    }

    /// A run that asks nobody: a login that is needed is an error saying how to log in.
    pub fn nobody() -> Person {
        Person::default()
    }

    /// Whether this retrieval may ask at the terminal at all.
    pub fn may_ask(&self) -> bool {
        self.may_ask
    }

    /// Whether someone can be asked at the terminal now (an MFA code, a login): probed once
    /// for this value (a server makes a new one for each renewal, so a terminal that went
    /// away is noticed).
    pub fn present(&self) -> bool {
        self.may_ask && *self.present.get_or_init(|| open().is_ok())
    }

    /// Whether a page can reach them: a browser to open it in, or a terminal to show its URL
    /// on. Without either, a login through the browser would wait its 10 minutes for nobody (a
    /// CI job); the device grant's code can still be entered on any device.
    pub fn can_see_a_page(&self) -> bool {
        self.browser.is_some() || self.present()
    }

    /// Opens a login's page `url` in their browser, if there is one; a failure only means they
    /// open it themselves (the URL is said beside).
    pub fn open(&self, url: &str) {
        let Some(browser) = &self.browser else {
            return;
        };
        match browser.open(url, Streams::Closed) {
            // Reaped in the background: the opener may outlive the login.
            Ok(mut child) => {
                std::thread::spawn(move || child.wait());
            }
            Err(e) => log::debug!("login: cannot run {} ({e})", browser.program()),
        }
    }
}

/// The controlling terminal, for reading and writing.
fn open() -> io::Result<File> {
    OpenOptions::new().read(true).write(true).open(TTY)
}

/// Writes `message` on the controlling terminal, if there is one, as one line: its control
/// characters escaped (it may carry a service's text, such as why AWS rejected an MFA code).
pub fn tell(message: &str) {
    if let Ok(mut tty) = OpenOptions::new().write(true).open(TTY) {
        let _ = writeln!(tty, "{}", log::escape(message));
    }
}

/// Says `message` on stderr, and on the terminal too when stderr goes elsewhere (a
/// `credential_process` run, whose stderr the SDK keeps): what a person must do now.
pub fn say(message: std::fmt::Arguments<'_>) {
    log::note(message);
    if !io::IsTerminal::is_terminal(&io::stderr()) {
        tell(&format!("aws-runas: {message}"));
    }
}

/// The terminal, held for a prompt: while it is held, Ctrl-C restores the terminal's settings
/// (the prompt turns echo off) before the run dies.
pub struct Prompt {
    _restore: Option<os::TerminalGuard>,
}

impl Prompt {
    /// The terminal, for a prompt; an error when there is none, so that a run without one fails
    /// at once instead of hanging.
    pub fn open() -> io::Result<Prompt> {
        let tty = open()?;
        Ok(Prompt {
            _restore: os::TerminalGuard::save(&tty),
        })
    }

    /// Asks `question` with echo on (a yes or no); the answer's first line, at most 1 KiB.
    pub fn line(&self, question: &str) -> io::Result<String> {
        use std::io::{BufRead, Read};
        let mut tty = open()?;
        write!(tty, "{question}")?;
        tty.flush()?;
        let mut answer = String::new();
        io::BufReader::new(tty.take(1024)).read_line(&mut answer)?;
        Ok(answer.trim_end_matches(['\r', '\n']).to_string())
    }

    /// Asks `question` with echo off and returns the answer.
    pub fn secret(&self, question: &str) -> io::Result<String> {
        rpassword::prompt_password(question)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nobody_is_never_present() {
        assert!(!Person::nobody().present());
    }

    #[test]
    fn a_page_reaches_someone_with_a_browser_or_a_terminal() {
        assert!(!Person::nobody().can_see_a_page());
        let browser = Browser::find(&crate::env::Env::from_pairs(&[("BROWSER", "firefox")]));
        let with_browser = Person {
            browser,
            ..Person::default()
        };
        assert!(with_browser.can_see_a_page());
    }
}
