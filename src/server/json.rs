//! The JSON the endpoints answer with: the EC2 instance-metadata credentials and documents, the
//! container-credentials answer, and errors.

use serde_json::json;

use crate::credentials::Credentials;
use crate::time::rfc3339;

/// IMDS `iam/security-credentials/<role>`: what the SDKs' instance-profile provider reads.
pub fn imds_credentials(c: &Credentials, updated: i64) -> Vec<u8> {
    let mut answer = credentials(c);
    answer["Code"] = json!("Success");
    answer["LastUpdated"] = json!(rfc3339::format(updated));
    answer["Type"] = json!("AWS-HMAC");
    answer.to_string().into_bytes()
}

/// The container-credentials answer (`AWS_CONTAINER_CREDENTIALS_FULL_URI`).
pub fn ecs_credentials(c: &Credentials) -> Vec<u8> {
    credentials(c).to_string().into_bytes()
}

/// The fields both endpoints answer with (the keys sorted, as serde_json writes them).
fn credentials(c: &Credentials) -> serde_json::Value {
    json!({
        "AccessKeyId": c.access_key_id,
        "SecretAccessKey": c.secret_access_key.expose(),
        "Token": c.session_token.as_ref().map(|t| t.expose()).unwrap_or_default(),
        "Expiration": c.expiration.map(rfc3339::format),
    })
}

/// IMDS `iam/info`.
pub fn imds_info(account: &str, name: &str, updated: i64) -> Vec<u8> {
    json!({
        "Code": "Success",
        "LastUpdated": rfc3339::format(updated),
        "InstanceProfileArn": format!("arn:aws:iam::{account}:instance-profile/{name}"),
        "InstanceProfileId": "AIPAAWSRUNASENDPOINT",
    })
    .to_string()
    .into_bytes()
}

/// IMDS `dynamic/instance-identity/document`: the region and account SDKs ask it for.
pub fn identity_document(account: &str, region: &str, started: i64) -> Vec<u8> {
    json!({
        "accountId": account,
        "region": region,
        "availabilityZone": format!("{region}a"),
        "instanceId": "i-00000000000000000",
        "instanceType": "aws-runas",
        "imageId": "ami-00000000000000000",
        "architecture": std::env::consts::ARCH,
        "privateIp": "127.0.0.1",
        "pendingTime": rfc3339::format(started),
        "version": "2017-09-30",
    })
    .to_string()
    .into_bytes()
}

/// The console's state: the profile served, when its credentials expire, the role profiles to
/// pick from, and whether a code is awaited.
pub fn console_state(
    current: &str,
    expiration: Option<i64>,
    profiles: &[String],
    mfa_pending: bool,
) -> Vec<u8> {
    json!({
        "current": current,
        "expiration": expiration.map(rfc3339::format),
        "profiles": profiles,
        "mfa_pending": mfa_pending,
    })
    .to_string()
    .into_bytes()
}

/// The string field `name` of a JSON object body, if the body is one and has it.
pub fn field(body: &[u8], name: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    value.get(name)?.as_str().map(str::to_string)
}

/// `{"error": "<message>"}`.
pub fn error(message: &str) -> Vec<u8> {
    json!({ "error": message }).to_string().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Secret;

    #[test]
    fn shapes() {
        let c = Credentials {
            access_key_id: "ASIA1".into(),
            secret_access_key: Secret::new("s"),
            session_token: Some(Secret::new("t")),
            expiration: Some(1_764_079_387),
        };
        let v: serde_json::Value = serde_json::from_slice(&imds_credentials(&c, 0)).unwrap();
        assert_eq!(v["Expiration"], "2025-11-25T14:03:07Z");
        assert_eq!(v["Token"], "t");
        assert_eq!(v["Code"], "Success");
        let v: serde_json::Value = serde_json::from_slice(&ecs_credentials(&c)).unwrap();
        assert_eq!(v.as_object().unwrap().len(), 4);
        let v: serde_json::Value = serde_json::from_slice(&error("a \"b\"\n")).unwrap();
        assert_eq!(v["error"], "a \"b\"\n");
    }
}
