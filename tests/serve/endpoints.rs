//! The credential endpoints for long-running programs, consumed by the real clients: `--ec2`
//! (instance metadata, IMDSv2 and v1), `--ecs` (container credentials, alone and with a
//! command) and `-j` (credential_process), read by the aws CLI and boto3 with no credentials
//! files of their own; their refusals; their stop; their renewals.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::util::*;

/// A running `aws-runas --ec2|--ecs`: its first stdout lines, and its stderr as it comes.
pub(crate) struct Running {
    child: Child,
    lines: Vec<String>,
    stderr: Arc<Mutex<String>>,
}

impl Running {
    pub(crate) fn start(home: &Home, args: &[&str], env: &[(&str, &str)], lines: usize) -> Running {
        let mut cmd = home.cmd(args);
        cmd.env("AWS_RUNAS_EC2_ADDR", "127.0.0.1:0")
            .envs(env.iter().copied());
        Running::spawn(cmd, lines)
    }

    /// Starts `cmd` (aws-runas, or a program that execs it) and reads its first `lines`.
    pub(crate) fn spawn(mut cmd: Command, lines: usize) -> Running {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().unwrap();
        let sink = Arc::clone(&stderr);
        thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut read = Vec::new();
        for _ in 0..lines {
            let mut line = String::new();
            out.read_line(&mut line).unwrap();
            assert!(
                !line.is_empty(),
                "no output; stderr: {}",
                stderr.lock().unwrap()
            );
            read.push(line.trim_end().to_string());
        }
        Running {
            child,
            lines: read,
            stderr,
        }
    }

    /// The value of `export NAME=value` among the lines.
    pub(crate) fn export(&self, name: &str) -> String {
        let prefix = format!("export {name}=");
        self.lines
            .iter()
            .find_map(|l| l.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("{name} in {:?}", self.lines))
            .to_string()
    }

    /// `host:port` of the endpoint.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process is still running.
    pub(crate) fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    pub(crate) fn authority(&self, url: &str) -> String {
        url.trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap()
            .to_string()
    }

    /// Sends SIGTERM; returns the exit code and how long the stop took.
    pub(crate) fn stop(mut self) -> (Option<i32>, Duration, String) {
        let started = Instant::now();
        // SAFETY: kill with the pid of our own child, not yet reaped.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let status = self.child.wait().unwrap();
        let took = started.elapsed();
        thread::sleep(Duration::from_millis(50));
        let stderr = self.stderr.lock().unwrap().clone();
        (status.code(), took, stderr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn get(authority: &str, path: &str, headers: &str) -> (u16, String) {
    raw_http(
        authority,
        &format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\n{headers}Connection: close\r\n\r\n"),
    )
}

/// A client's environment: a HOME with no AWS files, the emulator for STS, and `extra`.
fn client(program: &str, args: &[&str], extra: &[(&str, String)]) -> std::process::Output {
    let home = TempDir::new();
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env_clear()
        .env("HOME", home.path())
        .env(
            "PATH",
            format!("{}:/usr/local/bin:/usr/bin:/bin", venv_bin().display()),
        )
        .env("LANG", "C.UTF-8")
        .env("AWS_ENDPOINT_URL", &emulator().endpoint)
        .env("AWS_DEFAULT_REGION", "us-east-1");
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn aws_whoami(extra: &[(&str, String)]) -> String {
    let argv = whoami(&[]);
    let out = client(argv[0], &argv[1..], extra);
    assert!(out.status.success(), "aws: {}", stderr(&out));
    stdout(&out).trim().to_string()
}

const BOTO3_WHOAMI: &str = "import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])";

fn boto3_whoami(extra: &[(&str, String)]) -> String {
    let python = venv_bin().join("python");
    let out = client(python.to_str().unwrap(), &["-c", BOTO3_WHOAMI], extra);
    assert!(out.status.success(), "boto3: {}", stderr(&out));
    stdout(&out).trim().to_string()
}

#[test]
fn ec2_serves_the_aws_cli_and_boto3_with_imdsv2() {
    let home = Home::standard();
    let server = Running::start(&home, &["--ec2", "admin"], &[], 1);
    let url = server.export("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    let env = [
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", url.clone()),
        // v2 only: the token PUT must work.
        ("AWS_EC2_METADATA_V1_DISABLED", "true".to_string()),
    ];
    assert_eq!(aws_whoami(&env), session_arn("admin"));
    assert_eq!(boto3_whoami(&env), session_arn("admin"));
    let (code, took, log) = server.stop();
    assert_eq!(code, Some(0));
    assert!(took < Duration::from_secs(1), "{took:?}");
    assert!(log.contains(" PUT /latest/api/token 200 "), "{log}");
    assert!(
        log.contains(" GET /latest/meta-data/iam/security-credentials/admin 200 "),
        "{log}"
    );
    // The credentials were served and never logged.
    let cached = std::fs::read_to_string(home.cache_file(".aws_assume_role_admin")).unwrap();
    let cached: serde_json::Value = serde_json::from_str(&cached).unwrap();
    for secret in ["SecretAccessKey", "SessionToken"] {
        assert!(
            !log.contains(cached[secret].as_str().unwrap()),
            "{secret} in the log"
        );
    }
}

#[test]
fn ec2_serves_imdsv1_when_the_token_put_is_refused() {
    let home = Home::standard();
    let server = Running::start(&home, &["--ec2", "admin"], &[], 1);
    let url = server.export("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    // A proxy that adds X-Forwarded-For: the token PUT is refused (403), and the SDK falls back
    // to IMDSv1, which is served.
    let proxy = Helper::start("xff_proxy.py", &[&server.authority(&url)]);
    let env = [("AWS_EC2_METADATA_SERVICE_ENDPOINT", proxy.url.clone())];
    assert_eq!(boto3_whoami(&env), session_arn("admin"));
    assert_eq!(aws_whoami(&env), session_arn("admin"));
    let (_, _, log) = server.stop();
    assert!(log.contains(" PUT /latest/api/token 403 "), "{log}");
}

#[test]
fn ecs_standalone_serves_the_aws_cli_and_boto3() {
    let home = Home::standard();
    let server = Running::start(&home, &["--ecs", "admin"], &[], 2);
    let env = [
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            server.export("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
        ),
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            server.export("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
        ),
    ];
    assert_eq!(aws_whoami(&env), session_arn("admin"));
    assert_eq!(boto3_whoami(&env), session_arn("admin"));
    let (code, took, log) = server.stop();
    assert_eq!(code, Some(0));
    assert!(took < Duration::from_secs(1), "{took:?}");
    assert!(log.contains(" GET /<credentials> 200 "), "{log}");
    assert!(!log.contains(&env[1].1), "the token in the log");
}

#[test]
fn ecs_with_a_command_runs_it_against_the_endpoint_and_exits_with_its_status() {
    let home = Home::standard();
    let out = home.run(whoami(&["--ecs", "admin"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session_arn("admin"));
    // boto3 too, and what the command's environment holds.
    let script = format!(
        "import os; {BOTO3_WHOAMI}; print(sorted(k for k in os.environ if k.startswith('AWS')))"
    );
    let python = venv_bin().join("python");
    let out = home
        .cmd(["--ecs", "admin", python.to_str().unwrap(), "-c", &script])
        .env("AWS_ACCESS_KEY_ID", "AKIASTALE")
        .env("AWS_SECRET_ACCESS_KEY", "stale")
        .env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/stale")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with(&session_arn("admin")), "{text}");
    for hidden in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    ] {
        assert!(!text.contains(&format!("'{hidden}'")), "{hidden} in {text}");
    }
    assert!(
        text.contains("'AWS_CONTAINER_AUTHORIZATION_TOKEN'")
            && text.contains("'AWS_SHARED_CREDENTIALS_FILE'")
    );
    let out = home.run(["--ecs", "admin", "sh", "-c", "exit 7"]);
    assert_eq!(out.status.code(), Some(7));
}

#[test]
fn ecs_passes_sigterm_on_to_its_command() {
    let home = Home::standard();
    let mut child = home
        .cmd([
            "--ecs",
            "admin",
            "sh",
            "-c",
            "trap 'exit 42' TERM; echo ready; while :; do sleep 0.05; done",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "ready\n");
    // SAFETY: kill with the pid of our own child, not yet reaped.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert_eq!(child.wait().unwrap().code(), Some(42));
}

#[test]
fn refusals_wrong_token_host_path_and_method() {
    let home = Home::standard();
    let ec2 = Running::start(&home, &["--ec2", "admin"], &[], 1);
    let a = ec2.authority(&ec2.export("AWS_EC2_METADATA_SERVICE_ENDPOINT"));
    let creds = "/latest/meta-data/iam/security-credentials/admin";
    assert_eq!(get(&a, creds, "").0, 200);
    assert_eq!(get(&a, creds, "X-aws-ec2-metadata-token: 1.00\r\n").0, 401);
    assert_eq!(
        get(&a, "/latest/meta-data/iam/security-credentials/other", "").0,
        404
    );
    assert_eq!(get(&a, "/latest/user-data", "").0, 404);
    let wrong_host =
        format!("GET {creds} HTTP/1.1\r\nHost: attacker.example:80\r\nConnection: close\r\n\r\n");
    assert_eq!(raw_http(&a, &wrong_host).0, 403);
    let post = format!(
        "POST {creds} HTTP/1.1\r\nHost: {a}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    assert_eq!(raw_http(&a, &post).0, 405);
    for ttl in ["0", "21601", "x"] {
        let put = format!("PUT /latest/api/token HTTP/1.1\r\nHost: {a}\r\nX-aws-ec2-metadata-token-ttl-seconds: {ttl}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        assert_eq!(raw_http(&a, &put).0, 400, "{ttl}");
    }
    let put = format!("PUT /latest/api/token HTTP/1.1\r\nHost: {a}\r\nX-aws-ec2-metadata-token-ttl-seconds: 60\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    let (status, token) = raw_http(&a, &put);
    assert_eq!(status, 200);
    let (status, body) = get(&a, creds, &format!("X-aws-ec2-metadata-token: {token}\r\n"));
    assert_eq!(status, 200);
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["Code"], "Success");
    assert_eq!(
        get(&a, "/latest/meta-data/placement/region", "").1,
        "us-east-1"
    );

    let ecs = Running::start(&home, &["--ecs", "admin"], &[], 2);
    let uri = ecs.export("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    let token = ecs.export("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    let a = ecs.authority(&uri);
    let path = format!("/{}", uri.splitn(4, '/').nth(3).unwrap());
    assert_eq!(
        get(&a, &path, &format!("Authorization: {token}\r\n")).0,
        200
    );
    assert_eq!(get(&a, &path, "Authorization: wrong\r\n").0, 401);
    assert_eq!(get(&a, &path, "").0, 401);
    assert_eq!(
        get(&a, "/other", &format!("Authorization: {token}\r\n")).0,
        404
    );
    let rebinding = format!("GET {path} HTTP/1.1\r\nHost: rebind.example\r\nAuthorization: {token}\r\nConnection: close\r\n\r\n");
    assert_eq!(raw_http(&a, &rebinding).0, 403);
}

#[test]
fn a_non_loopback_address_is_refused() {
    let home = Home::standard();
    let out = home
        .cmd(["--ec2", "admin"])
        .env("AWS_RUNAS_EC2_ADDR", "0.0.0.0:0")
        .output()
        .unwrap();
    assert_one_line_error(
        &out,
        &["AWS_RUNAS_EC2_ADDR=0.0.0.0:0 is not a loopback address"],
    );
    let out = home
        .cmd(["--ecs", "admin"])
        .env("AWS_RUNAS_ECS_ADDR", "169.254.169.254:80")
        .output()
        .unwrap();
    assert_one_line_error(&out, &["is not a loopback address"]);
}

#[test]
fn credential_process_json_for_the_aws_cli_and_boto3() {
    let e = emulator();
    let config = format!(
        "{}\n[profile cp]\nregion = us-east-1\ncredential_process = {BIN} -j admin\n\n[profile cp-mfa]\nregion = us-east-1\ncredential_process = {BIN} -j mfa-admin\n",
        standard_config()
    );
    let home = Home::new(&config, &keys(&[("dev", &e.alice), ("mfauser", &e.alice)]));
    let out = home.run(["-j", "admin"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["Version"], 1);
    assert!(json["Expiration"].as_str().unwrap().ends_with('Z'));
    // The aws CLI and boto3 run it themselves.
    let out = home.run_command(&[
        "aws",
        "sts",
        "get-caller-identity",
        "--profile",
        "cp",
        "--query",
        "Arn",
        "--output",
        "text",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session_arn("admin"));
    let python = venv_bin().join("python");
    let script = "import boto3; print(boto3.Session(profile_name='cp').client('sts').get_caller_identity()['Arn'])";
    let out = home.run_command(&[python.to_str().unwrap(), "-c", script]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session_arn("admin"));
    // With MFA: the prompt is on the terminal, though the aws CLI holds the process's output.
    let run = home.run_command_on_terminal(
        &[
            "aws",
            "sts",
            "get-caller-identity",
            "--profile",
            "cp-mfa",
            "--query",
            "Arn",
            "--output",
            "text",
        ],
        &[Answer::Totp(&e.alice.mfa_seed)],
    );
    assert_eq!(run.status, 0, "{run:?}");
    assert_eq!(run.prompts, 1, "{run:?}");
    assert_eq!(run.stdout.trim(), session_arn("mfa-admin"));
}

/// A boto3 client calling STS once a second for `seconds`; prints "<ok> <failed>". With a second
/// argument, botocore's static-stability stretch of instance-metadata credentials is off: it
/// treats credentials with under 17-25 minutes left as usable for that long again (EC2 hands out
/// credentials with more left, and so does --ec2, see server/holder.rs), which 40-second test
/// credentials would always trip. Everything else is stock boto3.
pub(crate) const BOTO3_LOOP: &str = "
import sys, time, boto3, botocore.utils
if len(sys.argv) > 2:
    botocore.utils.InstanceMetadataFetcher._evaluate_expiration = lambda self, credentials: None
end = time.time() + float(sys.argv[1])
sts = boto3.Session().client('sts')
ok = failed = 0
while time.time() < end:
    try:
        sts.get_caller_identity()
        ok += 1
    except Exception as e:
        failed += 1
        print('failed:', e, file=sys.stderr)
    time.sleep(1)
print(ok, failed)
";

/// [`BOTO3_LOOP`] for `seconds` against the `--ec2` endpoint `url`, in a HOME of its own.
pub(crate) fn boto3_loop_on_ec2(home: &Home, url: &str, seconds: &str) -> Child {
    let mut ec2_loop = Command::new(venv_bin().join("python"));
    ec2_loop.args(["-c", BOTO3_LOOP, seconds, "no-stretch"]);
    home.isolate(&mut ec2_loop);
    ec2_loop
        .env_remove("AWS_EC2_METADATA_DISABLED")
        .env("HOME", TempDir::new().path())
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for a [`BOTO3_LOOP`] (`name`, for messages): it succeeded, no call failed, and it made
/// at least `min` calls. Its output.
pub(crate) fn assert_boto3_loop(name: &str, child: Child, min: u32) -> std::process::Output {
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{name}: {}", stderr(&out));
    let counts: Vec<u32> = stdout(&out)
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(counts[1], 0, "{name}: failed calls: {}", stderr(&out));
    assert!(counts[0] >= min, "{name}: {counts:?}");
    out
}

#[test]
#[ignore = "slow: boto3 loops run 75 s across renewals of 40-second credentials"]
fn long_running_clients_keep_working_across_renewals() {
    // Role credentials that last 40 s: renewed every 20 s.
    // An MFA-gated role: the session token made with the one -o code is cached, so every
    // renewal is silent (there is no terminal: a renewal that asked would fail the loops).
    let e = Emulator::start_with(&[("EMULATOR_ROLE_LIFETIME", "40")]);
    let home = Home::standard_on(&e);
    let code = totp(&e.alice.mfa_seed, 0);
    let ec2 = Running::start(&home, &["--ec2", "-o", &code, "mfa-admin"], &[], 1);
    let url = ec2.export("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    let python = venv_bin().join("python");
    let seconds = "75";
    // One loop reads --ec2, the other runs under --ecs.
    let ec2_loop = boto3_loop_on_ec2(&home, &url, seconds);
    let ecs_loop = home
        .cmd([
            "--ecs",
            "admin",
            python.to_str().unwrap(),
            "-c",
            BOTO3_LOOP,
            seconds,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Meanwhile, watch the Expiration --ec2 serves.
    let a = ec2.authority(&url);
    let mut seen: Vec<String> = Vec::new();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(70) {
        let (status, body) = get(
            &a,
            "/latest/meta-data/iam/security-credentials/mfa-admin",
            "",
        );
        assert_eq!(status, 200, "{body}");
        let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
        let expiration = doc["Expiration"].as_str().unwrap().to_string();
        if seen.last() != Some(&expiration) {
            seen.push(expiration);
        }
        thread::sleep(Duration::from_secs(2));
    }
    for (name, child) in [("--ec2", ec2_loop), ("--ecs", ecs_loop)] {
        assert_boto3_loop(name, child, 30);
    }
    // At least two renewals, each later than the one before.
    assert!(seen.len() >= 3, "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    let (code, _, log) = ec2.stop();
    assert_eq!(code, Some(0));
    assert!(
        log.matches("renewed the credentials of mfa-admin").count() >= 2,
        "{log}"
    );
}

#[test]
#[ignore = "slow: watches 20-second credentials for 26 s, until they expire"]
fn a_failing_renewal_serves_the_old_credentials_until_they_expire_then_503() {
    // 20-second credentials, and then no STS at all.
    let e = Emulator::start_with(&[("EMULATOR_ROLE_LIFETIME", "20")]);
    let home = Home::standard_on(&e);
    let ecs = Running::start(&home, &["--ecs", "admin"], &[], 2);
    drop(e);
    let uri = ecs.export("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    let auth = format!(
        "Authorization: {}\r\n",
        ecs.export("AWS_CONTAINER_AUTHORIZATION_TOKEN")
    );
    let a = ecs.authority(&uri);
    let path = format!("/{}", uri.splitn(4, '/').nth(3).unwrap());
    let (status, body) = get(&a, &path, &auth);
    assert_eq!(status, 200);
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    let first = doc["AccessKeyId"].clone();
    let started = Instant::now();
    let mut statuses = Vec::new();
    while started.elapsed() < Duration::from_secs(26) {
        let (status, body) = get(&a, &path, &auth);
        if status == 200 {
            let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(
                doc["AccessKeyId"], first,
                "the same credentials until they expire"
            );
        } else {
            let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert!(doc["error"].as_str().unwrap().contains("expired"), "{body}");
        }
        if statuses.last() != Some(&status) {
            statuses.push(status);
        }
        thread::sleep(Duration::from_millis(500));
    }
    // Served while valid, then 503, never 200 again.
    assert_eq!(statuses, [200, 503]);
    let (code, _, log) = ecs.stop();
    assert_eq!(code, Some(0));
    assert_eq!(
        log.matches("cannot renew the credentials of admin").count(),
        1,
        "{log}"
    );
}
