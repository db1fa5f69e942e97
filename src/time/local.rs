//! Local time for messages (`-e`), computed as the C library does: the zone named by `TZ`, else
//! `/etc/localtime`, read from the system's TZif files (RFC 8536), with the file's POSIX TZ
//! footer for instants after its last transition. UTC when no zone can be read.

use std::path::{Component, Path};

use super::rfc3339::{civil_from_days, days_from_civil};

/// `YYYY-MM-DD HH:MM:SS` in local time; `tz` is the `TZ` variable, if set.
pub fn format(tz: Option<&str>, unix: i64) -> String {
    let local = unix.saturating_add(offset(tz, unix));
    let (y, m, d) = civil_from_days(local.div_euclid(86_400));
    let s = local.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// Seconds east of UTC at `unix`, for the zone `tz` names (the `TZ` variable, if set).
pub fn offset(tz: Option<&str>, unix: i64) -> i64 {
    let file = match tz {
        None => read_zone(Path::new("/etc/localtime")),
        Some("") => None,
        Some(name) => {
            let name = name.strip_prefix(':').unwrap_or(name);
            let path = Path::new(name);
            if path.is_absolute() {
                read_zone(path)
            } else if path.components().all(|c| matches!(c, Component::Normal(_))) {
                read_zone(&Path::new("/usr/share/zoneinfo").join(path))
            } else {
                None
            }
        }
    };
    match file {
        Some(data) => tzif_offset(&data, unix).unwrap_or(0),
        None => tz.and_then(|rule| posix_offset(rule, unix)).unwrap_or(0),
    }
}

/// A zone file's bytes: a regular file of at most 1 MiB (TZ may name anything, /dev/zero too).
fn read_zone(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    const MAX: u64 = 1024 * 1024;
    let file = std::fs::File::open(path).ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut data = Vec::new();
    file.take(MAX + 1).read_to_end(&mut data).ok()?;
    (data.len() as u64 <= MAX).then_some(data)
}

fn be_i32(b: &[u8]) -> i64 {
    i64::from(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn be_i64(b: &[u8]) -> i64 {
    i64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}

/// The offset a TZif file gives at `unix`.
pub fn tzif_offset(data: &[u8], unix: i64) -> Option<i64> {
    let header = |at: usize| -> Option<[usize; 6]> {
        let h = data.get(at..at + 44)?;
        if &h[..4] != b"TZif" {
            return None;
        }
        let mut counts = [0usize; 6];
        for (i, c) in counts.iter_mut().enumerate() {
            *c = u32::from_be_bytes([h[20 + 4 * i], h[21 + 4 * i], h[22 + 4 * i], h[23 + 4 * i]])
                as usize;
        }
        Some(counts)
    };
    let block_len = |c: [usize; 6], time: usize| {
        let [isut, isstd, leap, timecnt, typecnt, charcnt] = c;
        timecnt * time + timecnt + typecnt * 6 + charcnt + leap * (time + 4) + isstd + isut
    };
    let v1 = header(0)?;
    let (start, counts, time) = if data[4] >= b'2' {
        let at = 44 + block_len(v1, 4);
        (at + 44, header(at)?, 8)
    } else {
        (44, v1, 4)
    };
    let [_, _, _, timecnt, typecnt, _] = counts;
    let body = data.get(start..start + block_len(counts, time))?;
    let times = &body[..timecnt * time];
    let indices = &body[timecnt * time..timecnt * (time + 1)];
    let types = &body[timecnt * (time + 1)..timecnt * (time + 1) + typecnt * 6];
    let utoff = |i: usize| {
        types
            .get(i * 6..i * 6 + 4)
            .map(be_i32)
            .filter(|o| plausible(*o))
    };
    let at = |i: usize| {
        if time == 8 {
            be_i64(&times[i * 8..])
        } else {
            be_i32(&times[i * 4..])
        }
    };
    let last = (0..timecnt).rev().find(|&i| at(i) <= unix);
    match last {
        Some(i) if i + 1 == timecnt && time == 8 => {
            // After the last transition the footer's rule applies, when there is one.
            let footer = data.get(start + body.len()..)?;
            let rule = std::str::from_utf8(footer).ok()?.trim_matches('\n');
            posix_offset(rule, unix).or_else(|| utoff(usize::from(indices[i])))
        }
        Some(i) => utoff(usize::from(indices[i])),
        None => utoff(0),
    }
}

/// Parses `[+-]hh[:mm[:ss]]` at the start of `s`: seconds and the rest.
fn hms(s: &str) -> Option<(i64, &str)> {
    let (sign, s) = match s.as_bytes().first()? {
        b'-' => (-1, &s[1..]),
        b'+' => (1, &s[1..]),
        _ => (1, s),
    };
    let mut total = 0;
    let mut rest = s;
    for (i, scale) in [3600, 60, 1].into_iter().enumerate() {
        if i > 0 {
            match rest.strip_prefix(':') {
                Some(r) => rest = r,
                None => break,
            }
        }
        let n = rest.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 || n > 3 {
            return None;
        }
        let value = rest[..n].parse::<i64>().ok()?;
        // Hours up to 167 (RFC 8536's rule times); minutes and seconds below 60.
        if (i == 0 && value > 167) || (i > 0 && value > 59) {
            return None;
        }
        total += value * scale;
        rest = &rest[n..];
    }
    Some((sign * total, rest))
}

/// Whether `offset` (seconds) could be a zone's offset from UTC: real ones are within ±26 hours.
fn plausible(offset: i64) -> bool {
    offset.abs() <= 26 * 3600
}

/// A zone abbreviation (`CET`, `<+03>`) at the start of `s`: the rest.
fn abbreviation(s: &str) -> Option<&str> {
    if let Some(quoted) = s.strip_prefix('<') {
        return quoted.find('>').map(|i| &quoted[i + 1..]);
    }
    let n = s.bytes().take_while(u8::is_ascii_alphabetic).count();
    (n >= 3).then(|| &s[n..])
}

/// `Mm.w.d[/time]`: the local seconds since the year's start... as unix seconds of that local
/// wall time in `year` (before subtracting the offset), and the rest.
fn rule_date(s: &str, year: i64) -> Option<(i64, &str)> {
    let s = s.strip_prefix('M')?;
    let mut parts = s.splitn(3, '.');
    let month: i64 = parts.next()?.parse().ok()?;
    let week: i64 = parts.next()?.parse().ok()?;
    let last = parts.next()?;
    let n = last.bytes().take_while(u8::is_ascii_digit).count();
    let weekday: i64 = last[..n].parse().ok()?;
    let mut rest = &last[n..];
    let mut time = 7200;
    if let Some(r) = rest.strip_prefix('/') {
        let (t, r) = hms(r)?;
        time = t;
        rest = r;
    }
    if !(1..=12).contains(&month) || !(1..=5).contains(&week) || weekday > 6 {
        return None;
    }
    let first = days_from_civil(year, month, 1);
    let first_weekday = (first + 4).rem_euclid(7); // 1970-01-01 was a Thursday
    let next_month = if month == 12 {
        days_from_civil(year + 1, 1, 1)
    } else {
        days_from_civil(year, month + 1, 1)
    };
    let mut day = first + (weekday - first_weekday).rem_euclid(7) + (week - 1) * 7;
    while day >= next_month {
        day -= 7;
    }
    // Years near the ends of time (an expiration of i64::MAX) must not overflow.
    Some((day.checked_mul(86_400)?.checked_add(time)?, rest))
}

/// The offset a POSIX TZ rule (`CET-1CEST,M3.5.0,M10.5.0/3`) gives at `unix`.
pub fn posix_offset(rule: &str, unix: i64) -> Option<i64> {
    let rest = abbreviation(rule)?;
    let (std, rest) = hms(rest).filter(|(o, _)| plausible(*o))?;
    let std = -std;
    if rest.is_empty() {
        return Some(std);
    }
    let rest = abbreviation(rest)?;
    let (dst, rest) = match hms(rest) {
        Some((o, r)) if plausible(o) => (-o, r),
        Some(_) => return None,
        None => (std.checked_add(3600)?, rest),
    };
    let rest = rest.strip_prefix(',')?;
    let (year, _, _) = civil_from_days(unix.saturating_add(std).div_euclid(86_400));
    let (start, rest) = rule_date(rest, year)?;
    let (end, _) = rule_date(rest.strip_prefix(',')?, year)?;
    let (start, end) = (start.checked_sub(std)?, end.checked_sub(dst)?);
    let in_dst = if start < end {
        start <= unix && unix < end
    } else {
        !(end <= unix && unix < start)
    };
    Some(if in_dst { dst } else { std })
}

#[cfg(test)]
mod tests {
    use super::super::rfc3339;
    use super::*;

    fn t(s: &str) -> i64 {
        rfc3339::parse(s).unwrap()
    }

    #[test]
    fn posix_rules() {
        let berlin = "CET-1CEST,M3.5.0,M10.5.0/3";
        assert_eq!(posix_offset(berlin, t("2026-01-15T12:00:00Z")), Some(3600));
        assert_eq!(posix_offset(berlin, t("2026-07-15T12:00:00Z")), Some(7200));
        // 2026-03-29 01:00 UTC is the switch to summer time.
        assert_eq!(posix_offset(berlin, t("2026-03-29T00:59:59Z")), Some(3600));
        assert_eq!(posix_offset(berlin, t("2026-03-29T01:00:00Z")), Some(7200));
        let sydney = "AEST-10AEDT,M10.1.0,M4.1.0/3";
        assert_eq!(
            posix_offset(sydney, t("2026-01-15T00:00:00Z")),
            Some(39_600)
        );
        assert_eq!(
            posix_offset(sydney, t("2026-07-15T00:00:00Z")),
            Some(36_000)
        );
        assert_eq!(posix_offset("<+0530>-5:30", 0), Some(19_800));
        assert_eq!(
            posix_offset("EST5EDT,M3.2.0,M11.1.0", t("2026-07-01T00:00:00Z")),
            Some(-14_400)
        );
        assert_eq!(posix_offset("UTC0", 0), Some(0));
        assert_eq!(posix_offset("nonsense", 0), None);
    }

    #[test]
    fn tzif_file() {
        let data = include_bytes!("../../fixtures/Europe_Berlin.tzif");
        assert_eq!(tzif_offset(data, t("2026-01-15T12:00:00Z")), Some(3600));
        assert_eq!(tzif_offset(data, t("2026-07-15T12:00:00Z")), Some(7200));
        // Beyond the file's last transition, the footer rule.
        assert_eq!(tzif_offset(data, t("2090-07-15T12:00:00Z")), Some(7200));
        assert_eq!(tzif_offset(data, t("2090-12-15T12:00:00Z")), Some(3600));
        assert_eq!(
            tzif_offset(b"not a tzif file at all, no no no no no no no no", 0),
            None
        );
    }

    #[test]
    fn formats_local_time() {
        let berlin = Some("CET-1CEST,M3.5.0,M10.5.0/3");
        assert_eq!(
            format(berlin, t("2026-07-15T12:00:00Z")),
            "2026-07-15 14:00:00"
        );
        assert_eq!(
            format(Some(""), t("2026-07-15T12:00:00Z")),
            "2026-07-15 12:00:00"
        );
    }

    #[test]
    fn absurd_zones_fall_back_to_utc() {
        let t = t("2026-07-15T12:00:00Z");
        assert_eq!(posix_offset("CET-1374799102801346565", t), None);
        assert_eq!(posix_offset("ABC-99", t), None);
        assert_eq!(posix_offset("ABC-14", t), Some(14 * 3600));
        assert_eq!(
            format(Some("CET-1374799102801346565"), t),
            "2026-07-15 12:00:00"
        );
        // The far end of time does not wrap around.
        assert!(format(Some("ABC-14"), i64::MAX).starts_with(|c: char| c.is_ascii_digit()));
    }

    #[test]
    fn a_zone_that_is_not_a_file_is_not_read() {
        // TZ=/dev/zero read until memory ran out.
        assert_eq!(offset(Some("/dev/zero"), 0), 0);
        assert_eq!(offset(Some("/"), 0), 0);
    }

    #[test]
    fn fuzz_crash_rule_dates_at_the_ends_of_time() {
        // tests/fuzz tz found: a rule with dates, at i64::MAX, overflowed computing the date.
        let found = include_bytes!("../../fixtures/fuzz/tz/crash-rule-date-overflow");
        let rule = String::from_utf8_lossy(found);
        for t in [i64::MIN, i64::MAX, 0] {
            let _ = posix_offset(&rule, t);
            let _ = posix_offset("CET-1CEST,M3.5.0,M10.5.0/3", t);
            let _ = format(Some("CET-1CEST,M3.5.0,M10.5.0/3"), t);
        }
    }
}
