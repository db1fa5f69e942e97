//! The one rule for opening a page in the user's browser, for every page a run opens (an IAM
//! Identity Center login, `-w --open`): `BROWSER` when it is set, else the platform's opener
//! (`open` on macOS, `start` on Windows, `xdg-open` where there is a display). None: the caller
//! prints the URL for the user to open. The opener runs with no standard streams of ours, so
//! nothing it prints can mix with what a run prints (a `credential_process` answer).

use std::ffi::OsString;
use std::io;
use std::process::{Child, Command, Stdio};

use crate::env::Env;

/// A command that opens a URL, given as its last argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Browser {
    words: Vec<OsString>,
}

impl Browser {
    /// What opens a page here, if anything: `BROWSER`, else the platform's opener (on Linux and
    /// the BSDs only where there is a display, `DISPLAY` or `WAYLAND_DISPLAY`).
    pub fn find(env: &Env) -> Option<Browser> {
        let words: &[&str] = if let Some(browser) = env.non_empty("BROWSER") {
            return Some(Browser {
                words: vec![browser.into()],
            });
        } else if cfg!(target_os = "macos") {
            &["open"]
        } else if cfg!(windows) {
            &["cmd", "/c", "start", ""]
        } else if env.non_empty("DISPLAY").is_some() || env.non_empty("WAYLAND_DISPLAY").is_some() {
            &["xdg-open"]
        } else {
            return None;
        };
        Some(Browser {
            words: words.iter().map(OsString::from).collect(),
        })
    }

    /// The program, for messages.
    pub fn program(&self) -> String {
        self.words[0].to_string_lossy().into_owned()
    }

    /// Starts the opener on `url`, its streams closed; the caller waits for it or not.
    pub fn open(&self, url: &str) -> io::Result<Child> {
        Command::new(&self.words[0])
            .args(&self.words[1..])
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browser_wins_then_the_platform_opener_where_there_is_a_display() {
        let find = |pairs: &[(&str, &str)]| Browser::find(&Env::from_pairs(pairs));
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
    fn the_url_is_the_opener_s_last_argument() {
        let env = Env::from_pairs(&[("BROWSER", "echo")]);
        let browser = Browser::find(&env).unwrap();
        let child = browser.open("https://example.com/?a=1&b=2").unwrap();
        assert!(child.wait_with_output().unwrap().status.success());
    }
}
