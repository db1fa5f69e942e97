//! The cache says yes when it should and no when it should, and tells the user when it cannot
//! help: each case is one a user met (MFA asked for nothing, valid credentials lost, another
//! profile's credentials reused, a silent wait, a silent write failure).

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::util::*;

fn key_id(exports: &str) -> String {
    export_value(exports, "AWS_ACCESS_KEY_ID").unwrap_or_default()
}

#[test]
fn a_token_shorter_than_configured_is_still_reused() {
    // -d 1h once; later runs without -d configure 12h, whose 10% window (72 min) is longer than
    // the token's whole life. The window is 10% of the token's own lifetime: no new call.
    let e = Emulator::start();
    let home = Home::standard_on(&e);
    let first = home.run(["-d", "1h", "dev"]);
    assert!(first.status.success(), "{}", stderr(&first));
    e.reset_stats();
    let again = home.run(["dev"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(key_id(&stdout(&again)), key_id(&stdout(&first)));
    assert_eq!(e.stats().0.values().sum::<u64>(), 0, "{:?}", e.stats());
}

#[test]
fn a_session_token_without_a_record_of_mfa_is_not_used_for_an_mfa_profile() {
    // A session token as the Go 1.x tool writes it (no MFA field), for a source profile that
    // has an MFA serial: AWS would refuse the MFA-gated role with it, so it is fetched again.
    let e = Emulator::start();
    let home = Home::standard_on(&e);
    let plain = home.run(["-d", "1h", "dev"]); // a token made without MFA
    assert!(plain.status.success(), "{}", stderr(&plain));
    let token = std::fs::read_to_string(home.cache_file(".aws_session_token_dev")).unwrap();
    let mut entry: serde_json::Value = serde_json::from_str(&token).unwrap();
    let entry = entry.as_object_mut().unwrap();
    entry.retain(|k, _| {
        [
            "AccessKeyID",
            "SecretAccessKey",
            "SessionToken",
            "ProviderName",
            "Expiration",
        ]
        .contains(&k.as_str())
    });
    // Valid for hours yet, as far as the file says.
    let later = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 11 * 3600;
    entry.insert("Expiration".into(), later.into());
    std::fs::write(
        home.cache_file(".aws_session_token_mfauser"),
        serde_json::Value::Object(entry.clone()).to_string(),
    )
    .unwrap();
    e.reset_stats();
    let code = totp(&e.alice.mfa_seed, 0);
    let out = home.run_without_terminal(&["-o", &code, "mfa-admin"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(e.count("GetSessionToken"), 1, "{:?}", e.stats());
}

#[test]
fn a_failed_refresh_keeps_the_cached_credentials() {
    let home = Home::standard();
    assert!(home.run(["admin"]).status.success());
    let files = [".aws_assume_role_admin", ".aws_session_token_dev"];
    let before: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(home.cache_file(f)).unwrap())
        .collect();
    let port = unused_port();
    let out = home
        .cmd(["-r", "admin"])
        .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"))
        .output()
        .unwrap();
    assert_one_line_error(&out, &["cannot connect"]);
    for (file, bytes) in files.iter().zip(before) {
        assert_eq!(
            std::fs::read(home.cache_file(file)).unwrap(),
            bytes,
            "{file}"
        );
    }
    // And they still work.
    let out = home.run(["admin"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn profiles_whose_names_sanitise_alike_do_not_share_credentials() {
    // `team a` (alice's keys) and `team_a` (bob's keys, who may not assume admin) both name the
    // admin role. bob must not be handed alice's cached credentials.
    let e = emulator();
    let config = format!(
        "[default]\nregion = us-east-1\n[profile \"team a\"]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/admin\nsource_profile = alice\n[profile team_a]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/admin\nsource_profile = bob\n"
    );
    let home = Home::new(&config, &keys(&[("alice", &e.alice), ("bob", &e.bob)]));
    let first = home.run(["team a"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert_one_line_error(&home.run(["team_a"]), &["AssumeRole failed: AccessDenied"]);
}

#[test]
#[ignore = "slow: waits out a 3-second lock timeout, then 1.5 s for another run's lock"]
fn a_run_waiting_for_another_says_so_and_gives_up_in_time() {
    let home = Home::standard();
    // Another aws-runas is fetching admin's credentials (waiting at an MFA prompt, say).
    let private = home.path().join(".aws/.aws-runas");
    std::fs::create_dir_all(&private).unwrap();
    let lock = std::fs::File::create(private.join(".aws_assume_role_admin.lock")).unwrap();
    lock.lock().unwrap();
    let started = Instant::now();
    let out = home
        .cmd(["admin"])
        .env("AWS_RUNAS_LOCK_TIMEOUT", "3s")
        .output()
        .unwrap();
    let took = started.elapsed();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with(
            "aws-runas: waiting for another aws-runas that is fetching the credentials of profile 'admin'"
        ),
        "{err}"
    );
    assert!(
        err.lines()
            .last()
            .unwrap()
            .contains("gave up after 3s waiting for another aws-runas"),
        "{err}"
    );
    assert!(
        took >= Duration::from_secs(3) && took < Duration::from_secs(20),
        "{took:?}"
    );
    // Once the other run is done, this one goes ahead.
    let child = home
        .cmd(["admin"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    lock.unlock().unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("waiting for another aws-runas"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_cache_that_cannot_be_written_is_a_warning() {
    let home = Home::standard();
    // A directory where the role's cache file should be: it cannot be replaced.
    std::fs::create_dir(home.cache_file(".aws_assume_role_admin")).unwrap();
    let out = home.run(["admin"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("warning: cannot write the credential cache")
            && err.contains(".aws_assume_role_admin"),
        "{err}"
    );
    assert_eq!(err.matches("cannot write").count(), 1, "once: {err}");
}

#[test]
fn an_empty_region_is_unset() {
    let e = emulator();
    let config = format!(
        "[default]\nregion = eu-west-1\n[profile admin]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/admin\nsource_profile = dev\nregion =\nmfa_serial =\n"
    );
    let home = Home::new(&config, &keys(&[("dev", &e.alice)]));
    let out = home.run(["admin"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        export_value(&stdout(&out), "AWS_REGION").as_deref(),
        Some("eu-west-1")
    );
}

#[test]
fn sigkill_at_random_points_tears_no_file_and_leaves_no_credentials_behind() {
    let home = Home::standard();
    let aws = home.path().join(".aws");
    let private = aws.join(".aws-runas");
    // -r: every run fetches both entries again and writes both files.
    let started = Instant::now();
    let first = home.run(["-r", "admin"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let run_time = started.elapsed();
    // A small xorshift generator, seeded by the clock: the kill points differ from run to run.
    let mut state = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let temp_files = |dir: &std::path::Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .map(|d| {
                d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".tmp"))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut killed = 0;
    let mut runs = 0;
    while killed < 60 && runs < 400 {
        runs += 1;
        let mut child = home
            .cmd(["-r", "admin"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Anywhere in the run, weighted towards its end, where the writes are.
        let fraction = 0.1 + (next() % 1000) as f64 / 1000.0 * 0.8;
        std::thread::sleep(run_time.mul_f64(fraction));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed += 1;
        }
        child.wait().unwrap();
        for name in [".aws_assume_role_admin", ".aws_session_token_dev"] {
            let text = std::fs::read_to_string(aws.join(name)).unwrap();
            let entry: serde_json::Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{name} is torn ({e}): {text:?}"));
            assert!(
                entry["AccessKeyID"].as_str().is_some_and(|k| !k.is_empty()),
                "{text}"
            );
            assert!(
                entry["SecretAccessKey"]
                    .as_str()
                    .is_some_and(|k| !k.is_empty()),
                "{text}"
            );
        }
        // Never a temp file where others can see it.
        assert_eq!(temp_files(&aws), Vec::<String>::new());
    }
    assert!(
        killed >= 50,
        "only {killed} of {runs} runs were killed while running"
    );
    // Unnamed temp files die with the process; a run killed between linking its temp file and
    // renaming it (a few microseconds) leaves one in our private directory, which the next
    // fetch removes under the lock.
    let left = temp_files(&private);
    eprintln!(
        "{killed} of {runs} runs killed; {} temp file(s) left in the private directory",
        left.len()
    );
    let out = home.run(["-r", "admin"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(temp_files(&private), Vec::<String>::new());
}

#[test]
fn absurd_numbers_are_refused_or_bounded_never_wrapped() {
    let home = Home::standard();
    // A duration past Go's largest: an error naming it (it wrapped to 8 s).
    let out = home.run(["-d", "94522879700260684295381835.4h", "admin"]);
    assert_one_line_error(&out, &["'94522879700260684295381835.4h'", "too large"]);
    // An expiration of i64::MIN in the cache: expired, not valid for ever (it wrapped).
    assert!(home.run(["admin"]).status.success());
    let file = home.cache_file(".aws_assume_role_admin");
    let mut entry: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let planted_key = "ASIAWRAPPEDAROUND0001";
    entry["AccessKeyID"] = planted_key.into();
    entry["Expiration"] = i64::MIN.into();
    std::fs::write(&file, entry.to_string()).unwrap();
    let out = home.run(["admin"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_ne!(key_id(&stdout(&out)), planted_key);
    // A zone offset of 10^18 hours: the -e line falls back to UTC (it printed year 175852167048).
    let out = home
        .cmd(["-e", "admin", "true"])
        .env("TZ", "CET-1374799102801346565")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.starts_with("Credentials will expire on 20"), "{err}");
}
