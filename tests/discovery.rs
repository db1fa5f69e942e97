//! The discovery modes against the emulator: `-m` lists the IAM user's MFA devices, `-l` the
//! roles its policies let it assume, `-c` those roles as the browser extension's config. The
//! seeded users carol and dave (tests/emulator/emulator.py, seed_discovery) hold policies in
//! every place IAM keeps them; IAM pages come one item at a time (patches.py, 8).

use crate::util::*;

#[test]
fn list_mfa_gives_the_users_devices_for_a_user_or_a_role_profile() {
    let e = emulator();
    let home = Home::standard();
    for profile in ["dev", "admin"] {
        let out = home.run(["-m", profile]);
        assert!(out.status.success(), "{profile}: {}", stderr(&out));
        assert_eq!(
            stdout(&out),
            format!("{}\n", e.alice.mfa_serial),
            "{profile}"
        );
    }
    // Nothing was cached by it, nor asked.
    assert!(!home.cache_file(".aws_assume_role_admin").exists());
}

/// A run with a role session's credentials in the environment and a bare profile.
fn as_role_session(args: &[&str]) -> std::process::Output {
    let home = Home::standard();
    let role = home.run(["admin"]);
    assert!(role.status.success(), "{}", stderr(&role));
    let exports = stdout(&role);
    let value = |n: &str| export_value(&exports, n).unwrap();
    let config = format!(
        "{}\n[profile bare]\nregion = us-east-1\n",
        standard_config()
    );
    let bare = Home::new(&config, "");
    bare.cmd(args)
        .env("AWS_ACCESS_KEY_ID", value("AWS_ACCESS_KEY_ID"))
        .env("AWS_SECRET_ACCESS_KEY", value("AWS_SECRET_ACCESS_KEY"))
        .env("AWS_SESSION_TOKEN", value("AWS_SESSION_TOKEN"))
        .output()
        .unwrap()
}

#[test]
fn discovery_with_a_roles_credentials_says_it_needs_a_user() {
    for mode in ["-m", "-l", "-c"] {
        let out = as_role_session(&[mode, "bare"]);
        assert_one_line_error(&out, &["are not an IAM user's", "assumed-role/admin"]);
        assert!(stdout(&out).is_empty(), "{mode}");
    }
}

fn role(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/{name}")
}

/// carol's and dave's keys, and config profiles that use some of the roles.
fn discovery_home() -> Home {
    let e = emulator();
    let config = format!(
        "[default]\nregion = us-east-1\n\n\
         [profile ops-admin]\nrole_arn = {admin}\nsource_profile = carol\nregion = eu-west-1\n\n\
         [profile zz-admin]\nrole_arn = {admin}\nsource_profile = carol\n\n\
         [profile chain]\nrole_arn = {chained}\nsource_profile = ops-admin\n",
        admin = role("admin"),
        chained = role("chained"),
    );
    Home::new(&config, &keys(&[("carol", &e.carol), ("dave", &e.dave)]))
}

#[test]
fn list_roles_reads_every_policy_and_follows_every_page() {
    let e = emulator();
    let home = discovery_home();
    let before = e.count("ListAttachedUserPolicies");
    // For the user's own profile and for a role profile whose source is the user.
    for profile in ["carol", "chain"] {
        let out = home.run(["-l", profile]);
        assert!(out.status.success(), "{profile}: {}", stderr(&out));
        let want = format!(
            "Available role ARNs for carol ({carol})\n  {admin}\n  {chained}\n  {mfa_admin}\n  {mfa_ops}\n  {team} (pattern)\n",
            carol = e.carol.arn,
            admin = role("admin"),
            chained = role("chained"),
            mfa_admin = role("mfa-admin"),
            mfa_ops = role("mfa-ops"),
            team = role("team-*"),
        );
        // Not `stale` (version 1 of a managed policy), not `ext` (denied by the group's
        // managed policy, though allowed by the user's), nothing but roles.
        assert_eq!(stdout(&out), want, "{profile}");
        assert_eq!(stderr(&out), "", "{profile}");
    }
    // carol has two attached policies, one a page: at least two pages each run.
    assert!(e.count("ListAttachedUserPolicies") >= before + 4);
}

#[test]
fn one_refused_or_vanished_policy_is_a_warning_and_the_rest_is_read() {
    let e = emulator();
    let home = discovery_home();
    let out = home.run(["-l", "dave"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "Available role ARNs for dave ({})\n  {}\n",
            e.dave.arn,
            role("mfa-ops")
        )
    );
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines.iter().any(
            |l| l.starts_with("aws-runas: warning: cannot read managed policy")
                && l.contains("dave-gone")
                && l.contains("GetPolicy failed: NoSuchEntity")
        ),
        "{err}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("inline policy 'ops-roles' of group ops")
                && l.contains("GetGroupPolicy failed: AccessDenied")),
        "{err}"
    );
}

#[test]
fn a_user_who_may_read_no_policy_gets_an_error() {
    let e = emulator();
    let home = Home::new("", &keys(&[("bob", &e.bob)]));
    let out = home.run(["-l", "bob"]);
    assert!(!out.status.success());
    assert!(stdout(&out).is_empty());
    let err = stderr(&out);
    let last = err.lines().last().unwrap();
    assert!(
        last.starts_with("aws-runas: cannot read any policy of user bob")
            && last.contains("AccessDenied"),
        "{err}"
    );
}

#[test]
fn make_conf_is_an_ini_with_one_section_per_role() {
    let e = emulator();
    let home = discovery_home();
    let out = home.run(["-c", "carol"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Parse it as INI: sections and their keys.
    let mut sections: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for line in stdout(&out).lines().filter(|l| !l.trim().is_empty()) {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            sections.push((name.to_string(), Vec::new()));
        } else {
            let (k, v) = line.split_once(" = ").expect("key = value");
            sections.last_mut().unwrap().1.push((k.into(), v.into()));
        }
    }
    let names: Vec<&str> = sections.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "profile ops-admin",
            "profile chain",
            format!("profile mfa-admin-{ACCOUNT}").as_str(),
            format!("profile mfa-ops-{ACCOUNT}").as_str(),
        ]
    );
    let pairs = |i: usize| -> Vec<(&str, &str)> {
        sections[i]
            .1
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    };
    assert_eq!(
        pairs(0),
        [
            ("aws_account_id", ACCOUNT),
            ("role_name", "admin"),
            ("region", "eu-west-1")
        ]
    );
    // The region of the run's profile where the role's profile has none.
    assert_eq!(
        pairs(3),
        [
            ("aws_account_id", ACCOUNT),
            ("role_name", "mfa-ops"),
            ("region", "us-east-1")
        ]
    );
    let err = stderr(&out);
    assert!(err.contains("left out") && err.contains("team-*"), "{err}");
    let _ = e;
}

#[test]
fn the_filter_keeps_the_roles_whose_arn_or_name_matches() {
    let e = emulator();
    let home = discovery_home();
    let run = |args: &[&str]| {
        let out = home.run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        (stdout(&out), stderr(&out))
    };
    let heading = format!("Available role ARNs for carol ({})\n", e.carol.arn);
    // A role name, in any case (the list without it is the test above).
    let (text, _) = run(&["-l", "--filter", "MFA-*", "carol"]);
    assert_eq!(
        text,
        format!("{heading}  {}\n  {}\n", role("mfa-admin"), role("mfa-ops"))
    );
    // The whole ARN.
    let (text, _) = run(&["-l", &format!("--filter=*:{ACCOUNT}:role/chain?d"), "carol"]);
    assert_eq!(text, format!("{heading}  {}\n", role("chained")));
    // A pattern is kept by the same rule.
    let (text, _) = run(&["-l", "--filter", "team*", "carol"]);
    assert_eq!(text, format!("{heading}  {} (pattern)\n", role("team-*")));
    // Nothing matched: the heading alone, and a note.
    let (text, err) = run(&["-l", "--filter", "nothing", "carol"]);
    assert_eq!(text, heading);
    assert!(err.contains("nothing matches --filter 'nothing'"), "{err}");
    // -c: the sections of the roles kept, and no note about the pattern left out by it.
    let (text, err) = run(&["-c", "--filter", "mfa-ops", "carol"]);
    let headers: Vec<&str> = text.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(headers, [format!("[profile mfa-ops-{ACCOUNT}]")]);
    assert_eq!(err, "");
}

#[test]
fn make_conf_takes_the_region_given_and_refuses_what_only_an_sso_profile_takes() {
    let home = discovery_home();
    let out = home.run(["-c", "--region", "eu-west-3", "carol"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    // Every section, ops-admin's (eu-west-1 in its profile) too: the negative control is
    // make_conf_is_an_ini_with_one_section_per_role.
    assert_eq!(text.matches("[profile ").count(), 4, "{text}");
    assert_eq!(text.matches("region = eu-west-3\n").count(), 4, "{text}");
    for args in [
        &["-c", "--profile-name", "{role_name}", "carol"][..],
        &[
            "-c",
            "--region",
            "eu-west-1",
            "--region",
            "us-east-1",
            "carol",
        ],
    ] {
        let out = home.run(args);
        assert_one_line_error(
            &out,
            &["only for -c on an IAM Identity Center profile", "'carol'"],
        );
    }
}

#[test]
fn a_profile_with_an_mfa_device_reads_iam_with_its_mfa_session_token() {
    let e = emulator();
    let home = Home::standard();
    // No code, no terminal: the MFA session token is needed and cannot be had.
    let out = home.run(["-m", "mfauser"]);
    assert!(!out.status.success());
    assert!(stdout(&out).is_empty());
    let code = totp(&e.alice.mfa_seed, 0);
    let out = home.run(["-m", "-o", &code, "mfauser"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("{}\n", e.alice.mfa_serial));
    // The session token is cached: the next discovery run asks for nothing.
    assert!(home.cache_file(".aws_session_token_mfauser").exists());
    let out = home.run(["-l", "mfauser"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(&format!("  {}\n", role("mfa-ops"))));
}
