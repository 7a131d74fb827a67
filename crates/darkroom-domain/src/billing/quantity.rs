//! Quantities and percentages as people type them, read exactly.

/// The most of anything one line bills.
pub const MAX_QUANTITY_MILLI: i64 = 1_000_000_000;

/// `42.5` as thousandths (`42500`): digits, at most three decimals.
fn thousandths(s: &str, what: &str, example: &str) -> Result<i64, String> {
    let t = s.trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || (t.contains('.') && frac.is_empty()) {
        return Err(format!(
            "`{}` is not {what}; write digits with an optional decimal point, e.g. {example}",
            crate::validate::clip(s)
        ));
    }
    if frac.len() > 3 {
        return Err(format!(
            "{what} has at most 3 decimal places; `{}` has {}",
            crate::validate::clip(s),
            frac.len()
        ));
    }
    if whole.trim_start_matches('0').len() > 9 {
        return Err(format!("{what} is too large"));
    }
    let w: i64 = whole.parse().map_err(|_| format!("{what} is too large"))?;
    let f: i64 = format!("{frac:0<3}").parse().unwrap_or(0);
    Ok(w * 1000 + f)
}

/// A line's quantity (`1`, `42.5` miles, `0.25` days) in thousandths:
/// more than zero, at most a million.
pub fn parse_quantity(s: &str) -> Result<i64, String> {
    if s.trim().starts_with('-') {
        return Err(format!(
            "a quantity cannot be negative (`{}`); to take money off, use a discount or a credit note",
            crate::validate::clip(s)
        ));
    }
    let q = thousandths(s, "a quantity", "2 or 42.5")?;
    if q == 0 {
        return Err("a quantity is more than zero; remove the line instead".into());
    }
    if q > MAX_QUANTITY_MILLI {
        return Err("a quantity is at most 1,000,000".into());
    }
    Ok(q)
}

/// A percentage (`18`, `8.875`, `12.5`) in thousandths of a percent,
/// from 0 to 100.
pub fn parse_percent(s: &str) -> Result<i64, String> {
    if s.trim().starts_with('-') {
        return Err(format!(
            "a percentage cannot be negative (`{}`)",
            crate::validate::clip(s)
        ));
    }
    let p = thousandths(
        s.trim().trim_end_matches('%'),
        "a percentage",
        "18 or 8.875",
    )?;
    if p > super::lines::FULL_RATE {
        return Err(format!(
            "a percentage is at most 100; `{}` is more",
            crate::validate::clip(s)
        ));
    }
    Ok(p)
}

/// Thousandths as people read them (`42500` → `42.5`).
pub fn fmt_thousandths(v: i64) -> String {
    super::lines::fmt_rate(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(parse_quantity("1"), Ok(1000));
        assert_eq!(parse_quantity(" 42.5 "), Ok(42_500));
        assert_eq!(parse_quantity("0.001"), Ok(1));
        assert!(parse_quantity("-2").unwrap_err().contains("negative"));
        assert!(parse_quantity("0").unwrap_err().contains("more than zero"));
        assert!(parse_quantity("1.2345").unwrap_err().contains("3 decimal"));
        assert!(parse_quantity("1e3").is_err());
        assert!(parse_quantity("1000001").is_err());
        assert_eq!(fmt_thousandths(42_500), "42.5");
        assert_eq!(fmt_thousandths(2_000), "2");
    }

    #[test]
    fn percentages() {
        assert_eq!(parse_percent("18"), Ok(18_000));
        assert_eq!(parse_percent("8.875"), Ok(8_875));
        assert_eq!(parse_percent("12.5%"), Ok(12_500));
        assert_eq!(parse_percent("0"), Ok(0));
        assert!(parse_percent("100.5").is_err());
        assert!(parse_percent("-1").is_err());
    }
}
