//! `-D`'s resolved profile: each setting, with where it came from. The rows of an Identity
//! Center login are `sso.rs`'s; an aws login's session is one row here.

use crate::config::files::Files;
use crate::config::profile::{Profile, SourceKind, Target};
use crate::config::sso::SsoRole;
use crate::duration;

/// ` (from <origin>)` or ` (default)` for a setting of `profile`, or nothing.
fn origin_of(profile: &Profile, key: &str) -> String {
    profile
        .origin(key)
        .map(|o| match o {
            "default" => " (default)".to_string(),
            o => format!(" (from {o})"),
        })
        .unwrap_or_default()
}

/// A row of the resolved profile: its name and its value, with where that came from.
type Row = (&'static str, String);

fn unset() -> String {
    "(not set)".to_string()
}

/// The resolved profile: each setting, with where it came from. An IAM user's (or any other
/// source's) session token and MFA rows, or an Identity Center login's and role's rows; then
/// the role's.
pub fn resolved(profile: &Profile, files: &Files) -> String {
    let mut rows = vec![
        ("PROFILE", profile.name().to_string()),
        (
            "REGION",
            profile
                .region
                .as_ref()
                .map_or_else(unset, |r| format!("{r}{}", origin_of(profile, "region"))),
        ),
    ];
    match &profile.source.kind {
        SourceKind::Sso(role) => rows.extend(over_sso(profile, role, files)),
        SourceKind::Login(session) => {
            rows.extend(over_login(profile, &session.arn));
            rows.extend(role_rows(profile));
        }
        _ => {
            rows.extend(session_token(profile));
            rows.extend(role_rows(profile));
        }
    }
    rows.iter()
        .map(|(name, value)| format!("{name}: {}\n", crate::log::escape(value)))
        .collect()
}

/// The source profile, and the session token its keys get (with MFA, when set).
fn session_token(profile: &Profile) -> Vec<Row> {
    vec![
        ("SOURCE PROFILE", profile.source.profile.clone()),
        (
            "SESSION TOKEN DURATION",
            format!(
                "{}{}",
                duration::format(profile.session_duration),
                origin_of(profile, "session_token_duration")
            ),
        ),
        mfa_serial(profile),
    ]
}

/// An aws login source gets no session token and sends no MFA code (its sign-in had MFA): the
/// source profile and its session.
fn over_login(profile: &Profile, arn: &str) -> Vec<Row> {
    vec![
        ("SOURCE PROFILE", profile.source.profile.clone()),
        (
            "LOGIN SESSION",
            format!("{arn} (from profile '{}')", profile.source.profile),
        ),
    ]
}

fn mfa_serial(profile: &Profile) -> Row {
    let value = profile.mfa_serial.as_ref().map_or_else(unset, |m| {
        format!("{m}{}", origin_of(profile, "mfa_serial"))
    });
    ("MFA SERIAL", value)
}

/// An Identity Center source gets no session token: the source profile only when it is
/// another profile, the login and its role, then the MFA serial only when a role is assumed
/// (the first AssumeRole sends it) and it is set, and the role's rows only for a role.
fn over_sso(profile: &Profile, role: &SsoRole, files: &Files) -> Vec<Row> {
    let mut rows = Vec::new();
    if profile.profile_name() != Some(profile.source.profile.as_str()) {
        rows.push(("SOURCE PROFILE", profile.source.profile.clone()));
    }
    rows.extend(super::sso::rows(profile, role, files));
    if !profile.roles.is_empty() {
        if profile.mfa_serial.is_some() {
            rows.push(mfa_serial(profile));
        }
        rows.extend(role_rows(profile));
    }
    rows
}

/// The role: its ARN, external id and the duration of its credentials.
fn role_rows(profile: &Profile) -> Vec<Row> {
    let role = profile.roles.last();
    let role_arn = role.map_or_else(unset, |step| match &profile.target {
        Target::RoleArn(_) => format!("{} (from the command line)", step.role_arn),
        Target::Profile(_) => format!("{} (from profile '{}')", step.role_arn, step.profile),
    });
    let external_id = role
        .and_then(|step| step.external_id.clone())
        .unwrap_or_else(unset);
    let role_duration = role.map_or_else(unset, |step| {
        format!(
            "{}{}",
            duration::format(step.duration),
            origin_of(profile, "credentials_duration")
        )
    });
    vec![
        ("ROLE ARN", role_arn),
        ("EXTERNAL ID", external_id),
        ("ASSUME ROLE CREDENTIAL DURATION", role_duration),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::profile::Overrides;
    use crate::config::resolve::resolve;
    use crate::env::Env;

    const SSO: &str = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\
        [profile sso]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\nregion = us-east-1\n\
        [profile via]\nrole_arn = arn:aws:iam::111122223333:role/r\nsource_profile = sso\n\
        [profile via-mfa]\nrole_arn = arn:aws:iam::111122223333:role/r\nsource_profile = sso\nmfa_serial = arn:aws:iam::111122223333:mfa/me\n\
        [profile legacy]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-west-2\nsso_account_id = 444455556666\nsso_role_name = Dev\n";

    fn resolved_of(files: &Files, name: &str) -> String {
        let env = Env::from_pairs(&[("HOME", "/h")]);
        let target = Target::parse(name).unwrap();
        let profile = resolve(target, &Overrides::default(), &env, files).unwrap();
        resolved(&profile, files)
    }

    #[test]
    fn names_and_values_are_printed_with_control_characters_escaped() {
        let files = Files::from_texts(
            "[profile ev\u{1b}[31mil]\nregion = us-east-1\nexternal_id = x\u{7}y\n",
            "[ev\u{1b}[31mil]\naws_access_key_id = AKIAX\naws_secret_access_key = s\n",
        );
        let text = resolved_of(&files, "ev\u{1b}[31mil");
        assert!(!text.contains(['\u{1b}', '\u{7}']), "{text:?}");
        assert!(text.starts_with("PROFILE: ev\\x1b[31mil\n"), "{text:?}");
        assert!(text.contains("(from profile 'ev\\x1b[31mil')"), "{text:?}");
    }

    #[test]
    fn an_iam_user_s_role_shows_the_session_token_mfa_and_role() {
        assert_eq!(
            resolved_of(&Files::sample(), "admin"),
            "PROFILE: admin\n\
             REGION: us-east-2 (from source profile 'dev')\n\
             SOURCE PROFILE: dev\n\
             SESSION TOKEN DURATION: 12h0m0s (default)\n\
             MFA SERIAL: arn:aws:iam::123456789012:mfa/alice (from source profile 'dev')\n\
             ROLE ARN: arn:aws:iam::123456789012:role/admin (from profile 'admin')\n\
             EXTERNAL ID: (not set)\n\
             ASSUME ROLE CREDENTIAL DURATION: 2h0m0s (from profile 'default')\n"
        );
    }

    #[test]
    fn an_identity_center_profile_shows_its_login_and_role_and_no_session_token() {
        let files = Files::from_texts(SSO, "");
        assert_eq!(
            resolved_of(&files, "sso"),
            "PROFILE: sso\n\
             REGION: us-east-1 (from profile 'sso')\n\
             SSO SESSION: corp (from profile 'sso')\n\
             SSO START URL: https://corp.awsapps.com/start (from [sso-session corp])\n\
             SSO REGION: eu-west-1 (from [sso-session corp])\n\
             SSO ACCOUNT ID: 111122223333 (from profile 'sso')\n\
             SSO ROLE NAME: Admin (from profile 'sso')\n"
        );
        let legacy = resolved_of(&files, "legacy");
        assert!(
            legacy.contains("SSO SESSION: (not set: a legacy profile; its start URL names the login)\nSSO START URL: https://old.awsapps.com/start (from profile 'legacy')\nSSO REGION: us-west-2 (from profile 'legacy')\n"),
            "{legacy}"
        );
    }

    #[test]
    fn a_role_over_identity_center_shows_its_source_and_an_mfa_serial_only_when_set() {
        let files = Files::from_texts(SSO, "");
        let via = resolved_of(&files, "via");
        assert_eq!(
            via,
            "PROFILE: via\n\
             REGION: us-east-1 (from source profile 'sso')\n\
             SOURCE PROFILE: sso\n\
             SSO SESSION: corp (from source profile 'sso')\n\
             SSO START URL: https://corp.awsapps.com/start (from [sso-session corp])\n\
             SSO REGION: eu-west-1 (from [sso-session corp])\n\
             SSO ACCOUNT ID: 111122223333 (from source profile 'sso')\n\
             SSO ROLE NAME: Admin (from source profile 'sso')\n\
             ROLE ARN: arn:aws:iam::111122223333:role/r (from profile 'via')\n\
             EXTERNAL ID: (not set)\n\
             ASSUME ROLE CREDENTIAL DURATION: 1h0m0s (default)\n"
        );
        // The first AssumeRole sends it: said, before the role it is sent for.
        let mfa = resolved_of(&files, "via-mfa");
        assert!(
            mfa.contains("SSO ROLE NAME: Admin (from source profile 'sso')\nMFA SERIAL: arn:aws:iam::111122223333:mfa/me (from profile 'via-mfa')\nROLE ARN: "),
            "{mfa}"
        );
    }
}
