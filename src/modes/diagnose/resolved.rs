//! `-D`'s resolved profile: each setting, with where it came from.

use crate::config::profile::{Profile, Target};
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

/// The resolved profile: each setting, with where it came from.
pub fn resolved(profile: &Profile) -> String {
    let origin = |key: &str| origin_of(profile, key);
    let unset = || "(not set)".to_string();
    let role = profile.roles.last();
    let role_arn = role.map_or_else(unset, |step| match &profile.target {
        Target::RoleArn(_) => format!("{} (from the command line)", step.role_arn),
        Target::Profile(_) => format!("{} (from profile '{}')", step.role_arn, step.profile),
    });
    let external_id = role
        .and_then(|step| step.external_id.clone())
        .unwrap_or_else(unset);
    let rows = [
        ("PROFILE", profile.name().to_string()),
        (
            "REGION",
            profile
                .region
                .as_ref()
                .map_or_else(unset, |r| format!("{r}{}", origin("region"))),
        ),
        ("SOURCE PROFILE", profile.source.profile.clone()),
        (
            "SESSION TOKEN DURATION",
            format!(
                "{}{}",
                duration::format(profile.session_duration),
                origin("session_token_duration")
            ),
        ),
        (
            "MFA SERIAL",
            profile
                .mfa_serial
                .as_ref()
                .map_or_else(unset, |m| format!("{m}{}", origin("mfa_serial"))),
        ),
        ("ROLE ARN", role_arn),
        ("EXTERNAL ID", external_id),
        (
            "ASSUME ROLE CREDENTIAL DURATION",
            role.map_or_else(unset, |step| {
                format!(
                    "{}{}",
                    duration::format(step.duration),
                    origin("credentials_duration")
                )
            }),
        ),
    ];
    rows.iter()
        .map(|(name, value)| format!("{name}: {value}\n"))
        .collect()
}
