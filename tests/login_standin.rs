//! The stand-in for AWS sign-in (tests/emulator/login_standin.py), proven with clients nobody here
//! wrote before aws-runas's `login_session` support is tested against it: botocore's
//! `LoginProvider` (through the aws CLI) refreshes an expired session through it, rewrites the
//! cache file with a rotated refresh token, and moto accepts the credentials; the refusals
//! botocore maps (TOKEN_EXPIRED) reach it as such; the JS SDK v3's login provider refreshes
//! through it too, and botocore uses the file the JS SDK wrote. Then its own checks: the DPoP proof (htu, jti,
//! iat, typ, alg, signature), the refresh token bound to its key and spent on use, the code
//! grant's PKCE verifier and redirect, both authorize flows.
//!
//! The sessions start as `aws login` (CLI v2) leaves them, made by tests/util/login_client.py.

use std::io::{Read, Write};

use crate::util::*;

/// The stand-in, minting credentials with alice's keys in the shared emulator: it, its URL and
/// the session ARN of its logins.
pub fn standin() -> (Helper, String, String) {
    let e = emulator();
    let helper = Helper::start_at(
        "tests/emulator/login_standin.py",
        &[
            &e.endpoint,
            &e.alice.access_key_id,
            &e.alice.secret_access_key,
        ],
    );
    let ready: serde_json::Value = serde_json::from_str(&helper.url).unwrap();
    let text = |k: &str| ready[k].as_str().unwrap().to_string();
    (helper, text("url"), text("session"))
}

/// Runs tests/util/login_client.py with `args`; its JSON answer.
fn client(args: &[&str]) -> serde_json::Value {
    let out = std::process::Command::new(venv_bin().join("python"))
        .arg(std::path::Path::new(ROOT).join("tests/util/login_client.py"))
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(stdout(&out).trim()).unwrap()
}

/// A login through the stand-in at `url` as `aws login` makes it, its cache file written into
/// `home`'s ~/.aws/login/cache, expired (`expired`) or not: the cache document.
pub fn login(url: &str, home: &Home, expired: bool) -> serde_json::Value {
    let dir = home.path().join(".aws/login/cache");
    let mut args = vec!["login", url, dir.to_str().unwrap()];
    if expired {
        args.push("--expired");
    }
    client(&args)["cache"].clone()
}

/// One CreateOAuth2Token call with `body` and a proof by `key` (PEM), spoiled by `spoil`
/// (login_client.py's flags): (status, answer).
fn token(
    url: &str,
    key: &str,
    body: &serde_json::Value,
    spoil: &[&str],
) -> (u16, serde_json::Value) {
    let body = body.to_string();
    let mut args = vec!["token", url, key, &body];
    args.extend_from_slice(spoil);
    let answer = client(&args);
    (
        answer["status"].as_u64().unwrap() as u16,
        answer["body"].clone(),
    )
}

/// The refresh grant's body for the session `cache`, with `refresh` as the refresh token.
fn refresh_body(cache: &serde_json::Value, refresh: &serde_json::Value) -> serde_json::Value {
    serde_json::json!({"clientId": cache["clientId"], "grantType": "refresh_token", "refreshToken": refresh})
}

pub fn stats(url: &str) -> serde_json::Value {
    let authority = url.trim_start_matches("http://");
    let (_, body) = raw_http(
        authority,
        &format!("GET /_standin/stats HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"),
    );
    serde_json::from_str(&body).unwrap()
}

pub fn post(url: &str, path: &str, body: &serde_json::Value) -> u16 {
    let authority = url.trim_start_matches("http://");
    let body = body.to_string();
    raw_http(
        authority,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
    .0
}

/// A HOME whose profile `login` uses the stand-in's session.
pub fn login_home(session: &str) -> Home {
    Home::new(
        &format!("[profile login]\nlogin_session = {session}\nregion = us-east-1\n"),
        "",
    )
}

/// `aws sts get-caller-identity --profile login` in `home`, signing in through `url`.
pub fn caller_identity(home: &Home, url: &str) -> std::process::Output {
    let mut cmd = std::process::Command::new("aws");
    cmd.args([
        "sts",
        "get-caller-identity",
        "--profile",
        "login",
        "--query",
        "Arn",
        "--output",
        "text",
    ]);
    home.isolate(&mut cmd);
    cmd.env("AWS_ENDPOINT_URL_SIGNIN", url).output().unwrap()
}

pub fn cache_file(home: &Home, session: &str) -> serde_json::Value {
    let out = std::process::Command::new(venv_bin().join("python"))
        .args([
            "-c",
            "import hashlib,sys; print(hashlib.sha256(sys.argv[1].encode()).hexdigest())",
            session,
        ])
        .output()
        .unwrap();
    let path = home
        .path()
        .join(".aws/login/cache")
        .join(format!("{}.json", stdout(&out).trim()));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn botocore_refreshes_an_expired_login_through_the_standin_and_moto_accepts_the_credentials() {
    let (_standin, url, session) = standin();
    let home = login_home(&session);
    let cache = login(&url, &home, true);
    assert_eq!(stats(&url)["CreateOAuth2Token"], 1);
    let out = caller_identity(&home, &url);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session);
    // botocore refreshed once, and rewrote the file: new credentials, a rotated refresh token, the
    // rest kept.
    assert_eq!(stats(&url)["CreateOAuth2Token"], 2);
    let cached = cache_file(&home, &session);
    assert_ne!(
        cached["accessToken"]["accessKeyId"],
        cache["accessToken"]["accessKeyId"]
    );
    assert_ne!(cached["refreshToken"], cache["refreshToken"]);
    for kept in ["clientId", "dpopKey", "idToken", "tokenType"] {
        assert_eq!(cached[kept], cache[kept], "{kept}");
    }
    assert_eq!(cached["accessToken"]["accountId"], ACCOUNT);
    // The old refresh token is spent; the new one works, with the session's key only.
    let key = cache["dpopKey"].as_str().unwrap();
    let (status, answer) = token(
        &url,
        key,
        &refresh_body(&cache, &cache["refreshToken"]),
        &[],
    );
    assert_eq!(
        (status, &answer["error"]),
        (401, &serde_json::json!("TOKEN_EXPIRED"))
    );
    let (status, answer) = token(
        &url,
        key,
        &refresh_body(&cache, &cached["refreshToken"]),
        &[],
    );
    assert_eq!(status, 200, "{answer}");
    assert!(answer.get("idToken").is_none());
    // Negative control: a second run with the credentials now fresh makes no refresh (the four
    // calls: the login, botocore's refresh, the two above).
    assert_eq!(stats(&url)["CreateOAuth2Token"], 4);
    let out = caller_identity(&home, &url);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stats(&url)["CreateOAuth2Token"], 4);
}

#[test]
fn botocore_reads_the_standins_refusals_as_the_service_s() {
    let (_standin, url, session) = standin();
    let home = login_home(&session);
    let cache = login(&url, &home, true);
    // A refresh token past its life: TOKEN_EXPIRED, which botocore turns into "log in again".
    assert_eq!(post(&url, "/_standin/expire", &serde_json::json!({})), 200);
    let out = caller_identity(&home, &url);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("reauthenticate using 'aws login'"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        cache_file(&home, &session),
        cache,
        "a refused refresh leaves the file as it was"
    );
    // The hostile answer of the same error, and another botocore maps to a permissions error.
    let (_standin, url, session) = standin();
    let home = login_home(&session);
    login(&url, &home, true);
    for (error, status, expected) in [
        (
            "USER_CREDENTIALS_CHANGED",
            403,
            "reauthenticate using 'aws login'",
        ),
        ("INSUFFICIENT_PERMISSIONS", 403, "signin:CreateOAuth2Token"),
    ] {
        let hostile = serde_json::json!({"error": {"status": status, "type": "AccessDeniedException",
                                                   "body": {"error": error, "message": "no"}}});
        assert_eq!(post(&url, "/_standin/hostile", &hostile), 200);
        let out = caller_identity(&home, &url);
        assert!(!out.status.success());
        assert!(stderr(&out).contains(expected), "{error}: {}", stderr(&out));
    }
    // Nothing was spent: a well-behaved service again, and the same file refreshes.
    assert_eq!(post(&url, "/_standin/hostile", &serde_json::json!({})), 200);
    let out = caller_identity(&home, &url);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_bad_dpop_proof_is_refused_and_spends_nothing() {
    let (_standin, url, session) = standin();
    let home = login_home(&session);
    let cache = login(&url, &home, true);
    let key = cache["dpopKey"].as_str().unwrap();
    let body = refresh_body(&cache, &cache["refreshToken"]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let stale = (now - 600).to_string();
    let other_url = format!("{url}/v1/other");
    let jti = "00000000-0000-4000-8000-000000000000";
    // Another key than the session's: a fresh login's.
    let other_home = login_home(&session);
    let other_key = login(&url, &other_home, true)["dpopKey"]
        .as_str()
        .unwrap()
        .to_string();
    let spoilt: &[(&str, &[&str], &str)] = &[
        ("no proof", &["--no-proof"], key),
        ("another htu", &["--htu", &other_url], key),
        (
            "another host in htu",
            &["--htu", "https://us-east-1.signin.aws.amazon.com/v1/token"],
            key,
        ),
        ("a stale iat", &["--iat", &stale], key),
        ("typ", &["--typ", "JWT"], key),
        ("alg", &["--alg", "ES384"], key),
        ("a bad signature", &["--bad-signature"], key),
        ("the refresh token with another key", &[], &other_key),
    ];
    for (what, spoil, key) in spoilt {
        let (status, answer) = token(&url, key, &body, spoil);
        assert_eq!(
            (status, &answer["error"], &answer["__type"]),
            (
                400,
                &serde_json::json!("INVALID_REQUEST"),
                &serde_json::json!("ValidationException")
            ),
            "{what}: {answer}"
        );
    }
    // A jti used once is refused the second time, even with a good proof otherwise.
    let (status, answer) = token(&url, key, &body, &["--jti", jti]);
    assert_eq!(status, 200, "{answer}");
    let body = refresh_body(&cache, &answer["refreshToken"]);
    let (status, answer) = token(&url, key, &body, &["--jti", jti]);
    assert_eq!(
        (status, &answer["error"]),
        (400, &serde_json::json!("INVALID_REQUEST"))
    );
    // None of the refusals spent the token.
    let (status, answer) = token(&url, key, &body, &[]);
    assert_eq!(status, 200, "{answer}");
}

#[test]
fn both_authorize_flows_and_the_code_grant_checks() {
    let (_standin, url, session) = standin();
    // Cross-device: the code the confirmation page shows, pasted, logs in.
    let home = login_home(&session);
    let dir = home.path().join(".aws/login/cache");
    let cache = client(&["login", &url, dir.to_str().unwrap(), "--cross-device"])["cache"].clone();
    assert_eq!(cache["clientId"], "arn:aws:signin:::devtools/cross-device");
    let out = caller_identity(&home, &url);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session);
    assert_eq!(
        stats(&url)["CreateOAuth2Token"],
        1,
        "valid credentials: no refresh"
    );
    // The authorize page refuses what the CLI would never send.
    let authority = url.trim_start_matches("http://");
    let get = |query: &str| {
        raw_http(
            authority,
            &format!("GET /v1/authorize?{query} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"),
        )
        .0
    };
    let good = "response_type=code&client_id=arn%3Aaws%3Asignin%3A%3A%3Adevtools%2Fsame-device&state=s&code_challenge_method=SHA-256&scope=openid&redirect_uri=http%3A%2F%2F127.0.0.1%3A5%2Foauth%2Fcallback&code_challenge=_-BU_nrgy23GXDr5th1SCfQ5hR20PQulmXM33xVGaOs";
    assert_eq!(get(good), 200);
    assert_eq!(get(&good.replace("SHA-256", "S256")), 400);
    assert_eq!(
        get(&good.replace("http%3A%2F%2F127.0.0.1", "http%3A%2F%2Fevil.example")),
        400
    );
    assert_eq!(get(&good.replace("same-device", "cross-device")), 400);
    // The code grant: a spent or unknown code, a wrong verifier, another redirect.
    let key = cache["dpopKey"].as_str().unwrap();
    let grant = |code: &str, verifier: &str, redirect: &str| {
        token(
            &url,
            key,
            &serde_json::json!({"clientId": "arn:aws:signin:::devtools/same-device", "grantType": "authorization_code",
                                "code": code, "codeVerifier": verifier, "redirectUri": redirect}),
            &[],
        )
    };
    let redirect = "http://127.0.0.1:5/oauth/callback";
    let (status, answer) = grant("code-unknown", &"a".repeat(64), redirect);
    assert_eq!(
        (status, &answer["error"]),
        (401, &serde_json::json!("AUTHCODE_EXPIRED"))
    );
    let authorize = || {
        let form = good;
        let mut stream = std::net::TcpStream::connect(authority).unwrap();
        write!(stream, "POST /v1/authorize HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}", form.len()).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.0 302"), "{answer}");
        let location = answer
            .lines()
            .find_map(|l| l.strip_prefix("Location: "))
            .unwrap()
            .to_string();
        assert!(
            location.starts_with(redirect) && location.ends_with("&state=s"),
            "{location}"
        );
        location
            .split("code=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap()
            .to_string()
    };
    // The verifier "a"*64 is the one whose challenge the query carries (LOGIN-PROTOCOL.md 5).
    let code = authorize();
    assert_eq!(grant(&code, &"b".repeat(64), redirect).0, 400);
    let code = authorize();
    assert_eq!(
        grant(&code, &"a".repeat(64), "http://127.0.0.1:6/oauth/callback").0,
        400
    );
    let code = authorize();
    let (status, answer) = grant(&code, &"a".repeat(64), redirect);
    assert_eq!(status, 200, "{answer}");
    assert!(answer["idToken"].as_str().unwrap().split('.').count() == 3);
    // Single use.
    assert_eq!(grant(&code, &"a".repeat(64), redirect).0, 401);
}

/// `node tests/browser/login_credentials.mjs login URL` in `home`: the JS SDK's login provider.
pub fn js_credentials(home: &Home, url: &str) -> std::process::Output {
    let sdk = std::path::Path::new(ROOT)
        .join("tests/browser/node_modules/@aws-sdk/credential-provider-login");
    assert!(
        sdk.exists(),
        "run `make browser` (make test does): the JS SDK's login provider is missing"
    );
    let mut cmd = std::process::Command::new("node");
    cmd.arg(std::path::Path::new(ROOT).join("tests/browser/login_credentials.mjs"))
        .args(["login", url]);
    home.isolate(&mut cmd);
    cmd.output().unwrap()
}

#[test]
fn the_js_sdk_refreshes_through_the_standin_and_botocore_uses_what_it_wrote() {
    let (_standin, url, session) = standin();
    let home = login_home(&session);
    let cache = login(&url, &home, true);
    let out = js_credentials(&home, &url);
    assert!(out.status.success(), "{}", stderr(&out));
    let js: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(
        stats(&url)["CreateOAuth2Token"],
        2,
        "the JS SDK refreshed once"
    );
    // moto accepts what the JS SDK got.
    let mut cmd = std::process::Command::new("aws");
    cmd.args([
        "sts",
        "get-caller-identity",
        "--region",
        "us-east-1",
        "--query",
        "Arn",
        "--output",
        "text",
    ]);
    home.isolate(&mut cmd);
    for (name, field) in [
        ("AWS_ACCESS_KEY_ID", "accessKeyId"),
        ("AWS_SECRET_ACCESS_KEY", "secretAccessKey"),
        ("AWS_SESSION_TOKEN", "sessionToken"),
    ] {
        cmd.env(name, js[field].as_str().unwrap());
    }
    let out = cmd.output().unwrap();
    assert_eq!(stdout(&out).trim(), session, "{}", stderr(&out));
    // It rewrote the file its way (expiresAt with milliseconds), the refresh token rotated.
    let cached = cache_file(&home, &session);
    assert_eq!(cached["accessToken"]["accessKeyId"], js["accessKeyId"]);
    assert_ne!(cached["refreshToken"], cache["refreshToken"]);
    assert_eq!(cached["dpopKey"], cache["dpopKey"]);
    let expires = cached["accessToken"]["expiresAt"].as_str().unwrap();
    assert!(expires.ends_with('Z') && expires.contains('.'), "{expires}");
    // botocore uses the file the JS SDK wrote, and the JS SDK again, neither refreshing.
    let out = caller_identity(&home, &url);
    assert_eq!(stdout(&out).trim(), session, "{}", stderr(&out));
    let out = js_credentials(&home, &url);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stats(&url)["CreateOAuth2Token"], 2);
}

#[test]
fn botocore_assumes_a_role_on_the_standins_session_and_moto_checks_its_trust() {
    let (_standin, url, session) = standin();
    let role = |name: &str| {
        format!("[profile via-{name}]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/{name}\nsource_profile = login\nregion = us-east-1\n\n")
    };
    let home = Home::new(
        &format!(
            "[profile login]\nlogin_session = {session}\nregion = us-east-1\n\n{}{}",
            role("login-chained"),
            role("sso-chained")
        ),
        "",
    );
    login(&url, &home, true);
    let run = |profile: &str| {
        let mut cmd = std::process::Command::new("aws");
        cmd.args([
            "sts",
            "get-caller-identity",
            "--profile",
            profile,
            "--query",
            "Arn",
            "--output",
            "text",
        ]);
        home.isolate(&mut cmd);
        cmd.env("AWS_ENDPOINT_URL_SIGNIN", &url).output().unwrap()
    };
    let out = run("via-login-chained");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with(&format!(
            "arn:aws:sts::{ACCOUNT}:assumed-role/login-chained/"
        )),
        "{}",
        stdout(&out)
    );
    // Negative control: a role that trusts another session refuses the login's.
    let out = run("via-sso-chained");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("AccessDenied"), "{}", stderr(&out));
}

#[test]
fn the_standin_answers_as_a_hostile_service_when_told() {
    let (_standin, url, session) = standin();
    let home = login_home(&session);
    let cache = login(&url, &home, true);
    let key = cache["dpopKey"].as_str().unwrap();
    let hostile = serde_json::json!({"token": {"expiresIn": 18446744073709551615u64,
                                               "tokenType": "Bearer\n[profile x]"}});
    assert_eq!(post(&url, "/_standin/hostile", &hostile), 200);
    let (status, answer) = token(
        &url,
        key,
        &refresh_body(&cache, &cache["refreshToken"]),
        &[],
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["expiresIn"], 18446744073709551615u64);
    assert_eq!(answer["tokenType"], "Bearer\n[profile x]");
    // The authorize redirect with a forged state: what the client must refuse.
    assert_eq!(
        post(
            &url,
            "/_standin/hostile",
            &serde_json::json!({"redirect": {"state": "forged"}})
        ),
        200
    );
    let dir = home.path().join("other");
    let out = std::process::Command::new(venv_bin().join("python"))
        .arg(std::path::Path::new(ROOT).join("tests/util/login_client.py"))
        .args(["login", &url, dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("'state': 'forged'"),
        "{}",
        stderr(&out)
    );
}
