//! Real users' configuration, end to end against the emulator, with the aws CLI as the wrapped
//! command: what the SDKs read, aws-runas reads.

use crate::util::*;

#[test]
fn a_role_profile_in_the_credentials_file_with_a_commented_header() {
    let e = emulator();
    let config = "[default] ; the default\nregion = us-east-1\n";
    let credentials = format!(
        "{}[admin]# kept with the keys\nrole_arn = arn:aws:iam::{ACCOUNT}:role/admin\nsource_profile = dev\n",
        keys(&[("dev", &e.alice)])
    );
    let home = Home::new(config, &credentials);
    let out = home.run(whoami(&["admin"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session_arn("admin"));
}

#[test]
fn a_source_profile_with_keys_and_a_role_uses_its_keys() {
    let e = emulator();
    let config = format!(
        "[default]\nregion = us-east-1\n[profile admin]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/admin\nsource_profile = dev\n[profile dev]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/forbidden\nsource_profile = dev\n"
    );
    let home = Home::new(&config, &keys(&[("dev", &e.alice)]));
    let out = home.run(whoami(&["admin"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session_arn("admin"));
}

#[test]
fn a_private_ca_needs_the_bundle_and_works_with_it() {
    let e = emulator();
    let proxy = TlsProxy::start(&e.endpoint);
    let config = format!(
        "{}\n[profile tls]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/admin\nsource_profile = dev\nca_bundle = {}\n",
        standard_config(),
        proxy.ca.display()
    );
    let home = Home::new(&config, &keys(&[("dev", &e.alice)]));
    // Without the bundle: one line that names the fix.
    let out = home
        .cmd(["admin"])
        .env("AWS_ENDPOINT_URL", &proxy.url)
        .output()
        .unwrap();
    assert_one_line_error(&out, &["not trusted", "set AWS_CA_BUNDLE or ca_bundle"]);
    // With AWS_CA_BUNDLE: the role, and the aws CLI (which reads the same variable) reaches STS
    // through the same proxy.
    let out = home
        .cmd(whoami(&["admin"]))
        .env("AWS_ENDPOINT_URL", &proxy.url)
        .env("AWS_CA_BUNDLE", &proxy.ca)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session_arn("admin"));
    // With ca_bundle in the profile.
    let out = home
        .cmd(["tls"])
        .env("AWS_ENDPOINT_URL", &proxy.url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // A bundle that is not one: named (when a request needs it; -r makes one).
    let out = home
        .cmd(["-r", "admin"])
        .env("AWS_ENDPOINT_URL", &proxy.url)
        .env("AWS_CA_BUNDLE", home.path().join(".aws/config"))
        .output()
        .unwrap();
    assert_one_line_error(
        &out,
        &[
            "cannot use the CA bundle",
            "AWS_CA_BUNDLE",
            "no PEM certificate",
        ],
    );
}

#[test]
fn a_services_section_gives_sts_its_endpoint() {
    let e = emulator();
    let config = format!(
        "[default]\nregion = us-east-1\n[profile admin]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/admin\nsource_profile = dev\nservices = local\n[services local]\nsts =\n  endpoint_url = {}\n",
        e.endpoint
    );
    let home = Home::new(&config, &keys(&[("dev", &e.alice)]));
    // No AWS_ENDPOINT_URL: the services section is aws-runas's only way to the emulator. The
    // wrapped aws CLI (which reads no profile: AWS_PROFILE is not handed on) is pointed there.
    let out = home
        .cmd([
            "-v",
            "admin",
            "aws",
            "sts",
            "get-caller-identity",
            "--endpoint-url",
            &e.endpoint,
            "--query",
            "Arn",
            "--output",
            "text",
        ])
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session_arn("admin"));
    assert!(
        stderr(&out).contains("[services local]"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_source_profile_without_keys_takes_them_from_the_environment() {
    let e = emulator();
    let config = format!(
        "[default]\nregion = us-east-1\n[profile admin]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/admin\nsource_profile = ci\n[profile ci]\nregion = us-east-1\n"
    );
    let home = Home::new(&config, "");
    let out = home
        .cmd(whoami(&["admin"]))
        .env("AWS_ACCESS_KEY_ID", &e.alice.access_key_id)
        .env("AWS_SECRET_ACCESS_KEY", &e.alice.secret_access_key)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session_arn("admin"));
}

#[test]
fn credential_process_as_the_source_of_a_role_and_as_the_credentials() {
    let e = emulator();
    let home = Home::new("", "");
    // A credential_process that counts its runs and prints alice's keys.
    let script = home.path().join("get creds.sh");
    let counter = home.path().join("runs");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho run >> '{}'\nprintf '{{\"Version\": 1, \"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"%s\"}}' \"$1\" \"$2\"\n",
            counter.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let config = format!(
        "[default]\nregion = us-east-1\n[profile admin]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/admin\nsource_profile = proc\n[profile proc]\ncredential_process = \"{}\" {} '{}'\n",
        script.display(),
        e.alice.access_key_id,
        e.alice.secret_access_key
    );
    std::fs::write(home.path().join(".aws/config"), config).unwrap();
    let runs = || {
        std::fs::read_to_string(&counter)
            .unwrap_or_default()
            .lines()
            .count()
    };
    // The source of a role: the aws CLI is the role.
    let out = home.run(whoami(&["admin"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session_arn("admin"));
    assert_eq!(runs(), 1);
    // Cached: the process is not run again.
    let out = home.run(["admin"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(runs(), 1);
    // As the credentials themselves: used as they are.
    let out = home.run(["proc"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        export_value(&stdout(&out), "AWS_ACCESS_KEY_ID").as_deref(),
        Some(e.alice.access_key_id.as_str())
    );
    // A failing process: its own message reaches the user (as with the CLI), then ours.
    std::fs::write(&script, "#!/bin/sh\necho 'log in again' >&2\nexit 3\n").unwrap();
    let out = home.run(["proc"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines[0], "log in again", "{err}");
    assert!(
        lines[1].starts_with("aws-runas: the credential_process of profile 'proc': ")
            && lines[1].ends_with("failed (exit status: 3)"),
        "{err}"
    );
}

/// A proxy on loopback that refuses every CONNECT, for `connections` connections (or 20 s).
fn refusing_proxy(connections: usize) -> (u16, std::thread::JoinHandle<usize>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let server = std::thread::spawn(move || {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let mut served = 0;
        while served < connections && std::time::Instant::now() < deadline {
            match listener.accept() {
                Ok((mut c, _)) => {
                    c.set_nonblocking(false).unwrap();
                    let mut buf = [0u8; 4096];
                    let _ = c.read(&mut buf);
                    let _ = c.write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
                    served += 1;
                }
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
            }
        }
        served
    });
    (port, server)
}

#[test]
fn a_proxy_in_the_way_is_named() {
    let e = emulator();
    let tls = TlsProxy::start(&e.endpoint);
    let home = Home::standard();
    let run = |proxy: &str| {
        home.cmd(["admin"])
            .env("AWS_ENDPOINT_URL", &tls.url)
            .env("AWS_CA_BUNDLE", &tls.ca)
            .env("HTTPS_PROXY", proxy)
            .output()
            .unwrap()
    };
    let (port, server) = refusing_proxy(1);
    let out = run(&format!("http://user:secret@127.0.0.1:{port}"));
    let line = assert_one_line_error(
        &out,
        &[&format!("through the proxy 127.0.0.1:{port}"), "refused"],
    );
    assert!(!line.contains("secret"), "{line}");
    assert_eq!(server.join().unwrap(), 1);
    // A proxy that is not there.
    let closed = unused_port();
    let out = run(&format!("http://127.0.0.1:{closed}"));
    assert_one_line_error(
        &out,
        &[
            &format!("through the proxy 127.0.0.1:{closed}"),
            "cannot connect",
        ],
    );
}

/// A stand-in for the instance-metadata service and a container endpoint on loopback, serving
/// `credentials` (JSON) for up to `connections` connections (or 20 s). Returns the base URL.
fn machine_endpoint(
    credentials: String,
    connections: usize,
) -> (String, std::thread::JoinHandle<Vec<String>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    let server = std::thread::spawn(move || {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let mut seen = Vec::new();
        while seen.len() < connections && std::time::Instant::now() < deadline {
            let Ok((mut c, _)) = listener.accept() else {
                std::thread::sleep(std::time::Duration::from_millis(20));
                continue;
            };
            c.set_nonblocking(false).unwrap();
            let mut buf = [0u8; 4096];
            let len = c.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..len]).into_owned();
            let body = if request.starts_with("PUT /latest/api/token") {
                "TOKEN".to_string()
            } else if request.starts_with("GET /latest/meta-data/iam/security-credentials/ ") {
                "instance-role".to_string()
            } else {
                credentials.clone()
            };
            let reply = format!(
                "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            let _ = c.write_all(reply.as_bytes());
            seen.push(request.lines().next().unwrap_or_default().to_string());
        }
        seen
    });
    (base, server)
}

#[test]
fn credential_sources_from_the_machine_instance_metadata_and_container() {
    let e = emulator();
    let config = format!(
        "[default]\nregion = us-east-1\n[profile ec2]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/admin\ncredential_source = Ec2InstanceMetadata\n[profile ecs]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/admin\ncredential_source = EcsContainer\n"
    );
    let home = Home::new(&config, &keys(&[("dev", &e.alice)]));
    // Temporary credentials of alice's, as an instance or a task would be given.
    let session = home.run(["-s", "dev"]);
    assert!(session.status.success(), "{}", stderr(&session));
    let exports = stdout(&session);
    let value = |n: &str| export_value(&exports, n).unwrap();
    let json = format!(
        "{{\"Code\":\"Success\",\"AccessKeyId\":\"{}\",\"SecretAccessKey\":\"{}\",\"Token\":\"{}\",\"Expiration\":\"{}\"}}",
        value("AWS_ACCESS_KEY_ID"),
        value("AWS_SECRET_ACCESS_KEY"),
        value("AWS_SESSION_TOKEN"),
        value("AWS_CREDENTIAL_EXPIRATION")
    );
    // The instance: IMDSv2 (token, role name, credentials).
    let (base, server) = machine_endpoint(json.clone(), 3);
    let out = home
        .cmd(whoami(&["ec2"]))
        .env_remove("AWS_EC2_METADATA_DISABLED")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &base)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session_arn("admin"));
    let seen = server.join().unwrap();
    assert_eq!(
        seen,
        [
            "PUT /latest/api/token HTTP/1.1",
            "GET /latest/meta-data/iam/security-credentials/ HTTP/1.1",
            "GET /latest/meta-data/iam/security-credentials/instance-role HTTP/1.1"
        ]
    );
    // The container: the full URI, with the token from its file.
    let (base, server) = machine_endpoint(json, 1);
    let token_file = home.path().join("token");
    std::fs::write(&token_file, "task-token\n").unwrap();
    let out = home
        .cmd(whoami(&["ecs"]))
        .env(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            format!("{base}v2/credentials"),
        )
        .env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", &token_file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session_arn("admin"));
    assert_eq!(server.join().unwrap(), ["GET /v2/credentials HTTP/1.1"]);
}

#[test]
fn a_role_assumed_with_a_web_identity_token() {
    let e = emulator();
    let home = Home::new("", "");
    let token = home.path().join("token");
    std::fs::write(&token, format!("{}\n", e.web_identity_token)).unwrap();
    let config = format!(
        "[default]\nregion = us-east-1\n[profile ci]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/web\nweb_identity_token_file = {}\nrole_session_name = ci-job\n",
        token.display()
    );
    std::fs::write(home.path().join(".aws/config"), config).unwrap();
    let out = home.run(whoami(&["ci"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/web/ci-job")
    );
    // A token the provider did not issue: AWS's refusal, one line.
    std::fs::write(&token, "forged.token").unwrap();
    assert_one_line_error(
        &home.run(["ci"]),
        &["AssumeRoleWithWebIdentity failed: InvalidIdentityToken"],
    );
}

/// Runs `cmd`, killing it after `limit`; its output, or None if it had to be killed.
fn output_within(
    mut cmd: std::process::Command,
    limit: std::time::Duration,
) -> Option<std::process::Output> {
    let child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id() as i32;
    let killer = std::thread::spawn(move || {
        std::thread::sleep(limit);
        // SAFETY: kill with our child's pid (ESRCH if it has ended, harmlessly).
        unsafe { libc::kill(pid, libc::SIGKILL) };
    });
    let out = child.wait_with_output().unwrap();
    drop(killer);
    (out.status.code().is_some()).then_some(out)
}

#[test]
fn a_config_file_that_is_a_fifo_without_a_writer_is_read_as_empty_and_a_pipe_with_one_works() {
    let e = emulator();
    let home = Home::new("", &keys(&[("dev", &e.alice)]));
    let fifo = home.path().join("config.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let mut cmd = home.cmd(["-D", "dev"]);
    cmd.env("AWS_CONFIG_FILE", &fifo);
    let out = output_within(cmd, std::time::Duration::from_secs(20))
        .expect("aws-runas hung on a FIFO with no writer");
    assert!(stdout(&out).contains("OK"), "{}", stdout(&out));
    // `AWS_CONFIG_FILE=<(cat config)`: a pipe with a writer, read to its end.
    let config = home.path().join("config.real");
    std::fs::write(&config, standard_config()).unwrap();
    let script = format!(
        "AWS_CONFIG_FILE=<(sleep 0.3; cat '{}') exec '{BIN}' admin aws sts get-caller-identity --query Arn --output text",
        config.display()
    );
    let out = home.run_command(&["bash", "-c", &script]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session_arn("admin"));
}

/// botocore's view of `profile` (tests/util/botocore_view.py) with this HOME's files and `env`:
/// its region, or the name of its error.
fn botocore_view(home: &Home, profile: &str, env: &[(&str, String)]) -> serde_json::Value {
    let python = venv_bin().join("python");
    let script = std::path::Path::new(ROOT).join("tests/util/botocore_view.py");
    let mut cmd = std::process::Command::new(python);
    cmd.arg(script).arg(profile);
    home.isolate(&mut cmd);
    cmd.envs(env.iter().map(|(k, v)| (k, v.as_str())));
    let out = cmd.output().unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {} {}", stdout(&out), stderr(&out)))
}

#[test]
fn where_botocore_refuses_the_files_or_reads_them_otherwise_so_do_we() {
    let e = emulator();
    let credentials = keys(&[("p", &e.alice)]);
    let cases: [(&str, &str, &str); 4] = [
        // A region that is no region name.
        (
            "[profile p]\nregion = eu-west-1#x\n",
            "p",
            "invalid region 'eu-west-1#x'",
        ),
        // A nested value written with a colon.
        (
            "[profile p]\nregion = us-west-2\ns3 =\n  addressing_style: path\n",
            "p",
            "config line 4: expected 'key = value' in a nested section",
        ),
        // Three words in a profile header: no profile at all.
        (
            "[profile my profile]\nregion = us-west-2\n",
            "my profile",
            "profile 'my profile' not found",
        ),
        // A lone carriage return ends a line: `region` is a key of its own.
        ("[profile p]\rregion = us-west-2\r", "p", ""),
    ];
    for (config, profile, our_error) in cases {
        let home = Home::new(config, &credentials);
        let theirs = botocore_view(&home, profile, &[]);
        let out = home.run(["-D", profile]);
        let ours = stdout(&out);
        if our_error.is_empty() {
            assert_eq!(theirs["region"], "us-west-2", "{config:?}: {theirs}");
            assert!(ours.contains("us-west-2"), "{config:?}: {ours}");
        } else {
            assert!(theirs["error"].is_string(), "{config:?}: {theirs}");
            assert!(ours.contains(our_error), "{config:?}: {ours}");
            assert_eq!(out.status.code(), Some(1));
        }
    }
    // AWS_CONFIG_FILE with `~` and with a variable, expanded by both.
    let home = Home::new("", &credentials);
    std::fs::write(
        home.path().join("elsewhere"),
        "[profile p]\nregion = ap-south-1\n",
    )
    .unwrap();
    for (value, extra) in [
        ("~/elsewhere", vec![]),
        (
            "$PLACE/elsewhere",
            vec![("PLACE", home.path().display().to_string())],
        ),
        (
            "${PLACE}/elsewhere",
            vec![("PLACE", home.path().display().to_string())],
        ),
    ] {
        let mut env = extra.clone();
        env.push(("AWS_CONFIG_FILE", value.to_string()));
        let theirs = botocore_view(&home, "p", &env);
        assert_eq!(theirs["region"], "ap-south-1", "{value}: {theirs}");
        let mut cmd = home.cmd(["p"]);
        cmd.envs(env.iter().map(|(k, v)| (k, v.as_str())));
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{value}: {}", stderr(&out));
        assert_eq!(
            export_value(&stdout(&out), "AWS_REGION").as_deref(),
            Some("ap-south-1"),
            "{value}"
        );
    }
}
