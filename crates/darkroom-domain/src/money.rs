//! Currencies and amounts of money.
//!
//! Amounts are integer minor units (paise, cents, won) tagged with an ISO 4217
//! currency; never a float. A studio and each branch pick a currency.

use serde::{Deserialize, Serialize};

/// An ISO 4217 currency code, checked against the standard's list.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(iso_currency::Currency);

impl Currency {
    pub fn parse(code: &str) -> Result<Self, String> {
        let upper = code.trim().to_ascii_uppercase();
        iso_currency::Currency::from_code(&upper)
            .map(Self)
            .ok_or_else(|| {
                format!(
                    "`{code}` is not an ISO 4217 currency code; use e.g. `USD`, `EUR`, `INR`, `KRW`"
                )
            })
    }

    /// The US dollar (what a stored code that no longer parses falls back to).
    pub const USD: Currency = Currency(iso_currency::Currency::USD);

    pub fn code(self) -> String {
        self.0.code().to_string()
    }

    /// Digits after the decimal point (2 for USD, 0 for KRW, 3 for BHD).
    pub fn minor_digits(self) -> u32 {
        u32::from(self.0.exponent().unwrap_or(0))
    }

    /// An amount as people type it (`12500`, `12500.5`, `12500.50`) in
    /// minor units, exactly: no more decimals than the currency has, not
    /// negative, below a trillion.
    pub fn parse_amount(self, s: &str) -> Result<i64, String> {
        let t = s.trim();
        let digits = self.minor_digits() as usize;
        let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
        let all_digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || !all_digits(whole)
            || !all_digits(frac)
            || (t.contains('.') && frac.is_empty())
        {
            return Err(format!(
                "`{}` is not an amount; write digits with an optional decimal point, e.g. 12500.50",
                crate::validate::clip(s)
            ));
        }
        if frac.len() > digits {
            return Err(format!(
                "{} has {digits} decimal places; `{}` has {}",
                self.code(),
                crate::validate::clip(s),
                frac.len()
            ));
        }
        if whole.trim_start_matches('0').len() > 12 {
            return Err("the amount is too large (at most 999,999,999,999)".into());
        }
        let whole: i64 = whole
            .parse()
            .map_err(|_| "the amount is too large".to_string())?;
        let frac: i64 = format!("{frac:0<digits$}").parse().unwrap_or(0);
        Ok(whole * 10i64.pow(digits as u32) + frac)
    }

    /// Formats an amount in minor units, e.g. `INR 1,234.50`.
    pub fn format_minor(self, minor: i64) -> String {
        let digits = self.minor_digits();
        let scale = 10i64.pow(digits);
        let sign = if minor < 0 { "-" } else { "" };
        let abs = minor.unsigned_abs();
        let whole = abs / scale.unsigned_abs();
        let frac = abs % scale.unsigned_abs();
        let whole = group_thousands(whole);
        if digits == 0 {
            format!("{} {sign}{whole}", self.code())
        } else {
            format!(
                "{} {sign}{whole}.{frac:0width$}",
                self.code(),
                width = digits as usize
            )
        }
    }
}

fn group_thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl TryFrom<String> for Currency {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.code()
    }
}

impl std::fmt::Debug for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.code())
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_exactly_in_the_currencys_minor_units() {
        let inr = Currency::parse("INR").unwrap();
        assert_eq!(inr.parse_amount("12500"), Ok(1_250_000));
        assert_eq!(inr.parse_amount(" 12500.5 "), Ok(1_250_050));
        assert_eq!(inr.parse_amount("0.07"), Ok(7));
        assert!(inr.parse_amount("12.345").is_err());
        assert!(inr.parse_amount("-5").is_err());
        assert!(inr.parse_amount("1e3").is_err());
        assert!(inr.parse_amount("12.").is_err());
        let krw = Currency::parse("KRW").unwrap();
        assert_eq!(krw.parse_amount("150000"), Ok(150_000));
        assert!(krw.parse_amount("1000.5").is_err());
        let bhd = Currency::parse("BHD").unwrap();
        assert_eq!(bhd.parse_amount("1.5"), Ok(1_500));
        assert!(inr.parse_amount("9999999999999").is_err());
    }
    use proptest::prelude::*;

    #[test]
    fn parses_codes() {
        assert_eq!(Currency::parse("inr").unwrap().code(), "INR");
        assert!(Currency::parse("XYZ").is_err());
        assert!(Currency::parse("").is_err());
    }

    #[test]
    fn minor_digits_follow_iso() {
        assert_eq!(Currency::parse("USD").unwrap().minor_digits(), 2);
        assert_eq!(Currency::parse("KRW").unwrap().minor_digits(), 0);
        assert_eq!(Currency::parse("BHD").unwrap().minor_digits(), 3);
    }

    #[test]
    fn formats() {
        let inr = Currency::parse("INR").unwrap();
        assert_eq!(inr.format_minor(123_450), "INR 1,234.50");
        assert_eq!(inr.format_minor(-5), "INR -0.05");
        let krw = Currency::parse("KRW").unwrap();
        assert_eq!(krw.format_minor(1_500_000), "KRW 1,500,000");
    }

    proptest! {
        #[test]
        fn format_keeps_every_digit(minor in any::<i64>()) {
            let usd = Currency::parse("USD").unwrap();
            let shown = usd.format_minor(minor);
            let digits: String = shown.chars().filter(|c| c.is_ascii_digit()).collect();
            let expected = minor.unsigned_abs().to_string();
            let expected = format!("{expected:0>3}");
            prop_assert_eq!(digits, expected);
        }
    }
}
