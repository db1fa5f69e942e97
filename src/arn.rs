//! ARNs: the role ARN a profile names (or that stands in for a profile), and the caller ARN that
//! STS returns, from which the default role session name is taken; the account ids they carry.

use std::fmt;

/// A parsed IAM role ARN: `arn:<partition>:iam::<account>:role/<path/><name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleArn {
    /// The ARN exactly as given.
    pub raw: String,
    pub account: String,
    /// The role name, without its path.
    pub name: String,
}

/// An ARN that is not an IAM role ARN; the message names the value and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArnError {
    pub input: String,
    pub reason: &'static str,
}

impl fmt::Display for ArnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid role ARN '{}': {} (expected arn:aws:iam::123456789012:role/NAME)",
            self.input, self.reason
        )
    }
}

impl std::error::Error for ArnError {}

impl RoleArn {
    /// Parses a role ARN.
    pub fn parse(input: &str) -> Result<RoleArn, ArnError> {
        let err = |reason| ArnError {
            input: input.to_string(),
            reason,
        };
        let parts: Vec<&str> = input.splitn(6, ':').collect();
        if parts.len() != 6 || parts[0] != "arn" {
            return Err(err("not an ARN"));
        }
        let (partition, service, region, account, resource) =
            (parts[1], parts[2], parts[3], parts[4], parts[5]);
        let partition_chars = partition
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'-');
        if !partition.starts_with("aws") || !partition_chars {
            return Err(err("unknown partition"));
        }
        if service != "iam" {
            return Err(err("not an IAM ARN"));
        }
        if !region.is_empty() {
            return Err(err("IAM ARNs have no region"));
        }
        if !is_account_id(account) {
            return Err(err("the account must be 12 digits"));
        }
        let Some(path_and_name) = resource.strip_prefix("role/") else {
            return Err(err("not a role"));
        };
        let (path, name) = match path_and_name.rsplit_once('/') {
            Some((path, name)) => (path, name),
            None => ("", path_and_name),
        };
        let valid = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c);
        if name.is_empty() || name.len() > 64 || !name.chars().all(valid) {
            return Err(err("bad role name"));
        }
        // IAM paths: printable ASCII but space, at most 512 characters with their slashes.
        let printable = |b: u8| (0x21..=0x7e).contains(&b);
        let empty_segment = path_and_name.starts_with('/')
            || (!path.is_empty() && path.split('/').any(str::is_empty));
        if path.len() + 2 > 512 || !path.bytes().all(printable) || empty_segment {
            return Err(err("bad role path"));
        }
        Ok(RoleArn {
            raw: input.to_string(),
            account: account.to_string(),
            name: name.to_string(),
        })
    }

    /// Whether `s` looks like an ARN at all (so a profile argument is meant as one).
    pub fn looks_like_arn(s: &str) -> bool {
        s.starts_with("arn:")
    }
}

impl fmt::Display for RoleArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// Whether `s` is an AWS account id: 12 ASCII digits.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The name a caller ARN stands for: the user name of `...:user/path/NAME`, the session name of
/// `...:assumed-role/ROLE/SESSION`, else `None`.
pub fn caller_name(caller_arn: &str) -> Option<&str> {
    let resource = caller_arn.splitn(6, ':').nth(5)?;
    if let Some(rest) = resource.strip_prefix("user/") {
        return rest.rsplit('/').next().filter(|n| !n.is_empty());
    }
    if let Some(rest) = resource.strip_prefix("assumed-role/") {
        return rest.split('/').nth(1).filter(|n| !n.is_empty());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_partitions_are_checked() {
        assert!(RoleArn::parse("arn:aws:iam::123456789012:role/a/b-c/r").is_ok());
        for bad in [
            "arn:aws:iam::123456789012:role/a b/r",
            "arn:aws:iam::123456789012:role/a\nb/r",
            "arn:aws:iam::123456789012:role/a//r",
            "arn:aws\n:iam::123456789012:role/r",
            "arn:AWS:iam::123456789012:role/r",
        ] {
            assert!(RoleArn::parse(bad).is_err(), "{bad:?}");
        }
        let long = format!("arn:aws:iam::123456789012:role/{}/r", "p".repeat(511));
        assert!(RoleArn::parse(&long).is_err());
    }

    #[test]
    fn parses_role_arns() {
        let a = RoleArn::parse("arn:aws:iam::123456789012:role/admin").unwrap();
        assert_eq!(
            (a.account.as_str(), a.name.as_str()),
            ("123456789012", "admin")
        );
        let b = RoleArn::parse("arn:aws-cn:iam::123456789012:role/team/ops/deploy").unwrap();
        assert_eq!(
            (b.raw.as_str(), b.name.as_str()),
            (b.raw.as_str(), "deploy")
        );
    }

    #[test]
    fn rejects_other_arns() {
        let cases = [
            ("arn:aws:iam::123456789012:user/alice", "not a role"),
            ("arn:aws:s3:::bucket", "not an IAM ARN"),
            ("arn:aws:iam::1234:role/x", "the account must be 12 digits"),
            ("arn:aws:iam::123456789012:role/", "bad role name"),
            (
                "arn:aws:iam:us-east-1:123456789012:role/x",
                "IAM ARNs have no region",
            ),
            ("arn:foo:iam::123456789012:role/x", "unknown partition"),
            ("arn:aws:iam", "not an ARN"),
        ];
        for (input, reason) in cases {
            let e = RoleArn::parse(input).unwrap_err();
            assert_eq!(e.reason, reason, "{input}");
            assert!(e.to_string().contains(input));
        }
    }

    #[test]
    fn caller_names() {
        assert_eq!(
            caller_name("arn:aws:iam::123456789012:user/alice"),
            Some("alice")
        );
        assert_eq!(
            caller_name("arn:aws:iam::123456789012:user/eng/bob"),
            Some("bob")
        );
        assert_eq!(
            caller_name("arn:aws:sts::123456789012:assumed-role/admin/alice"),
            Some("alice")
        );
        assert_eq!(caller_name("arn:aws:iam::123456789012:root"), None);
    }
}
