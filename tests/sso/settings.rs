//! Identity Center settings that are incomplete or conflict: one line naming the profile, the
//! session and the key, wherever botocore refuses them too.

use crate::util::*;

#[test]
fn incomplete_or_conflicting_settings_are_one_line_naming_profile_session_and_key_as_botocore_refuses(
) {
    let session = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n";
    let cases = [
        (
            "[profile p]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = R\n".to_string(),
            vec!["profile 'p'", "sso_session 'nope'", "[sso-session nope]"],
        ),
        (
            format!("{session}[profile p]\nsso_session = corp\nsso_account_id = 1\n"),
            vec!["profile 'p'", "sso_role_name", "[sso-session corp]"],
        ),
        (
            format!("{session}[profile p]\nsso_session = corp\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n"),
            vec!["profile 'p'", "sso_region", "[sso-session corp]", "'us-east-1'", "'eu-west-1'"],
        ),
        (
            "[sso-session corp]\nsso_region = eu-west-1\n[profile p]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n".to_string(),
            vec!["profile 'p'", "sso_start_url", "[sso-session corp]"],
        ),
        (
            "[profile p]\nsso_start_url = https://corp.awsapps.com/start\nsso_account_id = 1\nsso_role_name = R\n".to_string(),
            vec!["profile 'p'", "sso_region"],
        ),
    ];
    let botocore = "import sys, botocore.session\ntry:\n    botocore.session.Session(profile='p').get_credentials()\n    print('none')\nexcept Exception as e:\n    print(type(e).__name__)";
    for (config, wanted) in cases {
        let home = Home::new(&config, "");
        let out = home.run(["p"]);
        assert_one_line_error(&out, &wanted);
        let theirs = home.run_command(&["python", "-c", botocore]);
        assert_eq!(
            stdout(&theirs).trim(),
            "InvalidConfigError",
            "{config}: {}",
            stderr(&theirs)
        );
    }
}

#[test]
fn a_region_that_is_no_region_name_is_refused_as_botocore_refuses_it() {
    let config = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = evil.example/\n[profile p]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = R\n";
    let home = Home::new(config, "");
    for args in [&["p"][..], &["--sso-login", "p"], &["-l", "p"]] {
        let out = home.run(args);
        assert_one_line_error(&out, &["sso_region 'evil.example/'", "[sso-session corp]"]);
    }
    let botocore = "import botocore.session\ntry:\n    botocore.session.Session(profile='p').get_credentials().get_frozen_credentials()\n    print('none')\nexcept Exception as e:\n    print(type(e).__name__)";
    let theirs = home.run_command(&["python", "-c", botocore]);
    assert_eq!(
        stdout(&theirs).trim(),
        "InvalidRegionError",
        "{}",
        stderr(&theirs)
    );
}

#[test]
fn a_plain_http_identity_center_endpoint_on_another_host_is_refused() {
    let config = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n[profile p]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = R\n";
    let home = Home::new(config, "");
    for (variable, url) in [
        ("AWS_ENDPOINT_URL_SSO", "http://portal.example.com/"),
        ("AWS_ENDPOINT_URL_SSO_OIDC", "http://oidc.example.com:8080/"),
    ] {
        let out = home
            .cmd(["--sso-login", "p"])
            .env(variable, url)
            .output()
            .unwrap();
        assert_one_line_error(
            &out,
            &[url, &format!("environment {variable}"), "clear text"],
        );
    }
}
