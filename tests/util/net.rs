//! Loopback helpers: the test servers in tests/util (Python), a raw HTTP exchange, a TLS proxy
//! with a private CA, a port nothing listens on, and the console page's token.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::home::TempDir;
use super::{venv_bin, ROOT};

/// A helper server of the tests (a Python script in tests/util/) that prints its URL on its
/// first line and serves until its stdin closes. Stopped when dropped.
pub struct Helper {
    pub url: String,
    child: Child,
}

impl Helper {
    pub fn start(script: &str, args: &[&str]) -> Helper {
        Helper::start_at(&format!("tests/util/{script}"), args)
    }

    /// Starts the script at `path` (relative to the repository); its first line is `url`.
    pub fn start_at(path: &str, args: &[&str]) -> Helper {
        Helper::start_with_env(path, args, &[])
    }

    /// [`Helper::start_at`] with `env` added to the script's environment.
    pub fn start_with_env(path: &str, args: &[&str], env: &[(&str, &str)]) -> Helper {
        let script = path;
        let mut child = Command::new(venv_bin().join("python"))
            .arg(Path::new(ROOT).join(path))
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {script}: {e}"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(!line.is_empty(), "{script} did not start");
        Helper {
            url: line.trim().to_string(),
            child,
        }
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One raw HTTP request (written as given) to `authority`; the answer's status and body.
pub fn raw_http(authority: &str, request: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(authority).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    (status, body.to_string())
}

/// tests/util/tls_proxy.py in front of the shared emulator: TLS with a private CA. Stopped when
/// dropped (its stdin closes).
pub struct TlsProxy {
    /// `https://127.0.0.1:PORT`.
    pub url: String,
    /// The private CA, as a PEM bundle.
    pub ca: PathBuf,
    _dir: TempDir,
    child: Child,
}

impl TlsProxy {
    pub fn start(emulator_endpoint: &str) -> TlsProxy {
        let dir = TempDir::new();
        let target = emulator_endpoint
            .trim_start_matches("http://")
            .trim_end_matches('/');
        let mut child = Command::new(venv_bin().join("python"))
            .arg(Path::new(ROOT).join("tests/util/tls_proxy.py"))
            .arg(dir.path())
            .arg(target)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the TLS proxy");
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        let ready: serde_json::Value = serde_json::from_str(&line).expect("the proxy's ready line");
        TlsProxy {
            url: ready["url"].as_str().unwrap().to_string(),
            ca: PathBuf::from(ready["ca"].as_str().unwrap()),
            _dir: dir,
            child,
        }
    }
}

impl Drop for TlsProxy {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// A loopback port that was free a moment ago: nothing listens there (an unreachable endpoint,
/// a proxy that is not there).
pub fn unused_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The per-process token in the `--ec2` console's page (`<meta name="aws-runas-token">`).
pub fn console_token(page: &str) -> String {
    page.split("name=\"aws-runas-token\" content=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the console page carries its token")
        .to_string()
}

/// The browser tests' tools: the distribution's Chromium, and playwright-core (make browser).
pub fn browser_ready() -> bool {
    let ready = Path::new("/usr/bin/chromium").exists()
        && Path::new(ROOT)
            .join("tests/browser/node_modules/playwright-core")
            .exists();
    assert!(
        ready,
        "run `make browser` (make test does): Chromium and playwright-core are missing"
    );
    ready
}
