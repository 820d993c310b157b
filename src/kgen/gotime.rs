//! Parses Go's `time.Time.String()` output, which is what KGeN sends as `session_start_time`:
//! `2024-08-20 08:32:13.025599965 +0000 UTC` — the fraction trimmed of trailing zeros or
//! absent, any numeric offset, a zone abbreviation, and possibly a monotonic `m=+1.23` suffix.

/// Milliseconds since the Unix epoch, or `None` when `text` is not in that format.
pub fn parse_unix_ms(text: &str) -> Option<i64> {
    let mut parts = text.split_whitespace();
    let date = parts.next()?;
    let time = parts.next()?;
    let offset = parts.next()?;
    // What follows (zone abbreviation, monotonic reading) carries nothing we need.

    let mut ymd = date.splitn(3, '-');
    let year: i64 = digits(ymd.next()?, 4)?;
    let month: i64 = digits(ymd.next()?, 2)?;
    let day: i64 = digits(ymd.next()?, 2)?;

    let (clock, fraction) = match time.split_once('.') {
        Some((clock, fraction)) => (clock, Some(fraction)),
        None => (time, None),
    };
    let mut hms = clock.splitn(3, ':');
    let hour: i64 = digits(hms.next()?, 2)?;
    let minute: i64 = digits(hms.next()?, 2)?;
    let second: i64 = digits(hms.next()?, 2)?;
    let millis: i64 = match fraction {
        None => 0,
        Some(f) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) => {
            let padded = format!("{f:0<3}");
            padded[..3].parse().ok()?
        }
        Some(_) => return None,
    };

    let offset_minutes = parse_offset(offset)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1_000 + millis)
}

fn digits(text: &str, len: usize) -> Option<i64> {
    if text.len() == len && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
}

/// `+0000`, `-0700`, `+0530` → minutes east of UTC.
fn parse_offset(text: &str) -> Option<i64> {
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let rest = &text[1..];
    if rest.len() != 4 || !rest.is_ascii() {
        return None;
    }
    let hours = digits(&rest[..2], 2)?;
    let minutes = digits(&rest[2..], 2)?;
    if minutes > 59 {
        return None;
    }
    Some(sign * (hours * 60 + minutes))
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example() {
        // 2024-08-20T08:32:13.025Z
        assert_eq!(parse_unix_ms("2024-08-20 08:32:13.025599965 +0000 UTC"), Some(1_724_142_733_025));
    }

    #[test]
    fn fraction_trimmed_or_absent() {
        assert_eq!(parse_unix_ms("2024-08-20 08:32:13.5 +0000 UTC"), Some(1_724_142_733_500));
        assert_eq!(parse_unix_ms("2024-08-20 08:32:13 +0000 UTC"), Some(1_724_142_733_000));
    }

    #[test]
    fn offsets_and_monotonic_suffix() {
        assert_eq!(parse_unix_ms("2024-08-20 14:02:13 +0530 IST"), Some(1_724_142_733_000));
        assert_eq!(parse_unix_ms("2024-08-20 01:32:13 -0700 PDT"), Some(1_724_142_733_000));
        assert_eq!(parse_unix_ms("2024-08-20 08:32:13.025 +0000 UTC m=+0.000123"), Some(1_724_142_733_025));
        assert_eq!(parse_unix_ms("1970-01-01 00:00:00 +0000 UTC"), Some(0));
        assert_eq!(parse_unix_ms("2000-02-29 00:00:00 +0000 UTC"), Some(951_782_400_000));
    }

    #[test]
    fn garbage_is_none_not_a_panic() {
        for bad in ["", "2024-08-20", "2024-08-20T08:32:13Z", "2024-13-01 00:00:00 +0000 UTC", "2023-02-29 00:00:00 +0000 UTC",
            "2024-08-20 08:32:13. +0000 UTC", "2024-08-20 08:32:13.1234567890 +0000 UTC", "2024-08-20 08:32:13 0000 UTC",
            "2024-08-20 25:00:00 +0000 UTC", "é024-08-20 08:32:13 +0000 UTC", "2024-08-20 08:32:13 +00é0 UTC", "2024-08-20 08:32:13 +0é0 UTC"] {
            assert_eq!(parse_unix_ms(bad), None, "{bad}");
        }
    }
}
