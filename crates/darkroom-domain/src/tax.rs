//! Tax identities of a business: India's GSTIN, EU/UK VAT numbers, and others.

use serde::{Deserialize, Serialize};

/// Which kind of tax number a branch is registered under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaxIdKind {
    /// India's Goods and Services Tax identification number (15 characters).
    Gstin,
    /// A VAT number with its country prefix (`GB123456789`, `DE123456789`).
    Vat,
    /// US Employer Identification Number (`12-3456789`).
    Ein,
    /// Australian Business Number (11 digits).
    Abn,
    /// Korea's business registration number (`123-45-67890`).
    Brn,
    Other,
}

impl TaxIdKind {
    pub const ALL: &'static [TaxIdKind] = &[
        TaxIdKind::Gstin,
        TaxIdKind::Vat,
        TaxIdKind::Ein,
        TaxIdKind::Abn,
        TaxIdKind::Brn,
        TaxIdKind::Other,
    ];

    pub fn key(self) -> &'static str {
        match self {
            TaxIdKind::Gstin => "gstin",
            TaxIdKind::Vat => "vat",
            TaxIdKind::Ein => "ein",
            TaxIdKind::Abn => "abn",
            TaxIdKind::Brn => "brn",
            TaxIdKind::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TaxIdKind::Gstin => "GSTIN (India)",
            TaxIdKind::Vat => "VAT number",
            TaxIdKind::Ein => "EIN (United States)",
            TaxIdKind::Abn => "ABN (Australia)",
            TaxIdKind::Brn => "Business registration number (Korea)",
            TaxIdKind::Other => "Other",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.key() == s)
            .ok_or_else(|| {
                format!("`{s}` is not a tax id kind; use one of gstin, vat, ein, abn, brn, other")
            })
    }
}

const GSTIN_CHARS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// The GSTIN check character (mod-36 Luhn variant) of the first 14 characters.
fn gstin_check_char(first14: &[u8]) -> Option<u8> {
    let mut sum = 0u32;
    for (i, c) in first14.iter().enumerate() {
        let v = u32::try_from(GSTIN_CHARS.iter().position(|x| x == c)?).ok()?;
        let factor = if i % 2 == 0 { 1 } else { 2 };
        let p = v * factor;
        sum += p / 36 + p % 36;
    }
    let check = (36 - sum % 36) % 36;
    GSTIN_CHARS.get(check as usize).copied()
}

/// Checks and normalises (upper case, no spaces) a tax number of `kind`.
pub fn check_tax_id(kind: TaxIdKind, value: &str) -> Result<String, String> {
    let v: String = value
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let b = v.as_bytes();
    let ok = match kind {
        TaxIdKind::Gstin => {
            if b.len() != 15 || !b.iter().all(|c| c.is_ascii_alphanumeric()) {
                return Err(format!(
                    "`{value}` is not a GSTIN: it has 15 characters, e.g. 29ABCDE1234F1Z5 \
                     (state code, PAN, entity number, Z, check character)"
                ));
            }
            if !b[..2].iter().all(u8::is_ascii_digit) || b[13] != b'Z' {
                return Err(format!(
                    "`{value}` is not a GSTIN: it starts with a 2-digit state code and has Z as its 14th character"
                ));
            }
            if gstin_check_char(&b[..14]) != Some(b[14]) {
                return Err(format!(
                    "`{value}` is not a valid GSTIN: its check character does not match; check for a typo"
                ));
            }
            true
        }
        TaxIdKind::Vat => {
            b.len() >= 4
                && b.len() <= 16
                && b[..2].iter().all(u8::is_ascii_uppercase)
                && b[2..].iter().all(u8::is_ascii_alphanumeric)
        }
        TaxIdKind::Ein => {
            let digits: Vec<u8> = b.iter().copied().filter(u8::is_ascii_digit).collect();
            digits.len() == 9 && b.iter().all(|c| c.is_ascii_digit() || *c == b'-')
        }
        TaxIdKind::Abn => b.len() == 11 && b.iter().all(u8::is_ascii_digit),
        TaxIdKind::Brn => {
            let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
            digits == 10 && b.iter().all(|c| c.is_ascii_digit() || *c == b'-')
        }
        TaxIdKind::Other => {
            (1..=30).contains(&b.len())
                && b.iter()
                    .all(|c| c.is_ascii_alphanumeric() || b"-/.".contains(c))
        }
    };
    if ok {
        Ok(v)
    } else {
        Err(format!(
            "`{value}` is not a valid {}; check the number and its format",
            kind.label()
        ))
    }
}

/// A tax number and its kind as sent: both or neither; the kind's rule
/// checks the number. `None` when `errs` got the reason.
pub fn check_pair(
    kind: Option<&crate::field::TaxIdKindOrBlank>,
    id: Option<&crate::field::Text<40>>,
    errs: &mut crate::validate::FieldErrors,
) -> Option<(Option<String>, Option<String>)> {
    let kind = match kind {
        Some(k) => errs.check("tax_id_kind", k.check())?,
        None => None,
    };
    let id = match id {
        Some(t) => errs.check("tax_id", t.check("the tax number"))?,
        None => None,
    };
    match (kind, id) {
        (None, None) => Some((None, None)),
        (Some(_), None) => {
            errs.add(
                "tax_id",
                "required",
                "enter the tax number, or leave the kind empty",
            );
            None
        }
        (None, Some(_)) => {
            errs.add(
                "tax_id_kind",
                "required",
                "say which kind of tax number this is (gstin, vat, ein, abn, brn, other)",
            );
            None
        }
        (Some(kind), Some(v)) => {
            let v = errs.check("tax_id", check_tax_id(kind, &v))?;
            Some((Some(kind.key().to_string()), Some(v)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn gstin_checksums() {
        // Built from a PAN-shaped body with its computed check character.
        let body = b"29ABCDE1234F1Z";
        let check = gstin_check_char(body).unwrap() as char;
        let good = format!("{}{}", std::str::from_utf8(body).unwrap(), check);
        assert_eq!(
            check_tax_id(TaxIdKind::Gstin, &good.to_lowercase()).unwrap(),
            good
        );
        let bad_check = if check == '0' { '1' } else { '0' };
        let bad = format!("{}{}", std::str::from_utf8(body).unwrap(), bad_check);
        assert!(
            check_tax_id(TaxIdKind::Gstin, &bad)
                .unwrap_err()
                .contains("check character")
        );
        assert!(check_tax_id(TaxIdKind::Gstin, "29ABCDE1234F1Y5").is_err());
        assert!(check_tax_id(TaxIdKind::Gstin, "short").is_err());
    }

    #[test]
    fn known_real_format_gstin() {
        // A published sample GSTIN (Government of India documentation).
        assert!(check_tax_id(TaxIdKind::Gstin, "27AAPFU0939F1ZV").is_ok());
    }

    #[test]
    fn other_kinds() {
        assert_eq!(
            check_tax_id(TaxIdKind::Vat, "gb 123 4567 89").unwrap(),
            "GB123456789"
        );
        assert!(check_tax_id(TaxIdKind::Vat, "123").is_err());
        assert!(check_tax_id(TaxIdKind::Ein, "12-3456789").is_ok());
        assert!(check_tax_id(TaxIdKind::Abn, "51824753556").is_ok());
        assert!(check_tax_id(TaxIdKind::Brn, "123-45-67890").is_ok());
        assert!(check_tax_id(TaxIdKind::Other, "").is_err());
    }

    proptest! {
        #[test]
        fn any_single_char_change_breaks_a_gstin(pos in 0usize..14, c in 0usize..36) {
            let body = b"27AAPFU0939F1Z".to_vec();
            let mut changed = body.clone();
            changed[pos] = GSTIN_CHARS[c];
            prop_assume!(changed != body);
            let good = gstin_check_char(&body).unwrap();
            let s = format!("{}{}", String::from_utf8(changed).unwrap(), good as char);
            prop_assert!(check_tax_id(TaxIdKind::Gstin, &s).is_err());
        }
    }
}
