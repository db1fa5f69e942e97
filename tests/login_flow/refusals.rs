//! What a person, a local process and a hostile service get from a login (SPEC §12.1, §13): a
//! login denied in the browser is one line; a redirect with a forged state is answered 400 and
//! the login goes on waiting for the real one; a code exchange answered with an ID token whose
//! `sub` is no ARN (or holds control characters), or a lifetime that is none or huge, is one
//! escaped line or bounded, and a refused one writes nothing; an error in the redirect is one
//! escaped, bounded line, and the browser is told; with neither a terminal nor a browser, a
//! login is one line at once. The browser is plain HTTP (login_client.py browse), the
//! run bounded.

use serde_json::json;

use super::*;

/// `aws-runas --login login` with the plain-HTTP browser `kind`: the run's output (killed after
/// 30 s) and what the browser saw.
fn login_with(home: &Home, url: &str, kind: Browser) -> (Output, Value) {
    let (script, report_path) = browser(home, kind);
    let mut cmd = runas(home, url, &["-v", "--login", "login"]);
    cmd.env("BROWSER", &script);
    let out = bounded(cmd, 30);
    (out, report(&report_path))
}

#[test]
fn a_login_denied_in_the_browser_is_one_line_and_writes_nothing() {
    let (_standin, url, _session) = standin();
    let home = login_home();
    let (out, seen) = login_with(&home, &url, Browser::HttpDeny);
    assert_eq!(seen["error"], "access_denied", "{seen}");
    let line = assert_refused(&out, &[]);
    assert!(
        line.contains("denied") || line.contains("refused"),
        "{line}"
    );
    assert_nothing_written(&home);
    assert_eq!(stats(&url).get("CreateOAuth2Token"), None);
}

#[test]
fn a_redirect_with_a_forged_state_is_refused_and_the_login_waits_for_the_real_one() {
    let (_standin, url, session) = standin();
    let home = login_home();
    let forged = json!({"redirect": {"state": "forged"}});
    assert_eq!(post(&url, "/_standin/hostile", &forged), 200);
    let (script, report_path) = browser(&home, Browser::Http);
    let mut cmd = runas(&home, &url, &["-v", "--login", "login"]);
    cmd.env("BROWSER", &script);
    let mut run = Run::start(cmd);
    let seen = report(&report_path);
    assert_eq!(seen["state"], "forged", "{seen}");
    assert_eq!(seen["status"], 400, "{seen}");
    std::thread::sleep(Duration::from_secs(1));
    assert!(run.running(), "the login ended on a forged redirect");
    assert_eq!(files_in(&cache_dir(&home)), Vec::<String>::new());
    // The real redirect, from the same page: the login completes with it.
    assert_eq!(post(&url, "/_standin/hostile", &json!({})), 200);
    let real = browse(seen["url"].as_str().unwrap());
    assert_eq!(real["status"], 200, "{real}");
    let out = run.finish(30);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = cache_document(&cache_dir(&home), &session, SAME_DEVICE);
    assert_config_gained(&home, &session, None);
    assert_eq!(
        stats(&url)["CreateOAuth2Token"],
        1,
        "one exchange, the real code's"
    );
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert_no_secret(&all, &secrets(&url, Some(&doc), &[&seen, &real]));
}

/// base64url without padding, for the ID tokens made up here.
fn b64url(data: &[u8]) -> String {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ABC[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// An ID token (unsigned: aws-runas reads its claims only, as the CLI does) with `sub`.
fn id_token(sub: &str) -> String {
    let header = json!({"kid": "standin", "typ": "JWT", "alg": "ES384"});
    let claims = json!({"sub": sub, "session_arn": sub, "iat": 1, "exp": 2});
    format!(
        "{}.{}.c2ln",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    )
}

#[test]
fn the_local_base64url_encoder_is_right() {
    assert_eq!(b64url(b""), "");
    assert_eq!(b64url(b"f"), "Zg");
    assert_eq!(b64url(b"fo"), "Zm8");
    assert_eq!(b64url(b"foo"), "Zm9v");
    assert_eq!(b64url(&[0xfb, 0xff]), "-_8");
}

#[test]
fn a_hostile_code_exchange_answer_is_one_escaped_line_and_writes_nothing() {
    let (_standin, url, _session) = standin();
    let role = format!("arn:aws:sts::{ACCOUNT}:assumed-role/admin");
    // Each with the word its refusal must name: refused for the right reason.
    let cases = [
        (
            json!({"idToken": id_token(&format!("{role}/x\u{1b}[31m\nlogin_session = evil"))}),
            "sub",
        ),
        (json!({"idToken": id_token("not-an-arn")}), "sub"),
        (json!({"idToken": "not.a-jwt"}), "idToken"),
        (json!({"idToken": null}), "idToken"),
        (json!({"expiresIn": -1}), "expiresIn"),
        (json!({"expiresIn": 0}), "expiresIn"),
        (
            json!({"accessToken": {"accessKeyId": "ASIAONLYTHEKEYID0000"}}),
            "accessToken",
        ),
    ];
    for (case, reason) in cases {
        assert_eq!(
            post(&url, "/_standin/hostile", &json!({"token": case})),
            200
        );
        let home = login_home();
        let (out, seen) = login_with(&home, &url, Browser::Http);
        assert!(!out.status.success(), "{case}: {}", stderr(&out));
        assert_refused(&out, &[reason]);
        assert_nothing_written(&home);
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert_no_secret(&all, &secrets(&url, None, &[&seen]));
    }
}

#[test]
fn a_huge_lifetime_from_the_code_exchange_is_bounded() {
    let (_standin, url, session) = standin();
    let hostile = json!({"token": {"expiresIn": 1_000_000_000_000u64}});
    assert_eq!(post(&url, "/_standin/hostile", &hostile), 200);
    let home = login_home();
    let (out, _seen) = login_with(&home, &url, Browser::Http);
    if !out.status.success() {
        // Refused rather than bounded: one line, nothing written.
        assert_refused(&out, &[]);
        assert_nothing_written(&home);
        return;
    }
    // Kept to the model's 900 s, as a refresh's (cache_document checks 800-960 s).
    cache_document(&cache_dir(&home), &session, SAME_DEVICE);
    assert_config_gained(&home, &session, None);
}

#[test]
fn without_a_terminal_or_a_browser_a_login_is_one_line_at_once() {
    let (_standin, url, _session) = standin();
    for (args, wanted) in [
        (
            &["--login", "login"][..],
            "sign in on a terminal (or with BROWSER set)",
        ),
        (&["--login", "--remote", "login"][..], "terminal"),
    ] {
        let home = login_home();
        let mut cmd = Command::new("setsid");
        cmd.arg("--wait").arg(BIN).args(args);
        home.isolate(&mut cmd);
        cmd.env("AWS_ENDPOINT_URL_SIGNIN", &url);
        let started = Instant::now();
        let out = bounded(cmd, 20);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{args:?} waited"
        );
        assert_refused(&out, &[wanted]);
        assert_nothing_written(&home);
    }
    assert_eq!(stats(&url), json!({}), "a request was made");
}

/// `aws-runas --login` with the redirect's `error` and `error_description` set to `error`: the
/// run's last line, once checked to be a refusal that wrote nothing.
fn refused_with(url: &str, error: &str) -> String {
    let hostile = json!({"redirect": {"error": error, "error_description": error}});
    assert_eq!(post(url, "/_standin/hostile", &hostile), 200);
    let home = login_home();
    let (out, seen) = login_with(&home, url, Browser::HttpDeny);
    assert_nothing_written(&home);
    assert!(seen["status"].is_u64(), "{seen}");
    assert_refused(&out, &[])
}

#[test]
fn the_browser_is_told_the_login_was_refused_before_the_run_ends() {
    // The run may end before its page reaches the browser (a race: the outcome is handed to the
    // login before the page is written, and a refusal exits at once): tried 10 times.
    let (_standin, url, _session) = standin();
    for _ in 0..10 {
        let home = login_home();
        let (out, seen) = login_with(&home, &url, Browser::HttpDeny);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert_eq!(seen["status"], 200, "{seen}");
        assert!(seen["text"].as_str().unwrap().contains("refused"), "{seen}");
    }
}

#[test]
fn an_error_in_the_redirect_is_one_escaped_line() {
    let (_standin, url, _session) = standin();
    let line = refused_with(&url, "evil\u{1b}[2J\nsecond line\r");
    assert!(line.contains("evil\\x1b[2J\\nsecond line"), "{line}");
}

#[test]
fn a_long_error_in_the_redirect_is_cut_to_a_bounded_line() {
    let (_standin, url, _session) = standin();
    // 6,000 characters of the service's text (under the callback's 16 KiB head).
    let line = refused_with(&url, &"e".repeat(3_000));
    assert!(line.len() < 2_000, "a line of {} characters", line.len());
}
