//! IAM policy documents, read for one question: which roles may the holder assume? Pure: the
//! documents come in as text (as IAM hands them out), the role ARNs and ARN patterns go out.
//!
//! What is read, as IAM evaluates it:
//! - `Statement` is one statement or an array of them; `Action`, `NotAction`, `Resource` are a
//!   string or an array of strings.
//! - A statement is about assuming a role when `sts:AssumeRole` matches one of its `Action`
//!   patterns, or none of its `NotAction` patterns (IAM wildcards `*` and `?`, case-insensitive).
//! - `Allow` statements give their resources: an ARN without wildcards is a role, one with
//!   wildcards a pattern (`*` included). `NotResource` cannot be listed and is skipped.
//! - A `Deny` statement without a `Condition` removes the roles (and the identical or narrower
//!   patterns) its resources match. A conditional `Deny` ("deny unless MFA") may not apply when
//!   the role is assumed, so it removes nothing.
//!
//! Roles are ARNs of an IAM role (`arn:<partition>:iam::<account>:role/...`); other resources in
//! a matching statement are not roles and are left out.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::percent::{self, Plus};

/// The action a statement must cover.
const ASSUME_ROLE: &str = "sts:AssumeRole";

/// What a set of policies lets the holder assume.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Assumable {
    /// Role ARNs without wildcards, sorted.
    pub roles: BTreeSet<String>,
    /// Resources with wildcards, sorted: each stands for the roles it matches.
    pub patterns: BTreeSet<String>,
}

/// The text of a policy document as IAM's Query API hands it out: percent-encoded JSON (RFC
/// 3986; a `+` is a plus sign, not a space). A document that is already JSON (an IAM stand-in may
/// leave it unencoded) is taken as it is.
pub fn decode_document(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.starts_with('{') {
        return Ok(text.to_string());
    }
    let bytes = text.as_bytes();
    if let Some(i) = percent::bad_escape(bytes) {
        return Err(format!("bad percent-encoding at byte {i}"));
    }
    let out = percent::decode(bytes, Plus::Plus);
    String::from_utf8(out).map_err(|_| "the decoded document is not UTF-8".to_string())
}

/// Adds what `document` (decoded JSON) allows to `into`, and collects what it denies in
/// `denied`; apply the denials with [`Assumable::without`] once every policy has been read.
pub fn read(document: &str, into: &mut Assumable, denied: &mut Vec<String>) -> Result<(), String> {
    let json: Value =
        serde_json::from_str(document).map_err(|e| format!("not a JSON policy: {e}"))?;
    let statements = match json.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        Some(_) => return Err("Statement is neither an object nor an array".into()),
        None => Vec::new(),
    };
    for statement in statements {
        if !covers_assume_role(statement)? {
            continue;
        }
        let resources = strings(statement.get("Resource"), "Resource")?;
        match statement.get("Effect").and_then(Value::as_str) {
            Some("Allow") => {
                for resource in resources.into_iter().filter(|r| could_be_role(r)) {
                    if has_wildcard(resource) {
                        into.patterns.insert(resource.to_string());
                    } else {
                        into.roles.insert(resource.to_string());
                    }
                }
            }
            Some("Deny") if statement.get("Condition").is_none() => {
                denied.extend(resources.into_iter().map(str::to_string));
            }
            _ => {}
        }
    }
    Ok(())
}

impl Assumable {
    /// What remains once the `denied` resources are taken away.
    pub fn without(mut self, denied: &[String]) -> Assumable {
        let removed = |arn: &String| denied.iter().any(|d| wildcard_match(d, arn, false));
        self.roles.retain(|r| !removed(r));
        self.patterns.retain(|p| !removed(p));
        self
    }
}

/// Whether the statement's actions include `sts:AssumeRole`.
fn covers_assume_role(statement: &Value) -> Result<bool, String> {
    if let Some(actions) = statement.get("Action") {
        let actions = strings(Some(actions), "Action")?;
        return Ok(actions.iter().any(|a| wildcard_match(a, ASSUME_ROLE, true)));
    }
    if let Some(actions) = statement.get("NotAction") {
        let actions = strings(Some(actions), "NotAction")?;
        return Ok(!actions.iter().any(|a| wildcard_match(a, ASSUME_ROLE, true)));
    }
    Ok(false)
}

/// A string or an array of strings (absent: none).
fn strings<'a>(value: Option<&'a Value>, what: &str) -> Result<Vec<&'a str>, String> {
    match value {
        None => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| format!("{what} holds something other than a string"))
            })
            .collect(),
        Some(_) => Err(format!("{what} is neither a string nor an array")),
    }
}

fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?'])
}

/// Whether a resource can name roles: a role ARN, or a pattern that can match one (its service
/// can be `iam` and its resource part can start with `role/`).
fn could_be_role(resource: &str) -> bool {
    if resource == "*" {
        return true;
    }
    let fields: Vec<&str> = resource.splitn(6, ':').collect();
    let [arn, _, service, _, _, name] = fields[..] else {
        return false;
    };
    let literal = name.split(['*', '?']).next().unwrap_or_default();
    arn == "arn"
        && wildcard_match(service, "iam", false)
        && (literal.starts_with("role/")
            || (literal.len() < name.len() && "role/".starts_with(literal)))
}

/// IAM's wildcard match: `*` any run of characters, `?` one character; actions match without
/// regard to case, ARNs with it.
fn wildcard_match(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let fold = |s: &str| -> Vec<char> {
        if ignore_case {
            s.to_lowercase().chars().collect()
        } else {
            s.chars().collect()
        }
    };
    let (p, t) = (fold(pattern), fold(text));
    // The classic two-pointer match with backtracking to the last `*`.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assumable(documents: &[&str]) -> Assumable {
        let mut into = Assumable::default();
        let mut denied = Vec::new();
        for d in documents {
            read(d, &mut into, &mut denied).unwrap();
        }
        into.without(&denied)
    }

    fn roles(a: &Assumable) -> Vec<&str> {
        a.roles.iter().map(String::as_str).collect()
    }

    fn patterns(a: &Assumable) -> Vec<&str> {
        a.patterns.iter().map(String::as_str).collect()
    }

    const ADMIN: &str = "arn:aws:iam::123456789012:role/admin";

    #[test]
    fn statement_action_and_resource_as_string_or_array() {
        let one = r#"{"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole",
            "Resource": "arn:aws:iam::123456789012:role/admin"}}"#;
        let many = r#"{"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "sts:AssumeRole"],
            "Resource": ["arn:aws:iam::123456789012:role/b", "arn:aws:iam::123456789012:role/admin"]}]}"#;
        assert_eq!(roles(&assumable(&[one])), [ADMIN]);
        assert_eq!(
            roles(&assumable(&[many, one])),
            [ADMIN, "arn:aws:iam::123456789012:role/b"]
        );
    }

    #[test]
    fn actions_match_with_wildcards_and_without_case() {
        let table = [
            ("sts:*", true),
            ("sts:Assume*", true),
            ("*", true),
            ("STS:ASSUMEROLE", true),
            ("sts:AssumeRol?", true),
            ("s*:*Role", true),
            ("sts:AssumeRoleWithSAML", false),
            ("sts:GetSessionToken", false),
            ("iam:*", false),
            ("sts:AssumeRole?", false),
        ];
        for (action, allows) in table {
            let doc = format!(
                r#"{{"Statement": [{{"Effect": "Allow", "Action": "{action}", "Resource": "{ADMIN}"}}]}}"#
            );
            let want: &[&str] = if allows { &[ADMIN] } else { &[] };
            assert_eq!(roles(&assumable(&[&doc])), want, "{action}");
        }
    }

    #[test]
    fn not_action_covers_what_it_does_not_name() {
        let doc = format!(
            r#"{{"Statement": [{{"Effect": "Allow", "NotAction": "iam:*", "Resource": "{ADMIN}"}},
            {{"Effect": "Allow", "NotAction": ["sts:*"], "Resource": "arn:aws:iam::1:role/x"}}]}}"#
        );
        assert_eq!(roles(&assumable(&[&doc])), [ADMIN]);
    }

    #[test]
    fn wildcard_resources_are_patterns_and_other_resources_are_left_out() {
        let doc = r#"{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": [
            "arn:aws:iam::123456789012:role/team-*", "*", "arn:aws:iam::123456789012:user/bob",
            "arn:aws:s3:::bucket", "arn:aws:iam::*:role/ops", "arn:aws:iam::123456789012:*",
            "arn:aws:s3:::*", "arn:aws:iam::1:user/*", "arn:aws:iam::1:rolex"]}]}"#;
        let a = assumable(&[doc]);
        assert!(a.roles.is_empty());
        assert_eq!(
            patterns(&a),
            [
                "*",
                "arn:aws:iam::*:role/ops",
                "arn:aws:iam::123456789012:*",
                "arn:aws:iam::123456789012:role/team-*"
            ]
        );
    }

    #[test]
    fn deny_removes_roles_and_narrower_patterns_unless_conditional() {
        let allow = r#"{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": [
            "arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b", "arn:aws:iam::1:role/team-x",
            "arn:aws:iam::1:role/team-*", "arn:aws:iam::1:role/c"]}]}"#;
        let deny = r#"{"Statement": [
            {"Effect": "Deny", "Action": "sts:*", "Resource": ["arn:aws:iam::1:role/a", "arn:aws:iam::1:role/team-*"]},
            {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::1:role/c",
             "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
            {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}"#;
        let a = assumable(&[allow, deny]);
        assert_eq!(
            roles(&a),
            ["arn:aws:iam::1:role/b", "arn:aws:iam::1:role/c"]
        );
        assert!(a.patterns.is_empty());
        // A deny in an earlier policy counts as much as one in a later policy.
        assert_eq!(assumable(&[deny, allow]), a);
        let everything = r#"{"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}}"#;
        assert_eq!(assumable(&[allow, everything]), Assumable::default());
    }

    #[test]
    fn arns_match_with_case() {
        let allow = format!(
            r#"{{"Statement": {{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "{ADMIN}"}}}}"#
        );
        let deny = r#"{"Statement": {"Effect": "Deny", "Action": "sts:AssumeRole",
            "Resource": "arn:aws:iam::123456789012:role/ADMIN"}}"#;
        assert_eq!(roles(&assumable(&[&allow, deny])), [ADMIN]);
    }

    #[test]
    fn documents_decode_without_turning_plus_into_space() {
        let encoded = "%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22sts%3AAssumeRole%22%2C%22Resource%22%3A%22arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa+b%22%7D%7D";
        let decoded = decode_document(encoded).unwrap();
        assert_eq!(
            decoded,
            r#"{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::1:role/a+b"}}"#
        );
        assert_eq!(roles(&assumable(&[&decoded])), ["arn:aws:iam::1:role/a+b"]);
        // Already JSON: as it is, even with a percent sign inside.
        let raw = r#" {"Statement": [], "Sid": "100%25"} "#;
        assert_eq!(decode_document(raw).unwrap(), raw.trim());
        assert!(decode_document("%7B%2").is_err());
        assert!(decode_document("%FF%FE").is_err());
    }

    #[test]
    fn malformed_documents_are_errors_not_panics() {
        for doc in [
            "",
            "not json",
            r#"{"Statement": 3}"#,
            r#"{"Statement": [{"Effect": "Allow", "Action": 5, "Resource": "*"}]}"#,
            r#"{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": [1]}]}"#,
        ] {
            let mut into = Assumable::default();
            assert!(read(doc, &mut into, &mut Vec::new()).is_err(), "{doc}");
        }
        // A statement that is not about roles may hold anything.
        let mut into = Assumable::default();
        read(
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": {"odd": 1}}, "junk"]}"#,
            &mut into,
            &mut Vec::new(),
        )
        .unwrap();
        assert_eq!(into, Assumable::default());
    }

    #[test]
    fn wildcard_matching() {
        assert!(wildcard_match("a*b*c", "aXXbYYc", false));
        assert!(wildcard_match("a*", "a", false));
        assert!(!wildcard_match("a*b", "aXXbY", false));
        assert!(wildcard_match("*", "", false));
        assert!(!wildcard_match("?", "", false));
        assert!(wildcard_match("**?", "x", false));
    }
}
