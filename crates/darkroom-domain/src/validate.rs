//! Input rules shared by the API and the pages, with messages that say what
//! is wrong, where, and how to fix it.

use serde::Serialize;

/// One problem with one input field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name as the client sent it (`address.city`).
    pub field: String,
    /// A stable machine code (`required`, `too_long`, `invalid`).
    pub code: &'static str,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// Every problem found in one input, so the user fixes them all at once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, code: &'static str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_string(),
            code,
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Records the error of a check, if any, against `field`.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(msg) => {
                self.add(field, "invalid", msg);
                None
            }
        }
    }

    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }

    pub fn for_field(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        f.write_str(&parts.join("; "))
    }
}

fn has_control(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
}

/// A required single-line text: trimmed, 1..=max characters, no control or
/// bidirectional-override characters.
pub fn text(value: &str, what: &str, max: usize) -> Result<String, String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(format!("{what} is required"));
    }
    optional_text(v, what, max).map(|o| o.unwrap_or_default())
}

/// An optional single-line text; empty becomes `None`.
pub fn optional_text(value: &str, what: &str, max: usize) -> Result<Option<String>, String> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > max {
        return Err(format!(
            "{what} is too long: at most {max} characters, got {}",
            v.chars().count()
        ));
    }
    if has_control(v) {
        return Err(format!(
            "{what} contains control or text-direction characters; remove them"
        ));
    }
    Ok(Some(v.to_string()))
}

/// An email address, normalised to lower case. Deliberately simple: one `@`,
/// a non-empty local part, a domain with a dot, no spaces, at most 254 bytes.
pub fn email(value: &str) -> Result<String, String> {
    let v = value.trim();
    let bad = || {
        format!(
            "`{}` is not an email address; use the form name@example.com",
            clip(v)
        )
    };
    if v.is_empty() {
        return Err("an email address is required".into());
    }
    if v.len() > 254 || has_control(v) || v.chars().any(char::is_whitespace) {
        return Err(bad());
    }
    let (local, domain) = v.rsplit_once('@').ok_or_else(bad)?;
    if local.is_empty()
        || local.contains('@')
        || domain.len() < 3
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || domain.contains("..")
    {
        return Err(bad());
    }
    Ok(v.to_lowercase())
}

/// An optional phone number: digits with `+`, spaces, dashes, dots and brackets.
pub fn phone(value: &str) -> Result<Option<String>, String> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let ok_chars = v
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if !ok_chars || !(5..=20).contains(&digits) || v.len() > 32 {
        return Err(format!(
            "`{}` is not a phone number; use digits with an optional leading + and \
             country code, e.g. +91 98765 43210",
            clip(v)
        ));
    }
    Ok(Some(v.to_string()))
}

/// A BCP 47 locale of the form `en`, `en-IN`, `ko-KR`.
pub fn locale(value: &str) -> Result<String, String> {
    let v = value.trim();
    let bad = || {
        format!(
            "`{}` is not a locale; use a language code with an optional region, e.g. `en`, `en-IN`, `ko-KR`",
            clip(v)
        )
    };
    let mut parts = v.split('-');
    let lang = parts.next().unwrap_or_default();
    if !(2..=3).contains(&lang.len()) || !lang.bytes().all(|b| b.is_ascii_lowercase()) {
        return Err(bad());
    }
    match (parts.next(), parts.next()) {
        (None, _) => Ok(v.to_string()),
        (Some(region), None)
            if region.len() == 2 && region.bytes().all(|b| b.is_ascii_uppercase()) =>
        {
            Ok(v.to_string())
        }
        _ => Err(bad()),
    }
}

/// A `#rrggbb` colour.
pub fn hex_colour(value: &str) -> Result<String, String> {
    let v = value.trim();
    if v.len() == 7 && v.starts_with('#') && v[1..].bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(v.to_ascii_lowercase())
    } else {
        Err(format!(
            "`{}` is not a colour; use the form #1a2b3c",
            clip(v)
        ))
    }
}

/// An invoice-number prefix: 1 to 12 of A-Z, 0-9, `-` and `/`.
pub fn invoice_prefix(value: &str) -> Result<String, String> {
    let v = value.trim().to_ascii_uppercase();
    if (1..=12).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'/')
    {
        Ok(v)
    } else {
        Err(format!(
            "`{}` is not an invoice prefix; use 1 to 12 letters, digits, `-` or `/`, e.g. `BLR-`",
            clip(value)
        ))
    }
}

/// Minimum and maximum password length.
pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 256;

/// Password rules: long enough to resist guessing, not the email itself.
pub fn password(value: &str, email: &str) -> Result<(), String> {
    let n = value.chars().count();
    if n < PASSWORD_MIN {
        return Err(format!(
            "the password is too short: use at least {PASSWORD_MIN} characters (a few words work well)"
        ));
    }
    if n > PASSWORD_MAX {
        return Err(format!(
            "the password is too long: at most {PASSWORD_MAX} characters"
        ));
    }
    if value.trim().eq_ignore_ascii_case(email.trim()) {
        return Err("the password must not be your email address".into());
    }
    if value
        .chars()
        .all(|c| c == value.chars().next().unwrap_or(' '))
    {
        return Err("the password must not repeat a single character".into());
    }
    Ok(())
}

pub fn clip(s: &str) -> String {
    if s.chars().count() > 60 {
        let c: String = s.chars().take(60).collect();
        format!("{c}…")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails() {
        assert_eq!(email(" Asha@Example.COM ").unwrap(), "asha@example.com");
        for bad in [
            "",
            "asha",
            "asha@",
            "@x.com",
            "a b@x.com",
            "a@x",
            "a@.x.com",
            "a@x..com",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn texts_reject_bidi_and_control() {
        assert!(text("ok", "name", 10).is_ok());
        assert!(text("  ", "name", 10).is_err());
        assert!(text("a\u{202E}b", "name", 10).is_err());
        assert!(text("a\nb", "name", 10).is_err());
        assert!(
            text(&"x".repeat(11), "name", 10)
                .unwrap_err()
                .contains("at most 10")
        );
    }

    #[test]
    fn locales() {
        assert!(locale("en").is_ok());
        assert!(locale("en-IN").is_ok());
        assert!(locale("ko-KR").is_ok());
        assert!(locale("english").is_err());
        assert!(locale("en-in").is_err());
        assert!(locale("en-IN-x").is_err());
    }

    #[test]
    fn phones_and_prefixes() {
        assert_eq!(phone("").unwrap(), None);
        assert!(phone("+91 98765 43210").unwrap().is_some());
        assert!(phone("call me").is_err());
        assert_eq!(invoice_prefix("blr-").unwrap(), "BLR-");
        assert!(invoice_prefix("").is_err());
        assert!(invoice_prefix("WAY-TOO-LONG-PREFIX").is_err());
    }

    #[test]
    fn passwords() {
        assert!(password("correct horse battery", "a@b.co").is_ok());
        assert!(password("short", "a@b.co").is_err());
        assert!(password("aaaaaaaaaaaa", "a@b.co").is_err());
        assert!(password("asha@example.com", "asha@example.com").is_err());
    }

    proptest! {
        #[test]
        fn validators_never_panic(s in ".{0,300}") {
            let _ = email(&s);
            let _ = phone(&s);
            let _ = locale(&s);
            let _ = hex_colour(&s);
            let _ = invoice_prefix(&s);
            let _ = text(&s, "x", 50);
            let _ = password(&s, "a@b.co");
        }
    }
}
