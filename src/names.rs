//! The one name sanitiser: a name made fit for a place that allows only some characters (a cache
//! file's name, a role session name, the metadata path of a role, a config section's name).
//! Each caller says what its place allows; what else it needs (a digest so that two names
//! never share a file, a length limit) stays with it.

/// The characters IAM allows in its names (role session names, role names): ASCII letters and
/// digits and `+=,.@_-`.
pub fn iam_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)
}

/// `name` with each character `allowed` refuses replaced by `with`, or dropped with `None`.
pub fn sanitize(name: &str, allowed: impl Fn(char) -> bool, with: Option<char>) -> String {
    name.chars()
        .filter_map(|c| if allowed(c) { Some(c) } else { with })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_characters_are_replaced_or_dropped() {
        assert_eq!(
            sanitize("my profile/x", iam_char, Some('-')),
            "my-profile-x"
        );
        assert_eq!(sanitize("a b/c:d", iam_char, None), "abcd");
        assert_eq!(sanitize("a.b@c_d-e+=,", iam_char, None), "a.b@c_d-e+=,");
        assert_eq!(sanitize("é", iam_char, Some('_')), "_");
    }
}
