//! The portal's names are data (SPEC 12.1): what a hostile portal's account ids, account names
//! and role names can do to `-l`, `-c` and the config a user pastes from `-c`. Nothing: `-c`
//! writes a section only for a 12-digit account id and a permission-set role name, never under a
//! profile name the files hold, and `-l` and every message print control characters escaped.

use super::standin::post;
use super::*;
use crate::util::*;

#[test]
fn c_writes_sections_only_for_account_ids_and_role_names_and_warns_of_the_rest_escaped() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    portal_lists(
        &url,
        serde_json::json!([
            {"accountId": "123456789012", "accountName": "sandbox"},
            {"accountId": "12345678901\n[profile sso-dev]", "accountName": "evil"},
            {"accountId": "210987654321", "accountName": "prod"},
        ]),
        serde_json::json!({
            "123456789012": ["ReadOnlyAccess", "Admin\ncredential_process = /bin/sh -c 'touch pwned'"],
            "12345678901\n[profile sso-dev]": ["AdministratorAccess"],
            "210987654321": ["Deploy", "R".repeat(33), "Ops\u{1b}[31m", "a b"],
        }),
    );
    let out = runas(&home, &url, &["-c", "sso-admin"]).output().unwrap();
    let (text, err) = (stdout(&out), stderr(&out));
    assert!(out.status.success(), "{err}");
    // The two good pairs, and nothing of the others.
    let headers: Vec<&str> = text.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(
        headers,
        ["[profile sandbox.ReadOnlyAccess]", "[profile prod.Deploy]"],
        "{text}"
    );
    for forged in [
        "credential_process",
        "sso-dev",
        "pwned",
        "\u{1b}",
        "Ops",
        "RRRR",
    ] {
        assert!(!text.contains(forged), "{forged:?} in {text}");
    }
    // One warning a name, each naming it with its control characters escaped.
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains("warning:")).collect();
    assert_eq!(warnings.len(), 5, "{err}");
    assert!(!err.contains('\u{1b}'), "{err}");
    for named in [
        "'12345678901\\n[profile sso-dev]'",
        "'Admin\\ncredential_process = /bin/sh -c 'touch pwned''",
        &format!("'{}'", "R".repeat(33)),
        "'Ops\\x1b[31m'",
        "'a b'",
    ] {
        assert!(err.contains(named), "{named} not in {err}");
    }
    // Pasted, the config parses and each section works.
    paste(&home, &text);
    assert_eq!(aws_account_of(&home, &url, "prod.Deploy"), "210987654321");
}

#[test]
fn c_never_prints_a_profile_name_the_files_hold_and_says_when_nothing_is_left() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    // The names `-c` would choose, held by profiles for something else.
    paste(
        &home,
        "[profile sandbox.ReadOnlyAccess]\nregion = eu-west-1\noutput = json\n",
    );
    let credentials = home.path().join(".aws/credentials");
    std::fs::write(
        &credentials,
        "[sandbox.ReadOnlyAccess.2]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n",
    )
    .unwrap();
    // The stand-in's sandbox (AdministratorAccess is sso-admin's already), a second account of
    // the same name, and one whose own name is what a suffix would make.
    portal_lists(
        &url,
        serde_json::json!([
            {"accountId": "123456789012", "accountName": "sandbox"},
            {"accountId": "210987654321", "accountName": "sandbox"},
            {"accountId": "111122223333", "accountName": "sandbox.ReadOnlyAccess"},
        ]),
        serde_json::json!({
            "123456789012": ["AdministratorAccess", "ReadOnlyAccess"],
            "210987654321": ["ReadOnlyAccess"],
            "111122223333": ["3"],
        }),
    );
    let out = runas(&home, &url, &["-c", "sso-admin"]).output().unwrap();
    let (text, err) = (stdout(&out), stderr(&out));
    assert!(out.status.success(), "{err}");
    let headers: Vec<&str> = text.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(
        headers,
        [
            "[profile sandbox.ReadOnlyAccess.4]",
            "[profile sandbox.ReadOnlyAccess.5]",
            "[profile sandbox.ReadOnlyAccess.3]",
        ],
        "{text}"
    );
    assert!(!text.contains("AdministratorAccess"), "{text}");
    assert!(
        err.contains("AdministratorAccess") && err.contains("'sso-admin'"),
        "{err}"
    );
    // Pasted, the CLI still reads the config, and the first section is the sandbox's
    // ReadOnlyAccess (the emulator's role `ext`).
    paste(&home, &text);
    assert_eq!(
        aws_account_of(&home, &url, "sandbox.ReadOnlyAccess.3"),
        "111122223333"
    );
    let argv = [
        "aws",
        "sts",
        "get-caller-identity",
        "--profile",
        "sandbox.ReadOnlyAccess.4",
        "--query",
        "Arn",
        "--output",
        "text",
    ];
    let out = sso_command(&home, &url, &argv).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        "arn:aws:sts::123456789012:assumed-role/ext/sso-user"
    );
    // Everything configured now: nothing printed, and said so.
    let out = runas(&home, &url, &["-c", "sso-admin"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains("nothing to add"), "{}", stderr(&out));
}

#[test]
fn l_prints_the_portals_names_with_control_characters_escaped() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    portal_lists(
        &url,
        serde_json::json!([
            {"accountId": "123456789012", "accountName": "sand\u{1b}]0;pwned\u{7}box"},
            {"accountId": "12345678901\n210987654321", "accountName": "evil\r"},
        ]),
        serde_json::json!({
            "123456789012": ["Admin\u{1b}[2J"],
            "12345678901\n210987654321": ["Ops\nforged  line"],
        }),
    );
    let out = runas(&home, &url, &["-l", "sso-admin"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // By account name: `evil` first.
    assert_eq!(
        stdout(&out),
        "12345678901\\n210987654321  evil\\r  Ops\\nforged  line\n\
         123456789012  sand\\x1b]0;pwned\\x07box  Admin\\x1b[2J\n"
    );
}

#[test]
fn a_portal_error_reaches_the_error_line_and_d_with_control_characters_escaped() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    let error = serde_json::json!({"error": {"status": 403, "body": {
        "__type": "com.amazon#Forbidden\u{1b}[31mException",
        "message": "No\u{1b}]0;pwned\u{7}\naws-runas: forged",
    }}});
    assert_eq!(post(&url, "/_standin/hostile", &error).0, 200);
    let escaped = "Forbidden\\x1b[31mException: No\\x1b]0;pwned\\x07\\naws-runas: forged";
    // The one error line (ListAccounts failed).
    let out = runas(&home, &url, &["-l", "sso-admin"]).output().unwrap();
    let line = assert_one_line_error(&out, &[escaped]);
    assert!(!line.contains(['\u{1b}', '\u{7}']), "{line:?}");
    // -D's report line (GetRoleCredentials failed), on stdout.
    let out = runas(&home, &url, &["-D", "sso-admin"]).output().unwrap();
    let report = stdout(&out);
    assert!(
        report
            .lines()
            .any(|l| l.starts_with("ERROR cannot get the source credentials")
                && l.ends_with(escaped)),
        "{report:?}"
    );
    assert!(!report.contains(['\u{1b}', '\u{7}']), "{report:?}");
}
