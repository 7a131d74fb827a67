//! Phone numbers: parsed with libphonenumber's metadata and kept in E.164
//! (`+919876543210`), so one number typed three ways is one number. A
//! number without a country code is read in the country of the studio's
//! branch; shown back in international format.

use phonenumber::{Mode, country};

/// A phone number in E.164, or why `raw` is not one. `region` is the
/// two-letter country a number without `+` belongs to (the branch's).
pub fn e164(raw: &str, region: Option<&str>) -> Result<String, String> {
    let n = parse(raw, region)?;
    Ok(n.format().mode(Mode::E164).to_string())
}

/// `raw` checked and normalised, `None` when blank.
pub fn optional(raw: &str, region: Option<&str>) -> Result<Option<String>, String> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    e164(raw, region).map(Some)
}

fn parse(raw: &str, region: Option<&str>) -> Result<phonenumber::PhoneNumber, String> {
    let shown = crate::validate::clip(raw);
    if raw.chars().count() > 40 {
        return Err(format!(
            "`{shown}` is too long for a phone number (at most 40 characters)"
        ));
    }
    if let Some(bad) = raw
        .chars()
        .find(|c| !(c.is_ascii_digit() || " +-().".contains(*c)))
    {
        return Err(format!(
            "`{shown}` is not a phone number (`{bad}` is not allowed); use digits with an optional leading + and country code, e.g. +91 98765 43210"
        ));
    }
    let id = region.and_then(|r| r.to_ascii_uppercase().parse::<country::Id>().ok());
    let international = raw.trim_start().starts_with('+');
    if id.is_none() && !international {
        return Err(format!(
            "`{shown}` has no country code and the branch has no country; start it with + and the country code, e.g. +44 20 7946 0958"
        ));
    }
    let n = phonenumber::parse(id, raw).map_err(|_| {
        format!("`{shown}` is not a phone number; use digits with an optional leading + and country code, e.g. +91 98765 43210")
    })?;
    if !phonenumber::is_valid(&n) {
        let place = match (international, region) {
            (false, Some(r)) => format!(" in {}", r.to_ascii_uppercase()),
            _ => String::new(),
        };
        return Err(format!(
            "`{shown}` is not a valid phone number{place}; check the digits, or start it with + and the country code"
        ));
    }
    Ok(n)
}

/// A stored number for people: international format (`+91 98765 43210`);
/// a number stored before E.164 comes back as it was typed.
pub fn display(stored: &str) -> String {
    match phonenumber::parse(None, stored) {
        Ok(n) if stored.starts_with('+') => n.format().mode(Mode::International).to_string(),
        _ => stored.to_string(),
    }
}

/// The digits a number is searched by: its whole E.164 digits, and its
/// national number (what people type without the country code).
pub fn search_digits(stored: &str) -> Vec<String> {
    let all: String = stored.chars().filter(char::is_ascii_digit).collect();
    let mut out = vec![all.clone()];
    if let Ok(n) = phonenumber::parse(None, stored)
        && stored.starts_with('+')
    {
        let national = n.national().to_string();
        if national != all {
            out.push(national);
        }
    }
    out.retain(|d| !d.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_become_e164_in_the_branch_country() {
        assert_eq!(e164("98765 43210", Some("IN")).unwrap(), "+919876543210");
        assert_eq!(e164("+91 (98765) 43210", None).unwrap(), "+919876543210");
        assert_eq!(e164("020 7946 0958", Some("gb")).unwrap(), "+442079460958");
        assert_eq!(e164("010-1234-5678", Some("KR")).unwrap(), "+821012345678");
        assert_eq!(e164("(212) 555-0123", Some("US")).unwrap(), "+12125550123");
        assert_eq!(optional("  ", Some("IN")).unwrap(), None);
    }

    #[test]
    fn bad_numbers_say_why() {
        assert!(
            e164("call me", Some("IN"))
                .unwrap_err()
                .contains("not allowed")
        );
        assert!(
            e164("12345", Some("IN"))
                .unwrap_err()
                .contains("not a valid phone number in IN")
        );
        assert!(
            e164("98765 43210", None)
                .unwrap_err()
                .contains("no country code")
        );
        assert!(
            e164(&"9".repeat(41), Some("IN"))
                .unwrap_err()
                .contains("too long")
        );
    }

    #[test]
    fn numbers_are_searched_with_and_without_country_code() {
        assert_eq!(
            search_digits("+919876543210"),
            vec!["919876543210".to_string(), "9876543210".to_string()]
        );
        assert_eq!(display("+919876543210"), "+91 98765 43210");
        assert_eq!(display("98765"), "98765");
    }
}
