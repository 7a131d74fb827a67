//! Text of several paragraphs (a contract's body).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{BIDI, has_control, too_long};

string_field!(
    /// Text of several paragraphs (a contract's body): like [`Text`], but
    /// line breaks and tabs are kept (`\r\n` becomes `\n`).
    Prose<const MAX: usize>
);

impl<const MAX: usize> Prose<MAX> {
    /// Control characters other than line breaks and tabs.
    #[cfg(feature = "openapi")]
    pub(super) fn pattern() -> String {
        format!("^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f{BIDI}]*$")
    }

    /// The text with `\n` line ends, trimmed (`None` when blank), or why not.
    pub fn check(&self, what: &str) -> Result<Option<String>, String> {
        let n = self.0.chars().count();
        if n > MAX {
            return Err(too_long(what, MAX, n));
        }
        let v = self.0.replace("\r\n", "\n").replace('\r', "\n");
        if v.chars()
            .any(|c| c != '\n' && c != '\t' && has_control(&c.to_string()))
        {
            return Err(format!(
                "{what} contains control or text-direction characters; remove them"
            ));
        }
        let v = v.trim();
        Ok((!v.is_empty()).then(|| v.to_string()))
    }
}
