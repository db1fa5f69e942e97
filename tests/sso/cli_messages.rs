//! What a login tells the person at the terminal. With `--no-browser` (the browser that `BROWSER`
//! names is not opened), the code grant's line says to open the URL in a browser on this machine,
//! or to log in with `--use-device-code` from another device; the person opening that URL here
//! completes the login. Beside it, the negative control: without the flag, the browser is opened
//! and the line says so. Each login runs on a pseudo-terminal (`script`), as a person's would:
//! without one, a login no browser can show is refused at once.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use super::standin::{sso_home, standin};
use super::{assert_no_secret, device_run, sso_env, token_file};
use crate::util::*;

/// A `BROWSER` that leaves `marker` behind, then logs in as the person would
/// (tests/util/callback_browser.py).
fn browser(home: &Home, marker: &Path) -> PathBuf {
    let path = home.path().join("browser.sh");
    let script = format!(
        "#!/bin/sh\ntouch {}\nexec {} {} \"$1\" {}\n",
        marker.display(),
        venv_bin().join("python").display(),
        Path::new(ROOT)
            .join("tests/util/callback_browser.py")
            .display(),
        home.path().join("browser.json").display()
    );
    std::fs::write(&path, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// A login running on a pseudo-terminal, and the lines that terminal shows.
struct Login {
    child: Child,
    lines: Receiver<String>,
    seen: String,
}

impl Login {
    /// `aws-runas args...` on a pseudo-terminal (util-linux `script`: the terminal's output,
    /// stderr included, is its stdout), pointed at the stand-in `url`, with `BROWSER` set.
    fn start(home: &Home, url: &str, browser: &Path, args: &[&str]) -> Login {
        let words: Vec<String> = std::iter::once(BIN)
            .chain(args.iter().copied())
            .map(|w| format!("'{w}'"))
            .collect();
        let mut cmd = Command::new("script");
        cmd.args(["-q", "-e", "-c", &words.join(" "), "/dev/null"]);
        home.isolate(&mut cmd);
        cmd.envs(sso_env(url))
            .env("BROWSER", browser)
            .stdout(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let out = BufReader::new(child.stdout.take().unwrap());
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in out.lines().map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
        Login {
            child,
            lines,
            seen: String::new(),
        }
    }

    /// The first line shown that holds `wanted`, waited for at most 30 s.
    fn line_with(&mut self, wanted: &str) -> String {
        let until = Instant::now() + Duration::from_secs(30);
        while let Ok(line) = self
            .lines
            .recv_timeout(until.saturating_duration_since(Instant::now()))
        {
            self.seen.push_str(&line);
            self.seen.push('\n');
            if line.contains(wanted) {
                return line.trim().to_string();
            }
        }
        let _ = self.child.kill();
        panic!("no line with {wanted:?} in {:?}", self.seen);
    }

    /// The exit status (none: killed after 30 s) and everything the terminal showed.
    fn finish(mut self) -> (Option<i32>, String) {
        let until = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status.code();
            }
            if Instant::now() > until {
                let _ = self.child.kill();
                break None;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(2)) {
            self.seen.push_str(&line);
            self.seen.push('\n');
        }
        (status, self.seen)
    }
}

#[test]
fn with_no_browser_the_login_says_to_open_the_url_on_this_machine_and_that_completes_it() {
    let (_standin, url) = standin();
    let home = sso_home();
    let marker = home.path().join("browser-opened");
    let browser = browser(&home, &marker);
    let mut login = Login::start(
        &home,
        &url,
        &browser,
        &["--sso-login", "--no-browser", "sso-admin"],
    );
    let line = login.line_with("log in to IAM Identity Center");
    assert!(
        !line.contains("your browser") && !line.contains("does not open"),
        "{line}"
    );
    for says in [
        "no browser is opened here",
        "open this URL in a browser on this machine and complete the login",
        "from another device, log in with --use-device-code instead",
    ] {
        assert!(line.contains(says), "{says:?} in {line}");
    }
    // The person does as told: opens the URL (the line's last word) in a browser here.
    let page = line.rsplit(' ').next().unwrap();
    assert!(page.starts_with(&format!("{url}/authorize?")), "{line}");
    let report = home.path().join("person.json");
    let person = Command::new(venv_bin().join("python"))
        .arg(Path::new(ROOT).join("tests/util/callback_browser.py"))
        .args([page, report.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(person.status.success(), "{}", stderr(&person));
    let (status, shown) = login.finish();
    assert_eq!(status, Some(0), "{shown}");
    assert!(
        shown.contains("logged in to IAM Identity Center"),
        "{shown}"
    );
    assert!(token_file(&home).exists(), "{shown}");
    assert!(!marker.exists(), "--no-browser opened the browser");
    assert_no_secret(&shown, &home);
}

#[test]
fn without_no_browser_the_browser_is_opened_and_the_line_says_so() {
    let (_standin, url) = standin();
    let home = sso_home();
    let marker = home.path().join("browser-opened");
    let browser = browser(&home, &marker);
    let mut login = Login::start(&home, &url, &browser, &["--sso-login", "sso-admin"]);
    let line = login.line_with("log in to IAM Identity Center");
    assert!(
        line.contains("in your browser; if it does not open, open"),
        "{line}"
    );
    assert!(!line.contains("no browser is opened"), "{line}");
    let (status, shown) = login.finish();
    assert_eq!(status, Some(0), "{shown}");
    assert!(marker.exists(), "the browser was not opened: {shown}");
}

#[test]
fn the_device_code_without_a_browser_is_to_enter_on_any_device() {
    let (_standin, url) = standin();
    let home = sso_home();
    // `--sso-login --use-device-code --no-browser`, approved once the code is shown.
    let out = device_run(&home, &url, "allow");
    assert!(out.status.success(), "{}", stderr(&out));
    let first = stderr(&out).lines().next().unwrap_or_default().to_string();
    assert!(
        first.contains(" in a browser on any device and enter the code "),
        "{first}"
    );
}
