//! Discovery on an Identity Center profile as a user populates a config with it (issue 25):
//! `-l` sorted by account name, `--filter` keeping the pairs whose account id, account name or
//! role name it matches, for `-l` and `-c`.

use super::*;
use crate::util::*;

/// A portal with three accounts (one named with a space and capitals) and their roles; the
/// stand-in gives credentials for the sandbox's two roles only.
fn three_accounts(url: &str) {
    portal_lists(
        url,
        serde_json::json!([
            {"accountId": "123456789012", "accountName": "sandbox"},
            {"accountId": "210987654321", "accountName": "Team Prod"},
            {"accountId": "111122223333", "accountName": "dev"},
        ]),
        serde_json::json!({
            "123456789012": ["ReadOnlyAccess", "AdministratorAccess"],
            "210987654321": ["ReadOnlyAccess", "Deploy"],
            "111122223333": ["Admin"],
        }),
    );
}

#[test]
fn l_lists_by_account_name_then_role_and_the_filter_keeps_what_it_matches() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    three_accounts(&url);
    let l = |extra: &[&str]| {
        let mut args = vec!["-l"];
        args.extend_from_slice(extra);
        args.push("sso-admin");
        let out = runas(&home, &url, &args).output().unwrap();
        assert!(out.status.success(), "{extra:?}: {}", stderr(&out));
        (stdout(&out), stderr(&out))
    };
    // Every pair, by account name in any case, then role: the negative control of the filters.
    let (all, _) = l(&[]);
    assert_eq!(
        all,
        "111122223333  dev  Admin\n\
         123456789012  sandbox  AdministratorAccess\n\
         123456789012  sandbox  ReadOnlyAccess\n\
         210987654321  Team Prod  Deploy\n\
         210987654321  Team Prod  ReadOnlyAccess\n"
    );
    let lines = |text: &str| text.lines().map(str::to_string).collect::<Vec<_>>();
    // A role name, in any case: that role of every account.
    let (text, _) = l(&["--filter", "*ONLY*"]);
    assert_eq!(
        lines(&text),
        [
            "123456789012  sandbox  ReadOnlyAccess",
            "210987654321  Team Prod  ReadOnlyAccess"
        ]
    );
    // An account name or id: every role of that account.
    let (text, _) = l(&["--filter=team ?rod"]);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.lines().all(|l| l.starts_with("210987654321")),
        "{text}"
    );
    let (text, _) = l(&["--filter", "1111*"]);
    assert_eq!(text, "111122223333  dev  Admin\n");
    // A class: `dev`, and the roles (not the accounts) that start with a to d.
    let (text, _) = l(&["--filter", "[a-d]*"]);
    assert_eq!(
        lines(&text),
        [
            "111122223333  dev  Admin",
            "123456789012  sandbox  AdministratorAccess",
            "210987654321  Team Prod  Deploy",
        ]
    );
    // Nothing matched: nothing printed, said on stderr, exit 0.
    let (text, err) = l(&["--filter", "nothing*"]);
    assert_eq!(text, "");
    assert!(err.contains("nothing matches --filter 'nothing*'"), "{err}");
}

#[test]
fn c_writes_sections_only_for_the_pairs_the_filter_keeps() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    three_accounts(&url);
    let out = runas(&home, &url, &["-c", "--filter", "readonly*", "sso-admin"])
        .output()
        .unwrap();
    let (text, err) = (stdout(&out), stderr(&out));
    assert!(out.status.success(), "{err}");
    let headers: Vec<&str> = text.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(
        headers,
        [
            "[profile sandbox.ReadOnlyAccess]",
            "[profile Team-Prod.ReadOnlyAccess]"
        ],
        "{text}"
    );
    // The pair sso-admin has is filtered out before it is looked for: no note about it.
    assert!(!err.contains("AdministratorAccess"), "{err}");
    // The negative control: without the filter, every pair not configured.
    let out = runas(&home, &url, &["-c", "sso-admin"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).matches("[profile ").count(),
        4,
        "{}",
        stdout(&out)
    );
    // Nothing matched: no section, and said so once.
    let out = runas(&home, &url, &["-c", "--filter", "x", "sso-admin"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert_eq!(stderr(&out), "aws-runas: nothing matches --filter 'x'\n");
}
