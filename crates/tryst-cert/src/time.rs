//! UTCTime and GeneralizedTime in the strict forms RFC 5280 §4.1.2.5 requires
//! (`YYMMDDHHMMSSZ` and `YYYYMMDDHHMMSSZ`: seconds present, no fraction, always `Z`),
//! converted to seconds since the Unix epoch (negative before 1970).

use crate::der::DerError;

/// Seconds since 1970-01-01T00:00:00Z for a proleptic Gregorian civil date and time.
pub(crate) fn unix_seconds(year: i64, month: u32, day: u32, h: u32, m: u32, s: u32) -> i64 {
    // Days from civil (H. Hinnant's algorithm), all in i64.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (i64::from(month) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(s)
}

/// The civil date and time of `secs` since the epoch: (year, month, day, h, m, s).
pub(crate) fn civil(secs: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let small = |v: i64| u32::try_from(v).unwrap_or(0);
    (
        year,
        small(month),
        small(day),
        small(rem / 3600),
        small(rem % 3600 / 60),
        small(rem % 60),
    )
}

fn digits(bytes: &[u8]) -> Result<u32, DerError> {
    bytes.iter().try_fold(0u32, |acc, &b| {
        if b.is_ascii_digit() {
            Ok(acc * 10 + u32::from(b - b'0'))
        } else {
            Err(DerError::BadTime)
        }
    })
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Parse `MMDDHHMMSSZ` after the year.
fn rest(year: i64, v: &[u8]) -> Result<i64, DerError> {
    let [mo @ .., z] = v else {
        return Err(DerError::BadTime);
    };
    if *z != b'Z' || mo.len() != 10 {
        return Err(DerError::BadTime);
    }
    let field = |i: usize| digits(mo.get(i..i + 2).ok_or(DerError::BadTime)?);
    let (month, day, h, m, s) = (field(0)?, field(2)?, field(4)?, field(6)?, field(8)?);
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || h > 23
        || m > 59
        || s > 59
    {
        return Err(DerError::BadTime);
    }
    Ok(unix_seconds(year, month, day, h, m, s))
}

/// UTCTime contents (`YYMMDDHHMMSSZ`); years 50–99 are 19xx, 00–49 are 20xx.
pub(crate) fn utc_time(v: &[u8]) -> Result<i64, DerError> {
    let yy = i64::from(digits(v.get(..2).ok_or(DerError::BadTime)?)?);
    let year = if yy >= 50 { 1900 + yy } else { 2000 + yy };
    rest(year, v.get(2..).ok_or(DerError::BadTime)?)
}

/// GeneralizedTime contents (`YYYYMMDDHHMMSSZ`).
pub(crate) fn generalized_time(v: &[u8]) -> Result<i64, DerError> {
    let year = i64::from(digits(v.get(..4).ok_or(DerError::BadTime)?)?);
    rest(year, v.get(4..).ok_or(DerError::BadTime)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_strict_forms() {
        assert_eq!(utc_time(b"700101000000Z"), Ok(0));
        assert_eq!(utc_time(b"491231235959Z"), Ok(2_524_607_999));
        assert_eq!(generalized_time(b"20000229120000Z"), Ok(951_825_600));
        assert_eq!(utc_time(b"500101000000Z"), Ok(-631_152_000));
        for bad in [
            &b"7001010000Z"[..],
            b"700101000000",
            b"700101000000+0000",
            b"700230000000Z",
            b"701301000000Z",
            b"700101240000Z",
            b"7001010000000Z",
            b"70010100000aZ",
        ] {
            assert!(utc_time(bad).is_err(), "{bad:?}");
        }
        assert!(generalized_time(b"20000101000000.5Z").is_err());
        assert!(generalized_time(b"19000229000000Z").is_err());
    }

    #[test]
    fn civil_round_trip() {
        for t in [
            0i64,
            951_825_600,
            -631_152_000,
            2_524_607_999,
            32_503_680_000,
        ] {
            let (y, mo, d, h, mi, s) = civil(t);
            assert_eq!(unix_seconds(y, mo, d, h, mi, s), t);
        }
    }
}
