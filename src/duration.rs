//! Go duration syntax (`1h30m`, `1.5h`, `90s`): parse, format, clamp.
//!
//! The 1.x tool took its durations from Go's `time.ParseDuration`, and users' configs carry such
//! values, so we accept exactly that grammar, except that a bare number (Go allows only `0`) is
//! refused: `session_token_duration = 3600` is almost always a mistake for `3600s`.

use std::fmt;
use std::time::Duration;

/// A duration that could not be parsed; the message names the bad value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationError {
    pub input: String,
    pub reason: &'static str,
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid duration '{}': {} (use Go syntax such as 1h, 30m or 1h30m; units are ns, us, ms, s, m, h)",
            self.input, self.reason
        )
    }
}

impl std::error::Error for DurationError {}

const UNITS: &[(&str, u128)] = &[
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("μs", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

/// Go's largest duration (about 2,562,047 hours): anything longer is refused, as Go refuses it.
const MAX_NS: u128 = i64::MAX as u128;

/// The first `<number><unit>` of `rest`, in nanoseconds, and what follows it.
fn term(rest: &str) -> Result<(u128, &str), &'static str> {
    let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    let (int_part, after) = rest.split_at(int_len);
    let (frac_part, after) = match after.strip_prefix('.') {
        Some(f) => {
            let n = f.bytes().take_while(u8::is_ascii_digit).count();
            f.split_at(n)
        }
        None => ("", after),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return Err("expected a number");
    }
    let unit_len = after
        .char_indices()
        .find(|(_, c)| c.is_ascii_digit() || *c == '.')
        .map_or(after.len(), |(i, _)| i);
    let (unit, next) = after.split_at(unit_len);
    if unit.is_empty() {
        return Err("missing unit");
    }
    let &(_, scale) = UNITS
        .iter()
        .find(|(u, _)| *u == unit)
        .ok_or("unknown unit")?;
    let whole: u128 = if int_part.is_empty() {
        0
    } else {
        int_part.parse().map_err(|_| "number too large")?
    };
    let mut ns = whole.checked_mul(scale).ok_or("too large")?;
    // Fractions: scale digit by digit so `1.5h` is exact.
    let mut place = scale;
    for d in frac_part.bytes() {
        place /= 10;
        ns = ns
            .checked_add(u128::from(d - b'0') * place)
            .ok_or("too large")?;
    }
    Ok((ns, next))
}

/// Parses a Go duration. Negative durations are refused: no lifetime here can be negative.
pub fn parse(input: &str) -> Result<Duration, DurationError> {
    let err = |reason| DurationError {
        input: input.to_string(),
        reason,
    };
    let s = input.trim();
    let s = s.strip_prefix('+').unwrap_or(s);
    if s.starts_with('-') {
        return Err(err("negative durations are not allowed"));
    }
    if s.is_empty() {
        return Err(err("empty value"));
    }
    let mut rest = s;
    let mut total_ns: u128 = 0;
    while !rest.is_empty() {
        let (ns, next) = term(rest).map_err(err)?;
        total_ns = total_ns
            .checked_add(ns)
            .filter(|t| *t <= MAX_NS)
            .ok_or_else(|| err("too large"))?;
        rest = next;
    }
    let secs = u64::try_from(total_ns / 1_000_000_000).map_err(|_| err("too large"))?;
    Ok(Duration::new(secs, (total_ns % 1_000_000_000) as u32))
}

/// Formats a duration the way Go prints it for whole seconds (`1h0m0s`, `15m0s`, `45s`).
pub fn format(d: Duration) -> String {
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}h{m}m{s}s")
    } else if m > 0 {
        format!("{m}m{s}s")
    } else {
        format!("{s}s")
    }
}

/// Clamps `d` into `min..=max`, saying which bound applied when one did.
pub fn clamp(d: Duration, min: Duration, max: Duration) -> (Duration, Option<&'static str>) {
    if d < min {
        (min, Some("minimum"))
    } else if d > max {
        (max, Some("maximum"))
    } else {
        (d, None)
    }
}

/// A lifetime's default and the range it is clamped into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub default: Duration,
    pub min: Duration,
    pub max: Duration,
}

impl Bounds {
    /// [`clamp`]s `d` into `min..=max`.
    pub fn clamp(&self, d: Duration) -> (Duration, Option<&'static str>) {
        clamp(d, self.min, self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overflow_is_an_error_not_a_wrap() {
        for huge in [
            "94522879700260684295381835.4h",
            "2562048h",
            "9223372036854775808ns",
            "340282366920938463463374607431768211455h",
        ] {
            let e = parse(huge).unwrap_err().to_string();
            assert!(e.contains(&format!("'{huge}'")), "{e}");
        }
        assert_eq!(
            parse("2562047h").unwrap(),
            Duration::from_secs(2_562_047 * 3600)
        );
    }

    #[test]
    fn parses_go_syntax() {
        let cases = [
            ("1h", 3600),
            ("15m", 900),
            ("1h30m", 5400),
            ("1.5h", 5400),
            ("90s", 90),
            ("+2h", 7200),
            ("36h", 129_600),
            ("1h0m0s", 3600),
            (".5m", 30),
        ];
        for (input, secs) in cases {
            assert_eq!(parse(input).unwrap(), Duration::from_secs(secs), "{input}");
        }
        assert_eq!(parse("1500ms").unwrap(), Duration::from_millis(1500));
        assert_eq!(parse("2µs").unwrap(), Duration::from_micros(2));
        assert_eq!(parse("7ns").unwrap(), Duration::from_nanos(7));
    }

    #[test]
    fn rejects_bad_values_and_names_them() {
        for input in [
            "1d",
            "3600",
            "",
            "h",
            "-1h",
            "1h-",
            "1.h2",
            "1x",
            "99999999999999999999h",
        ] {
            let e = parse(input).unwrap_err();
            assert!(e.to_string().contains(&format!("'{input}'")), "{e}");
        }
        assert_eq!(parse("1d").unwrap_err().reason, "unknown unit");
        assert_eq!(parse("3600").unwrap_err().reason, "missing unit");
    }

    #[test]
    fn formats_like_go() {
        assert_eq!(format(Duration::from_secs(3600)), "1h0m0s");
        assert_eq!(format(Duration::from_secs(900)), "15m0s");
        assert_eq!(format(Duration::from_secs(45)), "45s");
        assert_eq!(format(Duration::from_secs(43_200)), "12h0m0s");
    }

    #[test]
    fn clamps_and_reports() {
        let (min, max) = (Duration::from_secs(900), Duration::from_secs(43_200));
        assert_eq!(
            clamp(Duration::from_secs(300), min, max),
            (min, Some("minimum"))
        );
        assert_eq!(
            clamp(Duration::from_secs(90_000), min, max),
            (max, Some("maximum"))
        );
        assert_eq!(
            clamp(Duration::from_secs(3600), min, max),
            (Duration::from_secs(3600), None)
        );
        let bounds = Bounds {
            default: Duration::from_secs(3600),
            min,
            max,
        };
        assert_eq!(
            bounds.clamp(Duration::from_secs(300)),
            (min, Some("minimum"))
        );
    }
}
