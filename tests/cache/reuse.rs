//! What a run takes from the credential cache and when it fetches instead, counted at the
//! emulator: each test that counts has its own emulator.

use std::process::{Command, Stdio};

use crate::util::*;

fn key_id(exports: &str) -> String {
    export_value(exports, "AWS_ACCESS_KEY_ID").expect("AWS_ACCESS_KEY_ID")
}

fn total(e: &Emulator) -> u64 {
    e.stats().0.values().sum()
}

#[test]
fn a_cached_run_makes_no_sts_request() {
    let e = Emulator::start();
    let home = Home::standard_on(&e);
    let code = totp(&e.alice.mfa_seed, 0);
    let first = home.run_without_terminal(&["-o", &code, "mfa-admin"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let (requests, connections) = e.stats();
    assert_eq!(requests.get("GetSessionToken"), Some(&1), "{requests:?}");
    assert_eq!(requests.get("AssumeRole"), Some(&1), "{requests:?}");
    assert_eq!(requests.get("GetCallerIdentity"), Some(&1), "{requests:?}");
    assert_eq!(connections, 1, "one keep-alive connection per run");

    e.reset_stats();
    let cached = home.run_without_terminal(&["mfa-admin", "true"]);
    assert!(cached.status.success(), "{}", stderr(&cached));
    let out = home.run_without_terminal(&["mfa-admin"]);
    assert_eq!(key_id(&stdout(&out)), key_id(&stdout(&first)));
    assert_eq!(total(&e), 0, "{:?}", e.stats());

    // Another role of the same source profile: one AssumeRole, no GetCallerIdentity (the
    // session name came from the session token's cache entry), no MFA.
    let other = home.run_without_terminal(&["mfa-ops"]);
    assert!(other.status.success(), "{}", stderr(&other));
    assert_eq!(
        e.stats().0,
        [("AssumeRole".to_string(), 1)].into_iter().collect()
    );
}

#[test]
fn refresh_fetches_new_credentials() {
    let e = Emulator::start();
    let home = Home::standard_on(&e);
    let first = home.run(["admin"]);
    assert!(first.status.success(), "{}", stderr(&first));
    e.reset_stats();
    let refreshed = home.run(["-r", "admin"]);
    assert!(refreshed.status.success(), "{}", stderr(&refreshed));
    assert_ne!(key_id(&stdout(&refreshed)), key_id(&stdout(&first)));
    assert_eq!(e.count("GetSessionToken"), 1);
    assert_eq!(e.count("AssumeRole"), 1);
    // And the refreshed ones are cached in turn.
    let again = home.run(["admin"]);
    assert_eq!(key_id(&stdout(&again)), key_id(&stdout(&refreshed)));
}

#[test]
fn a_corrupted_cache_file_is_replaced() {
    let home = Home::standard();
    let first = home.run(["admin"]);
    assert!(first.status.success());
    let role_file = home.cache_file(".aws_assume_role_admin");
    let session_file = home.cache_file(".aws_session_token_dev");
    std::fs::write(&role_file, "{\"AccessKeyID\": \"ASIA").unwrap();
    std::fs::write(&session_file, [0xff, 0xfe, 0x00]).unwrap();
    let out = home.run(["-v", "admin"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("corrupt"), "{}", stderr(&out));
    let text = std::fs::read_to_string(&role_file).unwrap();
    let entry: serde_json::Value = serde_json::from_str(&text).expect("a valid cache file again");
    assert_eq!(
        entry["AccessKeyID"].as_str().unwrap(),
        key_id(&stdout(&out))
    );
    assert_ne!(key_id(&stdout(&out)), key_id(&stdout(&first)));
}

#[test]
fn parallel_cold_runs_make_one_sts_call_of_each_kind_in_all() {
    let e = Emulator::start();
    let home = Home::standard_on(&e);
    let code = totp(&e.alice.mfa_seed, 0);
    let children: Vec<_> = (0..8)
        .map(|_| {
            let mut cmd = home.cmd(["-o", code.as_str(), "mfa-admin"]);
            cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    let keys: Vec<String> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success(), "{}", stderr(&out));
            key_id(&stdout(&out))
        })
        .collect();
    assert!(keys.iter().all(|k| k == &keys[0]), "{keys:?}");
    // Eight runs, one of each call in all: the others waited on the lock and read the cache.
    let (requests, _) = e.stats();
    for action in ["GetCallerIdentity", "GetSessionToken", "AssumeRole"] {
        assert_eq!(requests.get(action), Some(&1), "{action}: {requests:?}");
    }
    assert_eq!(total(&e), 3, "{requests:?}");
}

#[test]
fn cache_files_are_private() {
    let home = Home::standard();
    // A config file in a directory that does not exist yet: the cache directory is made 0700.
    let dir = home.path().join("elsewhere/aws");
    std::fs::create_dir_all(dir.parent().unwrap()).unwrap();
    let credentials = home.path().join(".aws/credentials");
    let out = home
        .cmd(["arn:aws:iam::123456789012:role/admin"])
        .env("AWS_CONFIG_FILE", dir.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", &credentials)
        .env("AWS_REGION", "us-east-1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|f| f.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // The two cache files, 0600, and our private directory (0700) for the locks: nothing else.
    assert_eq!(
        names,
        [
            ".aws-runas",
            ".aws_assume_role_123456789012-admin",
            ".aws_session_token_default"
        ]
    );
    assert_eq!(mode(&dir.join(".aws-runas")), 0o700);
    assert_eq!(
        mode(&dir.join(".aws_assume_role_123456789012-admin")),
        0o600
    );
    assert_eq!(mode(&dir.join(".aws_session_token_default")), 0o600);
    for f in std::fs::read_dir(dir.join(".aws-runas")).unwrap() {
        let f = f.unwrap().path();
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.ends_with(".lock"), "{name}: only locks are left");
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
}

#[test]
fn a_long_role_duration_assumes_directly_with_mfa() {
    let e = Emulator::start();
    let home = Home::standard_on(&e);
    let code = totp(&e.alice.mfa_seed, 0);
    let out = home.run_without_terminal(&["-a", "2h", "-o", &code, "mfa-admin"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let left = seconds_left(&stdout(&out));
    assert!((7000..=7200).contains(&left), "{left}s left");
    let (requests, _) = e.stats();
    assert_eq!(requests.get("GetSessionToken"), None, "{requests:?}");
    assert_eq!(requests.get("AssumeRole"), Some(&1), "{requests:?}");
}

#[test]
fn a_short_role_duration_is_clamped_to_15_minutes() {
    let home = Home::standard();
    let out = home.run(["-a", "5m", "admin"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let left = seconds_left(&stdout(&out));
    assert!((800..=900).contains(&left), "{left}s left");
}

#[test]
fn expired_cache_entries_are_refreshed() {
    let home = Home::standard();
    let first = home.run(["admin"]);
    assert!(first.status.success());
    let role_file = home.cache_file(".aws_assume_role_admin");
    let text = std::fs::read_to_string(&role_file).unwrap();
    let mut entry: serde_json::Value = serde_json::from_str(&text).unwrap();
    entry["Expiration"] = serde_json::json!(1_000_000_000);
    std::fs::write(&role_file, entry.to_string()).unwrap();
    let out = home.run(["-v", "admin"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_ne!(key_id(&stdout(&out)), key_id(&stdout(&first)));
}

#[test]
#[ignore = "slow: waits 3 s for a 2-second session token to expire, on an emulator of its own"]
fn a_session_token_that_aws_calls_expired_is_fetched_again() {
    // An emulator that lets a test mint a session token of two seconds.
    let e = Emulator::start_with(&[("EMULATOR_MIN_DURATION", "1")]);
    let home = Home::standard_on(&e);
    let script = "import boto3, json, sys\n\
        from botocore.config import Config\n\
        c = boto3.client('sts', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3], config=Config(parameter_validation=False))\n\
        t = c.get_session_token(DurationSeconds=2)['Credentials']\n\
        print(json.dumps({'AccessKeyID': t['AccessKeyId'], 'SecretAccessKey': t['SecretAccessKey'], 'SessionToken': t['SessionToken'], 'ProviderName': 'SessionTokenProvider', 'Expiration': 4102444800}))\n";
    let out = Command::new(venv_bin().join("python"))
        .args([
            "-c",
            script,
            &e.endpoint,
            &e.alice.access_key_id,
            &e.alice.secret_access_key,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // The file claims the token is good until 2100; the emulator will say ExpiredToken.
    std::fs::write(home.cache_file(".aws_session_token_dev"), stdout(&out)).unwrap();
    std::thread::sleep(std::time::Duration::from_secs(3));
    e.reset_stats();
    let run = home.run(whoami(&["-v", "admin"]));
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(stderr(&run).contains("ExpiredToken"), "{}", stderr(&run));
    assert_eq!(stdout(&run).trim(), session_arn("admin"));
    assert_eq!(e.count("GetSessionToken"), 1);
}

#[test]
fn a_cache_file_written_by_the_go_tool_is_used() {
    let e = Emulator::start();
    let home = Home::standard_on(&e);
    let first = home.run(["admin"]);
    assert!(first.status.success());
    let exports = stdout(&first);
    // Rewrite the role's entry exactly as the Go 1.x tool writes it: no fields of ours.
    let go = format!(
        "{{\"AccessKeyID\":\"{}\",\"SecretAccessKey\":\"{}\",\"SessionToken\":\"{}\",\"ProviderName\":\"AssumeRoleProvider\",\"Expiration\":{}}}",
        key_id(&exports),
        export_value(&exports, "AWS_SECRET_ACCESS_KEY").unwrap(),
        export_value(&exports, "AWS_SESSION_TOKEN").unwrap(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 3000
    );
    std::fs::remove_file(home.cache_file(".aws_session_token_dev")).unwrap();
    std::fs::write(home.cache_file(".aws_assume_role_admin"), go).unwrap();
    e.reset_stats();
    let out = home.run(whoami(&["admin"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session_arn("admin"));
    assert_eq!(
        e.count("AssumeRole") + e.count("GetSessionToken"),
        0,
        "{:?}",
        e.stats()
    );
}

#[test]
fn session_flag_gives_the_session_token() {
    let e = emulator();
    let home = Home::standard();
    let code = totp(&e.alice.mfa_seed, 0);
    let out = home.run_without_terminal(&whoami(&["-s", "-o", &code, "mfa-admin"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), e.alice.arn);
}

#[test]
fn expiration_flag_says_when() {
    let home = Home::standard();
    let out = home.run(["-e", "admin", "true"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.starts_with("Credentials will expire on "), "{err}");
    assert!(
        err.contains("(in 59 minutes)") || err.contains("(in 60 minutes)"),
        "{err}"
    );
}

#[test]
fn expiration_flag_with_a_broken_stderr_still_succeeds() {
    // stderr is a pipe nobody reads: writing the -e line fails with EPIPE. The line is lost,
    // the run is not (eprintln! would have panicked, and panic = "abort" is a SIGABRT).
    let home = Home::standard();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut cmd = home.cmd(["-e", "admin"]);
    cmd.stdout(Stdio::piped()).stderr(writer);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", out.status);
    assert!(stdout(&out).contains("export AWS_ACCESS_KEY_ID="));
}

#[test]
fn a_failed_fetch_leaves_the_old_cache_file_as_it_was() {
    let home = Home::standard();
    assert!(home.run(["admin"]).status.success());
    // Make the entries stale, so the next run must fetch, then make that fetch fail.
    let mut before = Vec::new();
    for name in [".aws_assume_role_admin", ".aws_session_token_dev"] {
        let file = home.cache_file(name);
        let mut entry: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        entry["Expiration"] = serde_json::json!(1_000_000_000);
        std::fs::write(&file, entry.to_string()).unwrap();
        before.push((file.clone(), std::fs::read(&file).unwrap()));
    }
    let port = unused_port();
    let out = home
        .cmd(["admin"])
        .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"))
        .output()
        .unwrap();
    assert_one_line_error(&out, &["cannot connect"]);
    for (file, bytes) in before {
        assert_eq!(
            std::fs::read(&file).unwrap(),
            bytes,
            "{} changed",
            file.display()
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(home.path().join(".aws"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
