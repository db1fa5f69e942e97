//! The stand-in for IAM Identity Center's SSO OIDC service and portal
//! (tests/emulator/sso_standin.py), proven with botocore's own providers before aws-runas's SSO
//! support is tested against it: the aws CLI and boto3 refresh a login through it, get role
//! credentials from it that moto's IAM enforcement accepts, and page through its accounts and
//! roles; the grants behave as SSO OIDC's do (pending, slow_down, the PKCE verifier checked).

use std::io::{Read, Write};

use crate::util::*;

/// The stand-in, minting credentials with alice's keys in the shared emulator; its URL.
pub fn standin() -> (Helper, String) {
    standin_with(&[])
}

/// [`standin`] with `env` (`SSO_STANDIN_*` settings).
pub fn standin_with(env: &[(&str, &str)]) -> (Helper, String) {
    standin_on(emulator(), env)
}

/// [`standin_with`], minting credentials in the emulator `e`.
pub fn standin_on(e: &Emulator, env: &[(&str, &str)]) -> (Helper, String) {
    let helper = Helper::start_with_env(
        "tests/emulator/sso_standin.py",
        &[
            &e.endpoint,
            &e.alice.access_key_id,
            &e.alice.secret_access_key,
        ],
        env,
    );
    let ready: serde_json::Value = serde_json::from_str(&helper.url).unwrap();
    let url = ready["url"].as_str().unwrap().to_string();
    (helper, url)
}

/// POSTs `body` (JSON) to `path`; the status and the JSON answer.
pub fn post(url: &str, path: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
    let authority = url.trim_start_matches("http://");
    let body = body.to_string();
    let (status, answer) = raw_http(
        authority,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    (status, serde_json::from_str(&answer).unwrap_or_default())
}

/// A client registration and an access token by the device grant, as `aws sso login
/// --use-device-code` gets them: (registration, token).
pub fn device_login(url: &str) -> (serde_json::Value, serde_json::Value) {
    let (_, reg) = post(
        url,
        "/client/register",
        &serde_json::json!({"clientName": "t", "clientType": "public"}),
    );
    let client =
        serde_json::json!({"clientId": reg["clientId"], "clientSecret": reg["clientSecret"]});
    let (_, device) = post(url, "/device_authorization", &client);
    let poll = serde_json::json!({
        "clientId": reg["clientId"], "clientSecret": reg["clientSecret"],
        "grantType": "urn:ietf:params:oauth:grant-type:device_code", "deviceCode": device["deviceCode"],
    });
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (status, answer) = post(url, "/token", &poll);
    assert_eq!(
        (status, answer["error"].as_str()),
        (400, Some("authorization_pending"))
    );
    // Polled again at once: slow down.
    let (status, answer) = post(url, "/token", &poll);
    assert_eq!((status, answer["error"].as_str()), (400, Some("slow_down")));
    let authority = url.trim_start_matches("http://");
    let form = format!("user_code={}", device["userCode"].as_str().unwrap());
    raw_http(
        authority,
        &format!("POST /device HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}", form.len()),
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (status, token) = post(url, "/token", &poll);
    assert_eq!(status, 200, "{token}");
    (reg, token)
}

/// Writes the session `corp`'s token cache file as the CLI v2 does, expired (`expired`) or not.
pub fn write_token_cache(
    home: &Home,
    reg: &serde_json::Value,
    token: &serde_json::Value,
    expired: bool,
) {
    let dir = home.path().join(".aws/sso/cache");
    std::fs::create_dir_all(&dir).unwrap();
    let offset = if expired { "-60" } else { "3600" };
    let script = format!(
        "import datetime,hashlib,json,sys; now=datetime.datetime.now(datetime.timezone.utc); iso=lambda s: (now+datetime.timedelta(seconds=s)).strftime('%Y-%m-%dT%H:%M:%SZ'); \
         d=json.loads(sys.argv[1]); d.update(expiresAt=iso({offset}), registrationExpiresAt=iso(86400)); \
         open(sys.argv[2]+'/'+hashlib.sha1(b'corp').hexdigest()+'.json','w').write(json.dumps(d))"
    );
    let cache = serde_json::json!({
        "startUrl": "https://standin.awsapps.example/start", "region": "us-east-1",
        "accessToken": token["accessToken"], "refreshToken": token["refreshToken"],
        "clientId": reg["clientId"], "clientSecret": reg["clientSecret"],
    });
    let out = std::process::Command::new(venv_bin().join("python"))
        .args(["-c", &script, &cache.to_string(), dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

pub fn sso_home() -> Home {
    Home::new(SSO_CONFIG, "")
}

/// The profiles of the SSO tests: `sso-admin` (the session `corp`), and `via-sso`, a role
/// assumed with its credentials.
pub const SSO_CONFIG: &str = "[profile sso-admin]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = AdministratorAccess\nregion = us-east-1\n\n\
         [sso-session corp]\nsso_start_url = https://standin.awsapps.example/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n\n\
         [profile via-sso]\nrole_arn = arn:aws:iam::123456789012:role/sso-chained\nsource_profile = sso-admin\nregion = us-east-1\n";

#[test]
fn botocore_refreshes_a_login_through_the_standin_and_moto_accepts_its_role_credentials() {
    let (_standin, url) = standin();
    let (reg, token) = device_login(&url);
    let home = sso_home();
    write_token_cache(&home, &reg, &token, true);
    let mut cmd = std::process::Command::new("aws");
    cmd.args([
        "sts",
        "get-caller-identity",
        "--profile",
        "sso-admin",
        "--query",
        "Arn",
        "--output",
        "text",
    ]);
    home.isolate(&mut cmd);
    cmd.env("AWS_ENDPOINT_URL_SSO", &url)
        .env("AWS_ENDPOINT_URL_SSO_OIDC", &url);
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/admin/sso-user")
    );
    // The expired token was refreshed, and the rotated refresh token kept.
    let cache = std::fs::read_dir(home.path().join(".aws/sso/cache"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let cached: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(cache).unwrap()).unwrap();
    assert_ne!(cached["accessToken"], token["accessToken"]);
    assert_ne!(cached["refreshToken"], token["refreshToken"]);
    // The old refresh token is spent.
    let (status, _) = post(
        &url,
        "/token",
        &serde_json::json!({"clientId": reg["clientId"], "clientSecret": reg["clientSecret"],
                            "grantType": "refresh_token", "refreshToken": token["refreshToken"]}),
    );
    assert_eq!(status, 400);
}

#[test]
fn boto3_pages_through_accounts_and_roles_and_a_logout_ends_the_token() {
    let (_standin, url) = standin();
    let (_, token) = device_login(&url);
    let script = "import boto3,sys; sso=boto3.client('sso', region_name='us-east-1', endpoint_url=sys.argv[1]); t=sys.argv[2]; \
        accounts=[a['accountId'] for p in sso.get_paginator('list_accounts').paginate(accessToken=t) for a in p['accountList']]; \
        roles=[r['roleName'] for p in sso.get_paginator('list_account_roles').paginate(accessToken=t, accountId=accounts[0]) for r in p['roleList']]; \
        print(accounts, roles); sso.logout(accessToken=t); \
        sso.get_role_credentials(accessToken=t, accountId=accounts[0], roleName=roles[0])";
    let out = std::process::Command::new(venv_bin().join("python"))
        .args(["-c", script, &url, token["accessToken"].as_str().unwrap()])
        .env("AWS_ACCESS_KEY_ID", "unused")
        .env("AWS_SECRET_ACCESS_KEY", "unused")
        .output()
        .unwrap();
    assert_eq!(
        stdout(&out).trim(),
        format!("['{ACCOUNT}'] ['AdministratorAccess', 'ReadOnlyAccess']")
    );
    // After the logout the token is refused.
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("UnauthorizedException"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_standin_answers_as_a_hostile_portal_when_told_and_botocore_sees_it() {
    let (_standin, url) = standin();
    let (_, token) = device_login(&url);
    let hostile = serde_json::json!({
        "accounts": [{"accountId": "12345678901\n[profile x]", "accountName": "a\u{1b}[31m"}],
        "roles": {"123456789012": ["Admin\ncredential_process = /bin/sh"]},
        "device": {"expiresIn": 18446744073709551615u64, "interval": -1},
        "token": {"expiresIn": -5},
    });
    assert_eq!(post(&url, "/_standin/hostile", &hostile).0, 200);
    // boto3 gets the names as sent, and the numbers as sent.
    let script = "import boto3,sys,json; sso=boto3.client('sso', region_name='us-east-1', endpoint_url=sys.argv[1]); t=sys.argv[2]; \
        oidc=boto3.client('sso-oidc', region_name='us-east-1', endpoint_url=sys.argv[1]); \
        reg=oidc.register_client(clientName='t', clientType='public'); \
        dev=oidc.start_device_authorization(clientId=reg['clientId'], clientSecret=reg['clientSecret'], startUrl='https://x.awsapps.com/start'); \
        print(json.dumps([sso.list_accounts(accessToken=t)['accountList'][0]['accountId'], \
            sso.list_account_roles(accessToken=t, accountId='123456789012')['roleList'][0]['roleName'], \
            dev['expiresIn'], dev['interval']]))";
    let run = |script: &str| {
        std::process::Command::new(venv_bin().join("python"))
            .args(["-c", script, &url, token["accessToken"].as_str().unwrap()])
            .env("AWS_ACCESS_KEY_ID", "unused")
            .env("AWS_SECRET_ACCESS_KEY", "unused")
            .output()
            .unwrap()
    };
    let out = run(script);
    let seen: serde_json::Value =
        serde_json::from_str(stdout(&out).trim()).unwrap_or_else(|_| panic!("{}", stderr(&out)));
    assert_eq!(
        seen,
        serde_json::json!([
            "12345678901\n[profile x]",
            "Admin\ncredential_process = /bin/sh",
            18446744073709551615u64,
            -1
        ])
    );
    // Endless and cycling pages: botocore's paginator stops only at a token repeated at once, so
    // it would follow both for ever; 50 pages are read: two tokens in turn, or all new ones.
    for (paging, expected) in [("cycle", "2 distinct"), ("endless", "50 distinct")] {
        post(
            &url,
            "/_standin/hostile",
            &serde_json::json!({"paging": paging}),
        );
        let script = "import boto3,sys,itertools; sso=boto3.client('sso', region_name='us-east-1', endpoint_url=sys.argv[1]); \
            pages=sso.get_paginator('list_accounts').paginate(accessToken=sys.argv[2]); \
            seen={p['nextToken'] for p in itertools.islice(pages, 50)}; print(len(seen), 'distinct')";
        let out = run(script);
        assert!(
            format!("{}{}", stdout(&out), stderr(&out)).contains(expected),
            "{paging}: {}{}",
            stdout(&out),
            stderr(&out)
        );
    }
}

/// An authorization code for `client`, by the authorize page's "Allow" (its form posted), for
/// `challenge` and `redirect`: what the browser brings back to the loopback redirect.
fn authorize(url: &str, client: &str, challenge: &str, redirect: &str) -> String {
    let authority = url.trim_start_matches("http://");
    let form = format!(
        "response_type=code&client_id={client}&redirect_uri={redirect}&state=s1&code_challenge={challenge}&code_challenge_method=S256"
    );
    let mut stream = std::net::TcpStream::connect(authority).unwrap();
    write!(stream, "POST /authorize HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}", form.len()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let location = answer
        .lines()
        .find_map(|l| l.strip_prefix("Location: "))
        .unwrap()
        .to_string();
    assert!(
        location.starts_with(redirect) && location.ends_with("&state=s1"),
        "{location}"
    );
    let code = location.split("code=").nth(1).unwrap();
    code.split('&').next().unwrap().to_string()
}

#[test]
fn the_code_grant_checks_the_pkce_verifier_and_the_redirect() {
    let (_standin, url) = standin();
    let (_, reg) = post(
        &url,
        "/client/register",
        &serde_json::json!({"clientName": "t", "clientType": "public"}),
    );
    let client = reg["clientId"].as_str().unwrap();
    let verifier = "v".repeat(43);
    let out = std::process::Command::new(venv_bin().join("python"))
        .args(["-c", "import base64,hashlib,sys; print(base64.urlsafe_b64encode(hashlib.sha256(sys.argv[1].encode()).digest()).rstrip(b'=').decode())", &verifier])
        .output()
        .unwrap();
    let challenge = stdout(&out).trim().to_string();
    let redirect = "http://127.0.0.1:9/oauth/callback";
    let grant = |code: &str, verifier: &str, redirect: &str| {
        post(
            &url,
            "/token",
            &serde_json::json!({
                "clientId": reg["clientId"], "clientSecret": reg["clientSecret"], "grantType": "authorization_code",
                "code": code, "codeVerifier": verifier, "redirectUri": redirect,
            }),
        )
    };
    // A wrong verifier is refused, and spends the code.
    let code = authorize(&url, client, &challenge, redirect);
    assert_eq!(grant(&code, "w", redirect).0, 400);
    assert_eq!(grant(&code, &verifier, redirect).0, 400);
    // Another redirect than the one authorized is refused.
    let code = authorize(&url, client, &challenge, redirect);
    assert_eq!(
        grant(&code, &verifier, "http://127.0.0.1:8/oauth/callback").0,
        400
    );
    // The verifier and the redirect of the authorization: a token.
    let code = authorize(&url, client, &challenge, redirect);
    let (status, token) = grant(&code, &verifier, redirect);
    assert_eq!(status, 200, "{token}");
    assert!(token["accessToken"].is_string() && token["refreshToken"].is_string());
}
