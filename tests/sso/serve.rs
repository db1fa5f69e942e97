//! The credential endpoints (`--ec2`, `--ecs`) with an Identity Center profile: renewals that
//! refresh the token under boto3 without a failure, and a login that ends while they serve.

use super::*;
use crate::util::*;

#[test]
#[ignore = "slow: boto3 loops run 50 s across renewals of 30-second credentials"]
fn ec2_and_ecs_renew_silently_while_the_token_refreshes_and_boto3_never_fails() {
    // Role credentials of 30 s, and a token always inside its refresh window: every renewal
    // refreshes the token too.
    let (_e, _standin, url, home) = short_lived("30", &[("SSO_STANDIN_TOKEN_SECONDS", "905")]);
    let sso = sso_env(&url);
    let ec2 = crate::serve::endpoints::Running::start(&home, &["--ec2", "sso-admin"], &sso, 1);
    let endpoint = ec2.export("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    let python = venv_bin().join("python");
    let seconds = "50";
    let loop_script = crate::serve::endpoints::BOTO3_LOOP;
    let ec2_loop = crate::serve::endpoints::boto3_loop_on_ec2(&home, &endpoint, seconds);
    let ecs_loop = runas(
        &home,
        &url,
        &[
            "--ecs",
            "sso-admin",
            python.to_str().unwrap(),
            "-c",
            loop_script,
            seconds,
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let refreshes = count(&url, "CreateToken");
    for (name, child) in [("--ec2", ec2_loop), ("--ecs", ecs_loop)] {
        let out = crate::serve::endpoints::assert_boto3_loop(name, child, 20);
        assert_no_secret(&stderr(&out), &home);
    }
    assert!(count(&url, "CreateToken") > refreshes, "{}", stats(&url));
    let (code, _, log) = ec2.stop();
    assert_eq!(code, Some(0));
    assert!(
        log.matches("renewed the credentials of sso-admin").count() >= 1,
        "{log}"
    );
    assert!(!log.contains("warning"), "silent: {log}");
    assert_no_secret(&log, &home);
}

#[test]
#[ignore = "slow: waits 25 s for 20-second credentials to expire"]
fn an_endpoint_whose_login_must_be_renewed_warns_once_and_serves_until_expiry() {
    let (_e, _standin, url, home) = short_lived("20", &[]);
    let sso = sso_env(&url);
    let ecs = crate::serve::endpoints::Running::start(&home, &["--ecs", "sso-admin"], &sso, 2);
    // The login ends: expired, and no refresh possible.
    age_token(&home, -60, Some(-60));
    std::thread::sleep(std::time::Duration::from_secs(25));
    let (code, _, log) = ecs.stop();
    assert_eq!(code, Some(0));
    assert_eq!(
        log.matches("cannot renew the credentials of sso-admin")
            .count(),
        1,
        "{log}"
    );
    assert!(log.contains("run aws-runas --sso-login sso-admin"), "{log}");
    assert_no_secret(&log, &home);
}
