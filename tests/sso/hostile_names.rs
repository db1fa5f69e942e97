//! The portal's names are data (SPEC 12.1): what a hostile portal's account ids, account names
//! and role names can do to `-l`. Nothing: it prints control characters escaped.

use super::standin::post;
use super::*;
use crate::util::*;

/// Tells the stand-in at `url` to answer ListAccounts and ListAccountRoles with `accounts` and
/// `roles` (`{account id: [role name, ...]}`).
fn portal_lists(url: &str, accounts: serde_json::Value, roles: serde_json::Value) {
    let hostile = serde_json::json!({"accounts": accounts, "roles": roles});
    assert_eq!(post(url, "/_standin/hostile", &hostile).0, 200);
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
    assert_eq!(
        stdout(&out),
        "123456789012  sand\\u{1b}]0;pwned\\u{7}box  Admin\\u{1b}[2J\n\
         12345678901\\n210987654321  evil\\r  Ops\\nforged  line\n"
    );
}
