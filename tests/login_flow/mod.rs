//! `aws-runas --login`, `--logout` (SPEC §13, LOGIN-PROTOCOL.md §5) against the sign-in stand-in
//! (tests/emulator/login_standin.py, proven in `login_standin`), whose tokens carry real moto
//! credentials. A login in headless Chromium on a terminal, used after by botocore, the JS SDK and
//! aws-runas itself (`same_device`); the cross-device flow with the code pasted on the terminal
//! (`remote`); what a person, a forged redirect and a hostile service get (`refusals`); which
//! files a logout removes (`logout`). No token, DPoP key, code or PKCE verifier in any output.
//! Here: what those files share (the config a login edits, the browsers aws-runas opens, the
//! cache document and the secrets to look for).

mod logout;
mod refusals;
mod remote;
mod same_device;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub use crate::login_standin::{js_credentials, post, standin, stats};
use crate::util::*;

const SAME_DEVICE: &str = "arn:aws:signin:::devtools/same-device";
const CROSS_DEVICE: &str = "arn:aws:signin:::devtools/cross-device";

/// A config edited by hand: comments (one with trailing spaces, one not ASCII), `key=value`
/// without spaces, an empty value, another sso-session and profiles, the last line without its
/// newline. `--login login` may add `login_session` (and `region`) to `[profile login]`; every
/// other byte must stay.
const CONFIG: &str = "# my AWS config, edited by hand (café)   \n\
[default]\n\
region = eu-west-1\n\
output=json\n\
\n\
; the profile aws-runas --login fills in\n\
[profile login]\n\
# its own comment\n\
region = us-east-1\n\
cli_pager =\n\
\n\
[profile dev]\n\
role_arn = arn:aws:iam::123456789012:role/admin\n\
source_profile = login\n\
\n\
[sso-session corp]\n\
sso_start_url = https://example.awsapps.com/start\n\
sso_region = us-east-1\n\
\n\
[profile last]\n\
region = ap-south-1";

/// A HOME with [`CONFIG`] and no credentials at all.
fn login_home() -> Home {
    Home::new(CONFIG, "")
}

/// `aws-runas args...` in `home`, signing in at the stand-in `url`.
fn runas(home: &Home, url: &str, args: &[&str]) -> Command {
    let mut cmd = home.cmd(args);
    cmd.env("AWS_ENDPOINT_URL_SIGNIN", url);
    cmd
}

/// A run of aws-runas in the background, its output captured; killed when dropped, so that a
/// failing test leaves no login waiting.
struct Run(Option<std::process::Child>);

impl Run {
    fn start(mut cmd: Command) -> Run {
        let child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        Run(Some(child))
    }

    fn running(&mut self) -> bool {
        self.0.as_mut().unwrap().try_wait().unwrap().is_none()
    }

    /// Its output once it ends, killed if it outlives `secs`.
    fn finish(mut self, secs: u64) -> Output {
        let started = Instant::now();
        while self.running() && started.elapsed() < Duration::from_secs(secs) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut child = self.0.take().unwrap();
        let _ = child.kill();
        child.wait_with_output().unwrap()
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Runs `cmd` with its output captured, killed if it outlives `secs`.
fn bounded(cmd: Command, secs: u64) -> Output {
    Run::start(cmd).finish(secs)
}

/// The browser aws-runas opens (`BROWSER`): a script in `home` that signs in and writes what it
/// saw to the returned report path.
#[derive(Clone, Copy)]
enum Browser {
    /// Headless Chromium (tests/browser/signin_login.mjs).
    Chromium,
    /// Plain HTTP (tests/util/login_client.py browse): the page, its form, the redirect.
    Http,
    /// Plain HTTP, pressing "Deny".
    HttpDeny,
}

/// Writes `kind`'s script into `home`: (the script, its report).
fn browser(home: &Home, kind: Browser) -> (PathBuf, PathBuf) {
    let report = home.path().join("browser.json");
    let script = home.path().join("browser.sh");
    let root = Path::new(ROOT);
    let run = match kind {
        Browser::Chromium => format!(
            "exec node {} \"$1\" {}",
            root.join("tests/browser/signin_login.mjs").display(),
            report.display()
        ),
        Browser::Http | Browser::HttpDeny => format!(
            "exec {} {} browse \"$1\" {}{}",
            venv_bin().join("python").display(),
            root.join("tests/util/login_client.py").display(),
            report.display(),
            if matches!(kind, Browser::HttpDeny) {
                " --deny"
            } else {
                ""
            }
        ),
    };
    std::fs::write(&script, format!("#!/bin/sh\n{run} >/dev/null 2>&1\n")).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    (script, report)
}

/// The browser's report, waited for (20 s at most: it may finish after the run).
fn report(path: &Path) -> Value {
    let started = Instant::now();
    while !path.exists() && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("no browser report {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// `python login_client.py browse URL`: a person following a printed URL by hand.
fn browse(url: &str) -> Value {
    let out = Command::new(venv_bin().join("python"))
        .arg(Path::new(ROOT).join("tests/util/login_client.py"))
        .args(["browse", url])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(stdout(&out).trim()).unwrap()
}

/// The login cache directory of `home` (the default one).
fn cache_dir(home: &Home) -> PathBuf {
    home.path().join(".aws/login/cache")
}

/// `<sha256 hex of arn>.json`, named by Python's hashlib (not by our code).
fn cache_name(arn: &str) -> String {
    let out = Command::new(venv_bin().join("python"))
        .args([
            "-c",
            "import hashlib,sys; print(hashlib.sha256(sys.argv[1].encode()).hexdigest())",
            arn,
        ])
        .output()
        .unwrap();
    format!("{}.json", stdout(&out).trim())
}

/// The files in `dir` (none when it is missing), by name; not its directories (our private
/// one, of locks and temporary files).
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Seconds from now to an RFC 3339 time (with or without fractions).
fn seconds_until(time: &str) -> i64 {
    let out = Command::new("date")
        .args(["-u", "+%s", "-d", time])
        .output()
        .unwrap();
    let then: i64 = stdout(&out)
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("not a time: {time:?}"));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    then - now
}

/// Asserts the login's cache file in `dir` is the document of LOGIN-PROTOCOL.md §2 for
/// `session` and `client`, mode 0600; returns it.
#[track_caller]
fn cache_document(dir: &Path, session: &str, client: &str) -> Value {
    let path = dir.join(cache_name(session));
    let mode = std::fs::metadata(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; {:?}", path.display(), files_in(dir)))
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "{}", path.display());
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let creds = &doc["accessToken"];
    for key in ["accessKeyId", "secretAccessKey", "sessionToken"] {
        assert!(creds[key].as_str().is_some_and(|v| !v.is_empty()), "{doc}");
    }
    assert_eq!(creds["accountId"], ACCOUNT, "the ID token's sub's account");
    let left = seconds_until(creds["expiresAt"].as_str().unwrap());
    assert!(
        (800..=960).contains(&left),
        "expiresAt {left} s away: {doc}"
    );
    assert_eq!(doc["tokenType"], "aws_sigv4");
    assert_eq!(doc["clientId"], client);
    assert!(doc["refreshToken"].as_str().is_some_and(|v| !v.is_empty()));
    assert_eq!(doc["idToken"].as_str().unwrap().split('.').count(), 3);
    let key = doc["dpopKey"].as_str().unwrap();
    assert!(
        key.starts_with("-----BEGIN EC PRIVATE KEY-----\n")
            && key.ends_with("\n-----END EC PRIVATE KEY-----\n"),
        "{key}"
    );
    doc
}

/// Asserts `home`'s config is [`CONFIG`] with `login_session = <session>` added inside
/// `[profile login]` and, when `region` is given, that section's region set to it: nothing else
/// changed, byte for byte.
#[track_caller]
fn assert_config_gained(home: &Home, session: &str, region: Option<&str>) {
    let after = std::fs::read_to_string(home.path().join(".aws/config")).unwrap();
    let added = format!("login_session = {session}");
    let mut kept = Vec::new();
    let (mut section, mut found, mut regions) = (String::new(), 0, Vec::new());
    for line in after.split_inclusive('\n') {
        let bare = line.trim_end_matches('\n');
        if bare.starts_with('[') {
            section = bare.to_string();
        }
        let in_login = section == "[profile login]";
        if in_login && bare == added {
            found += 1;
        } else if in_login && region.is_some() && bare.starts_with("region") {
            regions.push(bare.to_string());
        } else {
            kept.push(line);
        }
    }
    assert_eq!(found, 1, "one {added:?} in [profile login]:\n{after}");
    let mut before = CONFIG.to_string();
    if let Some(region) = region {
        before = before.replace(
            "# its own comment\nregion = us-east-1\n",
            "# its own comment\n",
        );
        assert_eq!(regions, [format!("region = {region}")], "{after}");
    }
    assert_eq!(kept.concat(), before, "the rest of the config changed");
}

/// Asserts a login wrote nothing: no login cache file, the config as it was.
#[track_caller]
fn assert_nothing_written(home: &Home) {
    assert_eq!(files_in(&cache_dir(home)), Vec::<String>::new());
    let config = std::fs::read_to_string(home.path().join(".aws/config")).unwrap();
    assert_eq!(config, CONFIG, "the config changed");
}

/// Asserts a run was refused as a login must be: exit 1, nothing on stdout, the error the last
/// line of stderr (after the URL's lines and `-v`'s), `aws-runas: ` and each of `wanted` in it, no control
/// character in any line. Returns that line.
#[track_caller]
fn assert_refused(out: &Output, wanted: &[&str]) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(stdout(out), "", "{err}");
    let said = err.lines().filter(|l| !l.starts_with("aws-runas: debug: "));
    assert!(said.count() <= 4, "{err}");
    assert!(!err.chars().any(|c| c.is_control() && c != '\n'), "{err:?}");
    let last = err.lines().last().unwrap_or_default().to_string();
    assert!(last.starts_with("aws-runas: "), "{err}");
    for w in wanted {
        assert!(
            last.to_lowercase().contains(&w.to_lowercase()),
            "{w:?} in {last:?}"
        );
    }
    last
}

/// The stand-in's code grants: every code and PKCE verifier it was sent.
fn exchanges(url: &str) -> Vec<String> {
    let authority = url.trim_start_matches("http://");
    let (_, body) = raw_http(
        authority,
        &format!(
            "GET /_standin/exchanges HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
        ),
    );
    let list: Vec<Value> = serde_json::from_str(&body).unwrap();
    list.iter()
        .flat_map(|e| [&e["code"], &e["codeVerifier"]])
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// The secrets a login leaves in sight: the cache document's (keys, tokens, the DPoP key's
/// lines), what the browsers saw (codes, the pasted code) and the stand-in's code grants.
fn secrets(url: &str, doc: Option<&Value>, seen: &[&Value]) -> Vec<String> {
    let mut out = exchanges(url);
    if let Some(doc) = doc {
        for key in ["secretAccessKey", "sessionToken"] {
            out.extend(doc["accessToken"][key].as_str().map(str::to_string));
        }
        for key in ["refreshToken", "idToken"] {
            out.extend(doc[key].as_str().map(str::to_string));
        }
        let pem = doc["dpopKey"].as_str().unwrap_or_default();
        out.extend(
            pem.lines()
                .filter(|l| !l.starts_with("-----"))
                .map(str::to_string),
        );
    }
    for seen in seen {
        for key in ["code", "verification_code"] {
            out.extend(seen[key].as_str().map(str::to_string));
        }
    }
    out.retain(|s| s.len() >= 8);
    out
}

/// Asserts none of `secrets` (a login's, [`secrets`]) is in `text`.
#[track_caller]
fn assert_no_secret(text: &str, secrets: &[String]) {
    assert!(!secrets.is_empty(), "no secret to look for");
    for secret in secrets {
        assert!(!text.contains(secret.as_str()), "a secret in:\n{text}");
    }
}
