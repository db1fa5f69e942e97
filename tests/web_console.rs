//! `-w`: a console sign-in URL through a local stand-in for the federation endpoint
//! (tests/util/signin_standin.py), which checks the request as AWS does and issues the token.

use crate::util::*;

/// The stand-in, for the shared emulator's STS.
fn standin() -> Helper {
    Helper::start("signin_standin.py", &[&emulator().endpoint])
}

/// Whose credentials the stand-in issued `token` for.
pub(crate) fn issued(standin: &Helper, token: &str) -> serde_json::Value {
    let base = standin.url.trim_end_matches("/federation");
    let authority = base.trim_start_matches("http://");
    let request = format!(
        "GET /_standin/tokens/{token} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    );
    let (status, body) = raw_http(authority, &request);
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// The query parameter `name` of `url`, percent-decoded.
pub(crate) fn param(url: &str, name: &str) -> String {
    let query = url.split_once('?').unwrap().1;
    let raw = query
        .split('&')
        .find_map(|p| p.strip_prefix(&format!("{name}=")))
        .unwrap();
    let bytes = raw.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                out.push(u8::from_str_radix(&raw[i + 1..i + 3], 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn the_url_carries_a_token_issued_for_exactly_the_roles_credentials() {
    let standin = standin();
    let home = Home::standard();
    let out = home
        .cmd(["-w", "admin"])
        .env("AWS_RUNAS_SIGNIN_URL", &standin.url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let url = stdout(&out).trim().to_string();
    assert!(
        url.starts_with(&format!("{}?Action=login&", standin.url)),
        "{url}"
    );
    assert_eq!(
        param(&url, "Destination"),
        "https://console.aws.amazon.com/"
    );
    let issued = issued(&standin, &param(&url, "SigninToken"));
    let cached = std::fs::read_to_string(home.cache_file(".aws_assume_role_admin")).unwrap();
    let cached: serde_json::Value = serde_json::from_str(&cached).unwrap();
    assert_eq!(issued["access_key_id"], cached["AccessKeyID"]);
    assert_eq!(issued["arn"], session_arn("admin"));
    // With a command, the URL goes to it.
    let out = home
        .cmd(["-w", "admin", "echo", "opening"])
        .env("AWS_RUNAS_SIGNIN_URL", &standin.url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with(&format!("opening {}?Action=login&", standin.url)));
}

#[test]
fn session_token_credentials_cannot_be_federated() {
    let standin = standin();
    let home = Home::standard();
    for args in [&["-w", "dev"][..], &["-w", "-s", "admin"]] {
        let out = home
            .cmd(args)
            .env("AWS_RUNAS_SIGNIN_URL", &standin.url)
            .output()
            .unwrap();
        assert_one_line_error(&out, &["cannot federate", "use -w with a role profile"]);
    }
}

#[test]
fn open_uses_the_browser_rule_and_prints_the_url_when_nothing_opens_one() {
    let standin = standin();
    let home = Home::standard();
    // BROWSER is the opener: it gets the URL as its one argument, and its exit code is ours.
    let opener = home.path().join("opener.sh");
    let seen = home.path().join("seen");
    std::fs::write(
        &opener,
        format!(
            "#!/bin/sh\nprintf '%s' \"$#:$1\" > '{}'\nexit 3\n",
            seen.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&opener, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let out = home
        .cmd(["-w", "--open", "admin"])
        .env("AWS_RUNAS_SIGNIN_URL", &standin.url)
        .env("BROWSER", &opener)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    let seen = std::fs::read_to_string(&seen).unwrap();
    assert!(
        seen.starts_with(&format!("1:{}?Action=login&", standin.url)),
        "{seen}"
    );
    // No BROWSER and no display: nothing can open it, so it is printed, with a note.
    let out = home
        .cmd(["-w", "--open", "admin"])
        .env("AWS_RUNAS_SIGNIN_URL", &standin.url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with(&format!("{}?Action=login&", standin.url)));
    assert!(stderr(&out).contains("set BROWSER"), "{}", stderr(&out));
}
