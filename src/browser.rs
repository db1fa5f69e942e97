//! The one rule for opening a page in the user's browser, for every page a run opens (an IAM
//! Identity Center login, `-w --open`): `BROWSER` when it is set, read as Python's `webbrowser`
//! and `xdg-open` read it (a `:`-separated list of commands tried in turn; in a command with
//! `%s` the URL goes there, else it is the last argument), else the platform's opener (`open` on
//! macOS, `start` on Windows, `xdg-open` where there is a display). None: the caller prints the
//! URL for the user to open.

use std::ffi::OsString;
use std::io;
use std::process::{Child, Command, Stdio};

use crate::env::Env;
use crate::shell;

/// The commands that may open a page, tried in turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Browser {
    commands: Vec<Vec<String>>,
}

/// The opener's standard streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Streams {
    /// None of ours: nothing it prints can mix with what the run prints (a login inside a
    /// `credential_process` run, whose stdout is the SDK's).
    Closed,
    /// The run's: a browser in the terminal works, and the opener's own errors are seen (`-w`).
    Inherited,
}

impl Browser {
    /// What opens a page here, if anything: `BROWSER`, else the platform's opener (on Linux and
    /// the BSDs only where there is a display, `DISPLAY` or `WAYLAND_DISPLAY`).
    pub fn find(env: &Env) -> Option<Browser> {
        if let Some(list) = env.non_empty("BROWSER") {
            let commands: Vec<Vec<String>> = list
                .split(':')
                .filter(|entry| !entry.trim().is_empty())
                .filter_map(|entry| match entry.contains("%s") {
                    true => shell::split(entry).ok().filter(|w| !w.is_empty()),
                    false => Some(vec![entry.to_string()]),
                })
                .collect();
            return (!commands.is_empty()).then_some(Browser { commands });
        }
        let words: &[&str] = if cfg!(target_os = "macos") {
            &["open"]
        } else if cfg!(windows) {
            &["cmd", "/c", "start", ""]
        } else if env.non_empty("DISPLAY").is_some() || env.non_empty("WAYLAND_DISPLAY").is_some() {
            &["xdg-open"]
        } else {
            return None;
        };
        Some(Browser {
            commands: vec![words.iter().map(|w| w.to_string()).collect()],
        })
    }

    /// The first command's program, for messages.
    pub fn program(&self) -> String {
        self.commands[0][0].clone()
    }

    /// Starts the first command that can be started on `url`; the caller waits for it or not.
    /// The URL is one argument, never read by a shell; one that begins with `-` is refused, since
    /// a command would read it as an option (`--version`, or worse). It cannot go after a `--`
    /// instead: xdg-open refuses one as an unexpected option.
    pub fn open(&self, url: &str, streams: Streams) -> io::Result<Child> {
        if url.starts_with('-') {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a URL that begins with '-' would be read as an option",
            ));
        }
        let mut failed = io::Error::new(io::ErrorKind::NotFound, "no browser command");
        for words in &self.commands {
            match spawn(&with_url(words, url), streams) {
                Ok(child) => return Ok(child),
                Err(e) => failed = e,
            }
        }
        Err(failed)
    }
}

/// `words` with the URL: in place of `%s`, else as the last argument.
fn with_url(words: &[String], url: &str) -> Vec<OsString> {
    let mut argv: Vec<OsString> = words.iter().map(|w| w.replace("%s", url).into()).collect();
    if !words.iter().any(|w| w.contains("%s")) {
        argv.push(url.into());
    }
    argv
}

fn spawn(argv: &[OsString], streams: Streams) -> io::Result<Child> {
    let mut command = Command::new(&argv[0]);
    command.args(&argv[1..]);
    if streams == Streams::Closed {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
    }
    command.spawn()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(pairs: &[(&str, &str)]) -> Option<Browser> {
        Browser::find(&Env::from_pairs(pairs))
    }

    #[test]
    fn browser_wins_then_the_platform_opener_where_there_is_a_display() {
        assert_eq!(
            find(&[("BROWSER", "firefox"), ("DISPLAY", ":0")]).map(|b| b.program()),
            Some("firefox".to_string())
        );
        if cfg!(target_os = "linux") {
            assert_eq!(find(&[]), None);
            assert_eq!(find(&[("BROWSER", "")]), None);
            assert_eq!(
                find(&[("WAYLAND_DISPLAY", "wayland-0")]).map(|b| b.program()),
                Some("xdg-open".to_string())
            );
        }
    }

    #[test]
    fn browser_is_a_list_and_percent_s_places_the_url() {
        let b = find(&[("BROWSER", "no-such-browser-here:firefox --new-tab %s")]).unwrap();
        assert_eq!(b.commands.len(), 2);
        let url = "https://example.com/?a=1&b=2";
        assert_eq!(
            with_url(&b.commands[1], url),
            ["firefox", "--new-tab", url].map(OsString::from)
        );
        assert_eq!(
            with_url(&b.commands[0], url),
            ["no-such-browser-here", url].map(OsString::from)
        );
    }

    #[test]
    fn the_first_command_that_starts_opens_the_page() {
        let env = Env::from_pairs(&[("BROWSER", "no-such-browser-here:true %s")]);
        let browser = Browser::find(&env).unwrap();
        let child = browser
            .open("https://example.com/", Streams::Closed)
            .unwrap();
        assert!(child.wait_with_output().unwrap().status.success());
    }

    #[test]
    fn a_url_that_could_be_an_option_is_never_passed() {
        // `true` would start, and succeed, with any argument.
        for entry in ["true", "true %s"] {
            let browser = find(&[("BROWSER", entry)]).unwrap();
            for url in ["--version", "-n"] {
                let e = browser.open(url, Streams::Closed).unwrap_err();
                assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{entry} {url}");
            }
        }
    }
}
