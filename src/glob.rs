//! `--filter`'s glob: `*` (any run of characters), `?` (one character), `[abc]`, `[a-z]` and
//! `[!abc]` (one character of, or not of, a set), anything else itself; matched against a
//! whole text, ignoring case. Parsed once, at the edge, so that a bad pattern is an error
//! before anything is read. Which texts a discovery line offers to it is the modes' business.

use std::fmt;

/// One element of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// This character (lowercase).
    Char(char),
    /// `?`: any one character.
    One,
    /// `*`: any run of characters, none included.
    Any,
    /// `[...]`: one character in (or, `negated`, not in) the ranges (lowercase, inclusive).
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// A parsed glob, as given (for messages) and as tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    text: String,
    tokens: Vec<Token>,
}

/// A pattern that is not a glob: a `[` with no `]` to close it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobError {
    pub pattern: String,
}

impl fmt::Display for GlobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "'[' without ']' in '{}' (to match a '[' itself, write [[])",
            self.pattern
        )
    }
}

impl std::error::Error for GlobError {}

impl Glob {
    /// Parses `pattern`; case is ignored from here on.
    pub fn parse(pattern: &str) -> Result<Glob, GlobError> {
        let lower: Vec<char> = pattern.to_lowercase().chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < lower.len() {
            let token = match lower[i] {
                '*' => Token::Any,
                '?' => Token::One,
                '[' => {
                    let (class, next) = class(&lower, i + 1).ok_or_else(|| GlobError {
                        pattern: pattern.to_string(),
                    })?;
                    tokens.push(class);
                    i = next;
                    continue;
                }
                c => Token::Char(c),
            };
            // `**` is `*`: it matches nothing more, and only slows the backtracking down.
            if !(token == Token::Any && tokens.last() == Some(&Token::Any)) {
                tokens.push(token);
            }
            i += 1;
        }
        Ok(Glob {
            text: pattern.to_string(),
            tokens,
        })
    }

    /// The pattern as the user gave it.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the whole of `text` matches, ignoring case.
    pub fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = text.to_lowercase().chars().collect();
        let (mut t, mut p) = (0, 0);
        // The last `*` seen, and the text position it matched up to: where to try again.
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            match self.tokens.get(p) {
                Some(Token::Any) => {
                    star = Some((p, t));
                    p += 1;
                }
                Some(token) if one(token, text[t]) => {
                    p += 1;
                    t += 1;
                }
                _ => match star {
                    // Let the last `*` take one more character, and go on from there.
                    Some((sp, st)) => {
                        star = Some((sp, st + 1));
                        p = sp + 1;
                        t = st + 1;
                    }
                    None => return false,
                },
            }
        }
        self.tokens[p..].iter().all(|token| *token == Token::Any)
    }
}

/// Whether the single-character `token` matches `c`.
fn one(token: &Token, c: char) -> bool {
    match token {
        Token::Char(x) => *x == c,
        Token::One => true,
        Token::Class { negated, ranges } => {
            ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
        }
        Token::Any => false,
    }
}

/// The class whose contents start at `start` (after its `[`), and where the pattern goes on
/// after its `]`; none when no `]` closes it. A `]` first in the class is itself, as in
/// fnmatch; so is a `-` first or last.
fn class(chars: &[char], start: usize) -> Option<(Token, usize)> {
    let mut i = start;
    let negated = matches!(chars.get(i), Some('!' | '^'));
    if negated {
        i += 1;
    }
    let first = i;
    let mut ranges = Vec::new();
    loop {
        let c = *chars.get(i)?;
        if c == ']' && i > first {
            return Some((Token::Class { negated, ranges }, i + 1));
        }
        match (chars.get(i + 1), chars.get(i + 2)) {
            (Some('-'), Some(&hi)) if hi != ']' => {
                ranges.push((c, hi));
                i += 3;
            }
            _ => {
                ranges.push((c, c));
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, text: &str) -> bool {
        Glob::parse(pattern).unwrap().matches(text)
    }

    #[test]
    fn stars_and_question_marks() {
        for (pattern, text, want) in [
            ("*", "", true),
            ("*", "anything", true),
            ("", "", true),
            ("", "a", false),
            ("admin", "admin", true),
            ("admin", "admins", false),
            ("adm*", "AdministratorAccess", true),
            ("*access", "ReadOnlyAccess", true),
            ("*only*", "ReadOnlyAccess", true),
            ("*only*", "ReadAccess", false),
            ("a*b*c", "a-b-b-c", true),
            ("a*b*c", "a-b-b-", false),
            ("***x", "abx", true),
            ("?", "é", true),
            ("??", "a", false),
            ("1234?", "12345", true),
            ("*-prod", "team-prod", true),
            ("*-prod", "team-prod-2", false),
        ] {
            assert_eq!(m(pattern, text), want, "{pattern:?} {text:?}");
        }
    }

    #[test]
    fn case_is_ignored_on_both_sides() {
        assert!(m("SANDBOX", "sandbox"));
        assert!(m("sand*", "SandBox"));
        assert!(m("übung", "ÜBUNG"));
        assert!(m("[A-C]*", "beta"));
        assert!(m("[a-c]*", "Beta"));
    }

    #[test]
    fn classes() {
        for (pattern, text, want) in [
            ("[abc]", "b", true),
            ("[abc]", "d", false),
            ("[a-c]x", "cx", true),
            ("[!a-c]x", "cx", false),
            ("[!a-c]x", "dx", true),
            ("[^a]", "b", true),
            ("[]]", "]", true),
            ("[!]]", "]", false),
            ("[a-]", "-", true),
            ("[-a]", "-", true),
            ("[[]", "[", true),
            ("[*]", "*", true),
            ("[*]", "x", false),
            ("prod-[0-9][0-9]", "prod-42", true),
            ("prod-[0-9][0-9]", "prod-4x", false),
        ] {
            assert_eq!(m(pattern, text), want, "{pattern:?} {text:?}");
        }
    }

    #[test]
    fn an_unclosed_class_is_an_error_naming_the_pattern() {
        for bad in ["[", "a[bc", "[!", "[]", "x[a-"] {
            let e = Glob::parse(bad).unwrap_err();
            assert_eq!(e.pattern, bad);
            assert!(e.to_string().contains(&format!("'{bad}'")), "{e}");
        }
        assert_eq!(Glob::parse("Ab*").unwrap().as_str(), "Ab*");
    }

    #[test]
    fn backtracking_is_linear_enough() {
        // The classic slow case of naive recursion: many stars and a text that almost matches.
        let pattern = "a*".repeat(30) + "b";
        let text = "a".repeat(200);
        assert!(!m(&pattern, &text));
    }
}
