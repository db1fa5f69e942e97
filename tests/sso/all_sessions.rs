//! Which logins there are, and every login at once: `--sso-logout --all` ends every login of the
//! token cache (the portal's Logout for each, their tokens and the cached credentials of their
//! profiles removed), `--sso-login --all` logs in to every sso-session of the config, one after
//! the other; `--sso-login`/`--sso-logout` on a profile that does not use IAM Identity Center
//! say so and name the profiles that do.

use super::*;
use crate::util::*;

#[test]
fn a_login_or_logout_of_a_profile_without_identity_center_names_the_profiles_that_use_it() {
    let home = Home::new(
        &format!("[default]\nregion = us-east-1\n\n{}", standin::SSO_CONFIG),
        "",
    );
    for flag in ["--sso-login", "--sso-logout"] {
        let out = home.run([flag, "default"]);
        let line = assert_one_line_error(
            &out,
            &["profile 'default' does not use IAM Identity Center; these do: sso-admin, via-sso"],
        );
        assert!(!line.contains("aws_access_key_id"), "{line}");
    }
    // A role assumed with an Identity Center profile's credentials uses its login.
    let out = home.run(["--sso-logout", "via-sso"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("sso-session 'corp'"),
        "{}",
        stderr(&out)
    );
    // A profile that is not there is still "not found", with the closest name.
    let out = home.run(["--sso-login", "sso-admni"]);
    assert_one_line_error(
        &out,
        &["profile 'sso-admni' not found", "did you mean 'sso-admin'?"],
    );
}

/// The SSO tests' profiles, and a second session `corp2` with its profile `sso-two`.
fn two_sessions() -> String {
    format!(
        "{}\n[profile sso-two]\nsso_session = corp2\nsso_account_id = 123456789012\nsso_role_name = ReadOnlyAccess\nregion = us-east-1\n\n\
         [sso-session corp2]\nsso_start_url = https://standin.awsapps.example/two\nsso_region = us-east-1\n",
        standin::SSO_CONFIG
    )
}

/// The token file of the session (or legacy start URL) `key` in `home`.
fn token_of(home: &Home, key: &str) -> PathBuf {
    let out = Command::new(venv_bin().join("python"))
        .args([
            "-c",
            "import hashlib,sys; print(hashlib.sha1(sys.argv[1].encode()).hexdigest())",
            key,
        ])
        .output()
        .unwrap();
    home.path()
        .join(".aws/sso/cache")
        .join(format!("{}.json", stdout(&out).trim()))
}

/// `aws-runas args...` with the device grant, each code approved on the stand-in's page as it is
/// shown; the exit status and everything said on stderr, and how many codes were approved.
fn approving(home: &Home, url: &str, args: &[&str]) -> (Option<i32>, String, usize) {
    let mut argv = vec!["--use-device-code", "--no-browser"];
    argv.extend_from_slice(args);
    let mut child = runas(home, url, &argv)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let (mut said, mut approved) = (String::new(), 0);
    loop {
        let mut line = String::new();
        if err.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if let Some(code) = line.split("enter the code ").nth(1) {
            answer_device(url, code.trim(), "allow");
            approved += 1;
        }
        said.push_str(&line);
    }
    (child.wait().unwrap().code(), said, approved)
}

/// Writes a token file as another tool (or an older config) left it: a login of `start_url`
/// the config does not declare, with `token` (a device login's) valid for an hour.
fn foreign_token(home: &Home, start_url: &str, token: &serde_json::Value) -> PathBuf {
    let path = token_of(home, start_url);
    let json = serde_json::json!({
        "startUrl": start_url, "region": "us-east-1", "accessToken": token["accessToken"],
        "expiresAt": "2099-01-01T00:00:00Z",
    });
    std::fs::write(&path, json.to_string()).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path
}

/// Whether `token` still opens the portal at `url`.
fn portal_accepts(url: &str, token: &str) -> bool {
    let authority = url.trim_start_matches("http://");
    let (status, _) = raw_http(
        authority,
        &format!("GET /assignment/accounts HTTP/1.1\r\nHost: {authority}\r\nx-amz-sso_bearer_token: {token}\r\nConnection: close\r\n\r\n"),
    );
    status == 200
}

#[test]
fn sso_logout_all_ends_every_login_of_the_token_cache_and_removes_its_cached_credentials() {
    let (_standin, url) = standin();
    let home = Home::new(&two_sessions(), "");
    for profile in ["sso-admin", "sso-two"] {
        let (status, said, approved) = approving(&home, &url, &["--sso-login", profile]);
        assert_eq!((status, approved), (Some(0), 1), "{said}");
    }
    for profile in ["sso-admin", "via-sso", "sso-two"] {
        let out = runas(&home, &url, &whoami(&[profile])).output().unwrap();
        assert!(out.status.success(), "{profile}: {}", stderr(&out));
    }
    let cached = [
        ".aws_sso_sso-admin",
        ".aws_assume_role_via-sso",
        ".aws_sso_sso-two",
    ];
    for file in cached {
        assert!(home.cache_file(file).exists(), "{file}");
    }
    // A login another tool made, of a start URL the config does not know; and client
    // registrations, which are no logins: ours (named by a SHA-1, as tokens are) and botocore's.
    let (_, other) = standin::device_login(&url);
    let foreign = foreign_token(&home, "https://elsewhere.example/start", &other);
    let dir = home.path().join(".aws/sso/cache");
    let registration = r#"{"clientId":"c","clientSecret":"s","expiresAt":"2099-01-01T00:00:00Z"}"#;
    std::fs::write(dir.join("botocore-client-id-us-east-1.json"), registration).unwrap();
    let registrations = |dir: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file() && !std::fs::read_to_string(p).unwrap().contains("accessToken"))
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let kept = registrations(&dir);
    assert!(
        kept.len() >= 3,
        "ours for each session, and botocore's: {kept:?}"
    );
    let tokens: Vec<String> = [
        token_of(&home, "corp"),
        token_of(&home, "corp2"),
        foreign.clone(),
    ]
    .iter()
    .map(|p| read_json(p)["accessToken"].as_str().unwrap().to_string())
    .collect();
    assert!(tokens.iter().all(|t| portal_accepts(&url, t)));
    let before = count(&url, "Logout");

    let out = runas(&home, &url, &["--sso-logout", "--all"])
        .output()
        .unwrap();
    let said = stderr(&out);
    assert!(out.status.success(), "{said}");
    assert_eq!(count(&url, "Logout") - before, 3, "{said}");
    for label in [
        "sso-session 'corp'",
        "sso-session 'corp2'",
        "start URL https://elsewhere.example/start",
    ] {
        assert!(
            said.contains(&format!("logged out of IAM Identity Center ({label})")),
            "{label}: {said}"
        );
    }
    for token in &tokens {
        assert!(!portal_accepts(&url, token));
        assert!(!said.contains(token.as_str()), "{said}");
    }
    for path in [token_of(&home, "corp"), token_of(&home, "corp2"), foreign] {
        assert!(!path.exists(), "{}", path.display());
    }
    for file in cached {
        assert!(!home.cache_file(file).exists(), "{file}");
    }
    assert_eq!(registrations(&dir), kept);
    // The next run needs a login.
    for profile in ["sso-admin", "sso-two"] {
        let out = without_terminal(&home, &url, &[profile]);
        assert_one_line_error(&out, &[&format!("run aws-runas --sso-login {profile}")]);
    }
    // Nothing left: said so, and no Logout.
    let out = runas(&home, &url, &["--sso-logout", "--all"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no IAM Identity Center login to end"),
        "{}",
        stderr(&out)
    );
    assert_eq!(count(&url, "Logout") - before, 3);
    // --all means every login: a profile with it is an error.
    let out = runas(&home, &url, &["--sso-logout", "--all", "sso-admin"])
        .output()
        .unwrap();
    assert_one_line_error(&out, &["--all", "'sso-admin'"]);
}

#[test]
fn sso_login_all_logs_in_to_every_sso_session_one_after_the_other_and_says_which_failed() {
    let (_standin, url) = standin();
    // corp and corp2 through their profiles, `solo` named by no profile, `broken` unusable.
    let config = format!(
        "{}\n[sso-session solo]\nsso_start_url = https://standin.awsapps.example/solo\nsso_region = us-east-1\n\n\
         [sso-session broken]\nsso_region = us-east-1\n",
        two_sessions()
    );
    let home = Home::new(&config, "");
    let (status, said, approved) = approving(&home, &url, &["--sso-login", "--all"]);
    assert_eq!((status, approved), (Some(1), 3), "{said}");
    for session in ["corp", "corp2", "solo"] {
        let token = read_json(&token_of(&home, session));
        assert!(token["refreshToken"].is_string(), "{session}: {token}");
        assert!(
            said.contains(&format!(
                "logged in to IAM Identity Center (sso-session '{session}')"
            )),
            "{said}"
        );
    }
    assert!(
        said.contains("[sso-session broken] sets no sso_start_url"),
        "{said}"
    );
    assert!(
        said.contains("1 of 4 IAM Identity Center logins failed"),
        "{said}"
    );
    assert!(count(&url, "CreateToken") >= 3, "{}", stats(&url));
    // The logins are the profiles' own: their runs need none.
    for profile in ["sso-admin", "sso-two"] {
        let out = without_terminal(&home, &url, &whoami(&[profile]));
        assert!(out.status.success(), "{profile}: {}", stderr(&out));
    }
    // Without the broken session, every login succeeds: exit 0.
    let home = Home::new(&two_sessions(), "");
    let (status, said, approved) = approving(&home, &url, &["--sso-login", "--all"]);
    assert_eq!((status, approved), (Some(0), 2), "{said}");
    // No sso-session at all: one line that says so.
    let home = Home::new("[profile p]\nregion = us-east-1\n", "");
    let out = runas(&home, &url, &["--sso-login", "--all"])
        .output()
        .unwrap();
    assert_one_line_error(&out, &["has no [sso-session NAME] section to log in to"]);
}
