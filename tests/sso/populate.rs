//! Discovery on an Identity Center profile as a user populates a config with it (issue 25):
//! `-l` sorted by account name, `--filter` keeping the pairs whose account id, account name or
//! role name it matches, for `-l` and `-c`; `-c`'s sections named by `--profile-name`, one for
//! each `--region`, pasted into the config and used by the aws CLI and by aws-runas.

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

/// `aws <args...>` in `home` through the stand-in: its stdout, trimmed.
#[track_caller]
fn aws(home: &Home, url: &str, args: &[&str]) -> String {
    let mut argv = vec!["aws"];
    argv.extend_from_slice(args);
    let out = sso_command(home, url, &argv).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out).trim().to_string()
}

/// The `[profile NAME]` sections of `text`: (NAME, its `key = value` lines).
fn sections(text: &str) -> Vec<(String, Vec<String>)> {
    let mut sections: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        match line
            .strip_prefix("[profile ")
            .and_then(|l| l.strip_suffix(']'))
        {
            Some(name) => sections.push((name.to_string(), Vec::new())),
            None => sections.last_mut().unwrap().1.push(line.to_string()),
        }
    }
    sections
}

#[test]
fn c_with_a_name_format_and_two_regions_writes_sections_the_aws_cli_and_aws_runas_use() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    // The stand-in's account under an odd name: spaces, a slash, parentheses, accents.
    portal_lists(
        &url,
        serde_json::json!([{"accountId": "123456789012", "accountName": "Sand Box/Ünïcode (prod)"}]),
        serde_json::json!({"123456789012": ["AdministratorAccess", "ReadOnlyAccess"]}),
    );
    let args = [
        "-c",
        "--profile-name",
        "{account_name}-{role_name}-{region}",
        "--region",
        "eu-west-1",
        "--region",
        "us-east-1",
        "sso-admin",
    ];
    let out = runas(&home, &url, &args).output().unwrap();
    let (text, err) = (stdout(&out), stderr(&out));
    assert!(out.status.success(), "{err}");
    let odd = "Sand-Box-Ünïcode--prod-";
    let section = |role: &str, region: &str| {
        (
            format!("{odd}-{role}-{region}"),
            vec![
                "sso_session = corp".to_string(),
                "sso_account_id = 123456789012".to_string(),
                format!("sso_role_name = {role}"),
                format!("region = {region}"),
            ],
        )
    };
    // A section a pair and region; sso-admin has AdministratorAccess in us-east-1 already.
    assert_eq!(
        sections(&text),
        [
            section("AdministratorAccess", "eu-west-1"),
            section("ReadOnlyAccess", "eu-west-1"),
            section("ReadOnlyAccess", "us-east-1"),
        ],
        "{text}"
    );
    assert!(
        err.contains("left out role AdministratorAccess of account 123456789012 in us-east-1: profile 'sso-admin' has it"),
        "{err}"
    );
    // Pasted, the config parses for the aws CLI, each section in its own region, and works.
    paste(&home, &text);
    let eu = format!("{odd}-ReadOnlyAccess-eu-west-1");
    let us = format!("{odd}-ReadOnlyAccess-us-east-1");
    assert_eq!(
        aws(
            &home,
            &url,
            &["configure", "get", "region", "--profile", &eu]
        ),
        "eu-west-1"
    );
    assert_eq!(
        aws(
            &home,
            &url,
            &["configure", "get", "region", "--profile", &us]
        ),
        "us-east-1"
    );
    let identity = [
        "sts",
        "get-caller-identity",
        "--query",
        "Arn",
        "--output",
        "text",
    ];
    let mut argv = identity.to_vec();
    argv.extend(["--profile", &eu]);
    let ext = "arn:aws:sts::123456789012:assumed-role/ext/sso-user";
    assert_eq!(aws(&home, &url, &argv), ext);
    // And with aws-runas: its credentials and its region.
    let out = runas(&home, &url, &[us.as_str()]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        export_value(&stdout(&out), "AWS_REGION").as_deref(),
        Some("us-east-1")
    );
    let mut argv = vec![us.as_str(), "aws"];
    argv.extend(identity);
    let out = runas(&home, &url, &argv).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), ext);
    // Everything configured now, in both regions: nothing printed, and said so.
    let out = runas(&home, &url, &args).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains("nothing to add"), "{}", stderr(&out));
}

#[test]
fn one_region_given_is_every_sections_region_and_the_default_name_gets_suffixes_for_two() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    let out = runas(&home, &url, &["-c", "--region", "eu-west-3", "sso-admin"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // sso-admin's pair is configured in us-east-1, not in eu-west-3: both roles get a section.
    let got = sections(&stdout(&out));
    let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["sandbox.AdministratorAccess", "sandbox.ReadOnlyAccess"]
    );
    assert!(got
        .iter()
        .all(|(_, lines)| lines.last().is_some_and(|l| l == "region = eu-west-3")));
    // Without --region, the profile's region and the configured pair left out (the negative
    // control of the region's part in it).
    let out = runas(&home, &url, &["-c", "sso-admin"]).output().unwrap();
    let got = sections(&stdout(&out));
    assert_eq!(got.len(), 1, "{}", stdout(&out));
    assert_eq!(
        got[0].1.last().map(String::as_str),
        Some("region = us-east-1")
    );
    // Two regions, the default name: the second region's names get a suffix, and a note says so.
    let argv = [
        "-c",
        "--region",
        "eu-west-3",
        "--region",
        "ap-south-1",
        "sso-admin",
    ];
    let out = runas(&home, &url, &argv).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let names: Vec<String> = sections(&stdout(&out))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        [
            "sandbox.AdministratorAccess",
            "sandbox.AdministratorAccess.2",
            "sandbox.ReadOnlyAccess",
            "sandbox.ReadOnlyAccess.2"
        ]
    );
    assert!(stderr(&out).contains("has no {region}"), "{}", stderr(&out));
}

#[test]
fn a_bad_name_format_or_region_is_one_error_line_before_anything_is_asked() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    let before = count(&url, "ListAccounts");
    for (format, named) in [
        ("{account_name}.{role}", "unknown placeholder '{role}'"),
        ("{account_id", "'{' without '}' at '{account_id'"),
        ("x}", "'}' without '{'"),
    ] {
        let out = runas(&home, &url, &["-c", "--profile-name", format, "sso-admin"])
            .output()
            .unwrap();
        assert_one_line_error(&out, &["--profile-name: ", named]);
    }
    let out = runas(&home, &url, &["-c", "--region", "eu west", "sso-admin"])
        .output()
        .unwrap();
    assert_one_line_error(&out, &["--region: 'eu west' is not a region name"]);
    let out = runas(
        &home,
        &url,
        &[
            "-l",
            "--region",
            "eu-west-1",
            "--region",
            "us-east-1",
            "sso-admin",
        ],
    )
    .output()
    .unwrap();
    assert_one_line_error(&out, &["--region given 2 times", "only -c"]);
    assert_eq!(count(&url, "ListAccounts"), before);
}
