//! The STS operations: GetCallerIdentity, GetSessionToken and AssumeRole, as typed calls.

use super::endpoint::Endpoint;
use super::http::Agent;
use super::query::{call, call_unsigned, Answer, AwsError, Request};
use super::xml::Doc;
use crate::credentials::{Credentials, MfaCode, Secret};
use crate::time::rfc3339;

const VERSION: &str = "2011-06-15";

/// Who the signing credentials belong to.
#[derive(Debug, Clone)]
pub struct CallerIdentity {
    pub arn: String,
    /// The answer's `Date` header: AWS's clock, for the skew check of `-D`.
    pub date: Option<String>,
}

/// AssumeRole's parameters.
#[derive(Debug, Clone, Default)]
pub struct AssumeRoleInput<'a> {
    pub role_arn: &'a str,
    pub session_name: &'a str,
    pub duration_secs: u64,
    pub external_id: Option<&'a str>,
    /// MFA device serial and code, when the role asks for MFA.
    pub mfa: Option<(&'a str, &'a MfaCode)>,
}

/// AssumeRole's answer.
#[derive(Debug, Clone)]
pub struct AssumedRole {
    pub credentials: Credentials,
    /// `arn:aws:sts::<account>:assumed-role/<role>/<session>`.
    pub arn: String,
}

fn sts_request<'a>(action: &'static str, params: Vec<(&'static str, &'a str)>) -> Request<'a> {
    Request {
        service: "sts",
        version: VERSION,
        action,
        params,
    }
}

/// Reads the `Credentials` element of a GetSessionToken or AssumeRole answer.
pub(crate) fn credentials(operation: &'static str, doc: &Doc) -> Result<Credentials, AwsError> {
    let field = |name: &str| {
        doc.first(&format!("Credentials/{name}"))
            .filter(|v| !v.is_empty())
            .ok_or_else(|| AwsError::BadResponse {
                operation,
                detail: format!("no Credentials/{name} in the answer"),
            })
    };
    let expiration = field("Expiration")?;
    let expiration = rfc3339::parse(expiration).ok_or_else(|| AwsError::BadResponse {
        operation,
        detail: format!("bad Expiration '{expiration}'"),
    })?;
    Ok(Credentials {
        access_key_id: field("AccessKeyId")?.to_string(),
        secret_access_key: Secret::new(field("SecretAccessKey")?),
        session_token: Some(Secret::new(field("SessionToken")?)),
        expiration: Some(expiration),
    })
}

/// The role credentials and session ARN of an AssumeRole* answer.
fn assumed(operation: &'static str, doc: &Doc) -> Result<AssumedRole, AwsError> {
    Ok(AssumedRole {
        credentials: credentials(operation, doc)?,
        arn: doc
            .first("AssumedRoleUser/Arn")
            .unwrap_or_default()
            .to_string(),
    })
}

/// GetCallerIdentity.
pub fn get_caller_identity(
    agent: &Agent,
    endpoint: &Endpoint,
    creds: &Credentials,
) -> Result<CallerIdentity, AwsError> {
    let operation = "GetCallerIdentity";
    let Answer { doc, date } = call(agent, endpoint, creds, &sts_request(operation, vec![]))?;
    let arn = doc
        .first("GetCallerIdentityResult/Arn")
        .ok_or_else(|| AwsError::BadResponse {
            operation,
            detail: "no Arn in the answer".into(),
        })?;
    Ok(CallerIdentity {
        arn: arn.to_string(),
        date,
    })
}

/// GetSessionToken, with the MFA serial and code when given.
pub fn get_session_token(
    agent: &Agent,
    endpoint: &Endpoint,
    creds: &Credentials,
    duration_secs: u64,
    mfa: Option<(&str, &MfaCode)>,
) -> Result<Credentials, AwsError> {
    let operation = "GetSessionToken";
    let duration = duration_secs.to_string();
    let mut params = vec![("DurationSeconds", duration.as_str())];
    if let Some((serial, code)) = mfa {
        params.push(("SerialNumber", serial));
        params.push(("TokenCode", code.expose()));
    }
    let doc = call(agent, endpoint, creds, &sts_request(operation, params))?.doc;
    credentials(operation, &doc)
}

/// AssumeRoleWithWebIdentity: unsigned, the token is the proof.
pub fn assume_role_with_web_identity(
    agent: &Agent,
    endpoint: &Endpoint,
    role_arn: &str,
    session_name: &str,
    token: &str,
    duration_secs: u64,
) -> Result<AssumedRole, AwsError> {
    let operation = "AssumeRoleWithWebIdentity";
    let duration = duration_secs.to_string();
    let params = vec![
        ("RoleArn", role_arn),
        ("RoleSessionName", session_name),
        ("WebIdentityToken", token),
        ("DurationSeconds", duration.as_str()),
    ];
    let doc = call_unsigned(agent, endpoint, &sts_request(operation, params))?.doc;
    assumed(operation, &doc)
}

/// AssumeRole.
pub fn assume_role(
    agent: &Agent,
    endpoint: &Endpoint,
    creds: &Credentials,
    input: &AssumeRoleInput<'_>,
) -> Result<AssumedRole, AwsError> {
    let operation = "AssumeRole";
    let duration = input.duration_secs.to_string();
    let mut params = vec![
        ("RoleArn", input.role_arn),
        ("RoleSessionName", input.session_name),
        ("DurationSeconds", duration.as_str()),
    ];
    if let Some(ext) = input.external_id {
        params.push(("ExternalId", ext));
    }
    if let Some((serial, code)) = input.mfa {
        params.push(("SerialNumber", serial));
        params.push(("TokenCode", code.expose()));
    }
    let doc = call(agent, endpoint, creds, &sts_request(operation, params))?.doc;
    assumed(operation, &doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::xml;

    #[test]
    fn reads_credentials_with_fractional_expiration() {
        let doc = xml::parse(include_str!("../../fixtures/assume_role.xml")).unwrap();
        let c = credentials("AssumeRole", &doc).unwrap();
        assert_eq!(c.access_key_id, "ASIAEXAMPLEROLE00001");
        assert_eq!(
            c.session_token.as_ref().unwrap().expose(),
            "FQoGZXIvYXdzEXAMPLE&token"
        );
        assert_eq!(c.expiration, rfc3339::parse("2026-11-25T15:03:07Z"));
    }

    #[test]
    fn missing_fields_are_errors() {
        let doc = xml::parse("<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId></Credentials></AssumeRoleResult></AssumeRoleResponse>").unwrap();
        let e = credentials("AssumeRole", &doc).unwrap_err().to_string();
        assert!(e.contains("no Credentials/Expiration"), "{e}");
    }
}
