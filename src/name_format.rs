//! `--profile-name`'s format: how `-c` names the profile it writes for an IAM Identity Center
//! account and role, from `{account_id}`, `{account_name}`, `{role_name}` and `{region}` and
//! text between them (default `{account_name}.{role_name}`). Parsed once, at the edge: an
//! unknown placeholder or a brace without its pair is an error naming it. Making the result
//! fit a section header is the caller's (`names.rs`), as is choosing the values.

use std::fmt;

/// What a placeholder stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    AccountId,
    AccountName,
    RoleName,
    Region,
}

impl Field {
    /// Every field, by its placeholder's name.
    const ALL: [(&'static str, Field); 4] = [
        ("account_id", Field::AccountId),
        ("account_name", Field::AccountName),
        ("role_name", Field::RoleName),
        ("region", Field::Region),
    ];
}

/// A piece of a format: text as given, or a placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Field(Field),
}

/// A parsed `--profile-name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameFormat {
    pieces: Vec<Piece>,
}

impl Default for NameFormat {
    /// `{account_name}.{role_name}`.
    fn default() -> NameFormat {
        NameFormat {
            pieces: vec![
                Piece::Field(Field::AccountName),
                Piece::Text(".".into()),
                Piece::Field(Field::RoleName),
            ],
        }
    }
}

/// Why a format cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// `{name}` names no field.
    Unknown(String),
    /// A `{` with no `}` after it, at this text.
    Unclosed(String),
    /// A `}` with no `{` before it.
    Unopened,
    /// No text and no placeholder: no name at all.
    Empty,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::Unknown(name) => write!(
                f,
                "unknown placeholder '{{{name}}}' (known: {{account_id}}, {{account_name}}, {{role_name}}, {{region}})"
            ),
            FormatError::Unclosed(rest) => write!(f, "'{{' without '}}' at '{rest}'"),
            FormatError::Unopened => write!(f, "'}}' without '{{'"),
            FormatError::Empty => write!(f, "an empty name"),
        }
    }
}

impl std::error::Error for FormatError {}

impl NameFormat {
    /// Parses `format`.
    pub fn parse(format: &str) -> Result<NameFormat, FormatError> {
        if format.is_empty() {
            return Err(FormatError::Empty);
        }
        let mut pieces = Vec::new();
        let mut rest = format;
        while !rest.is_empty() {
            let brace = rest.find(['{', '}']).unwrap_or(rest.len());
            if brace > 0 {
                pieces.push(Piece::Text(rest[..brace].to_string()));
            }
            rest = &rest[brace..];
            if rest.starts_with('}') {
                return Err(FormatError::Unopened);
            }
            let Some(open) = rest.strip_prefix('{') else {
                break;
            };
            let Some(close) = open
                .find(['{', '}'])
                .filter(|&i| open[i..].starts_with('}'))
            else {
                return Err(FormatError::Unclosed(rest.to_string()));
            };
            let name = &open[..close];
            let field = Field::ALL
                .iter()
                .find(|(known, _)| *known == name)
                .map(|&(_, field)| field)
                .ok_or_else(|| FormatError::Unknown(name.to_string()))?;
            pieces.push(Piece::Field(field));
            rest = &open[close + 1..];
        }
        Ok(NameFormat { pieces })
    }

    /// The name for the values `value` gives each field (as they are: made to fit a section
    /// header by the caller).
    pub fn render<'a>(&self, value: impl Fn(Field) -> &'a str) -> String {
        let mut name = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => name.push_str(text),
                Piece::Field(field) => name.push_str(value(*field)),
            }
        }
        name
    }

    /// Whether the format uses `field`.
    pub fn uses(&self, field: Field) -> bool {
        self.pieces.contains(&Piece::Field(field))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(field: Field) -> &'static str {
        match field {
            Field::AccountId => "123456789012",
            Field::AccountName => "sandbox",
            Field::RoleName => "Admin",
            Field::Region => "eu-west-1",
        }
    }

    fn render(format: &str) -> String {
        NameFormat::parse(format).unwrap().render(values)
    }

    #[test]
    fn placeholders_are_filled_in_and_text_kept() {
        assert_eq!(NameFormat::default().render(values), "sandbox.Admin");
        assert_eq!(
            NameFormat::parse("{account_name}.{role_name}").unwrap(),
            NameFormat::default()
        );
        assert_eq!(
            render("{account_name}-{role_name}-{region}"),
            "sandbox-Admin-eu-west-1"
        );
        assert_eq!(
            render("sso/{account_id}/{role_name}{region}"),
            "sso/123456789012/Admineu-west-1"
        );
        assert_eq!(render("fixed"), "fixed");
        assert_eq!(render("{region}{region}"), "eu-west-1eu-west-1");
    }

    #[test]
    fn unknown_placeholders_and_stray_braces_are_named() {
        for (format, want) in [
            (
                "{account}.{role_name}",
                FormatError::Unknown("account".into()),
            ),
            ("{Account_Id}", FormatError::Unknown("Account_Id".into())),
            ("{}", FormatError::Unknown(String::new())),
            ("x{account_id", FormatError::Unclosed("{account_id".into())),
            ("{a{region}}", FormatError::Unclosed("{a{region}}".into())),
            ("{region}}", FormatError::Unopened),
            ("role}", FormatError::Unopened),
            ("", FormatError::Empty),
        ] {
            assert_eq!(NameFormat::parse(format), Err(want), "{format:?}");
        }
        let e = FormatError::Unknown("acount_id".into()).to_string();
        assert!(
            e.contains("'{acount_id}'") && e.contains("{account_id}"),
            "{e}"
        );
        assert_eq!(
            FormatError::Unclosed("{x".into()).to_string(),
            "'{' without '}' at '{x'"
        );
    }

    #[test]
    fn uses_says_which_fields_appear() {
        let format = NameFormat::parse("{account_id}-{region}").unwrap();
        assert!(format.uses(Field::Region) && format.uses(Field::AccountId));
        assert!(!format.uses(Field::RoleName));
        assert!(!NameFormat::default().uses(Field::Region));
    }
}
