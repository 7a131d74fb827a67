//! India's GST states and union territories (the codes GSTINs start with)
//! and the place-of-supply rule that picks CGST + SGST or IGST.

/// `(code, name, union territory without a legislature)`: such places
/// charge UTGST where a state charges SGST.
const STATES: &[(&str, &str, bool)] = &[
    ("01", "Jammu and Kashmir", false),
    ("02", "Himachal Pradesh", false),
    ("03", "Punjab", false),
    ("04", "Chandigarh", true),
    ("05", "Uttarakhand", false),
    ("06", "Haryana", false),
    ("07", "Delhi", false),
    ("08", "Rajasthan", false),
    ("09", "Uttar Pradesh", false),
    ("10", "Bihar", false),
    ("11", "Sikkim", false),
    ("12", "Arunachal Pradesh", false),
    ("13", "Nagaland", false),
    ("14", "Manipur", false),
    ("15", "Mizoram", false),
    ("16", "Tripura", false),
    ("17", "Meghalaya", false),
    ("18", "Assam", false),
    ("19", "West Bengal", false),
    ("20", "Jharkhand", false),
    ("21", "Odisha", false),
    ("22", "Chhattisgarh", false),
    ("23", "Madhya Pradesh", false),
    ("24", "Gujarat", false),
    ("26", "Dadra and Nagar Haveli and Daman and Diu", true),
    ("27", "Maharashtra", false),
    ("29", "Karnataka", false),
    ("30", "Goa", false),
    ("31", "Lakshadweep", true),
    ("32", "Kerala", false),
    ("33", "Tamil Nadu", false),
    ("34", "Puducherry", false),
    ("35", "Andaman and Nicobar Islands", true),
    ("36", "Telangana", false),
    ("37", "Andhra Pradesh", false),
    ("38", "Ladakh", true),
    ("97", "Other Territory", true),
    ("96", "Outside India", false),
];

/// Every place of supply: code and name.
pub fn places() -> impl Iterator<Item = (&'static str, &'static str)> {
    STATES.iter().map(|(c, n, _)| (*c, *n))
}

/// The name of a state code, if it is one.
pub fn state_name(code: &str) -> Option<&'static str> {
    STATES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, n, _)| *n)
}

/// Checks a place of supply (`29`, or a name: `Karnataka`) and gives its
/// two-digit code.
pub fn check_place(s: &str) -> Result<String, String> {
    let t = s.trim();
    STATES
        .iter()
        .find(|(c, n, _)| *c == t || n.eq_ignore_ascii_case(t))
        .map(|(c, _, _)| (*c).to_string())
        .ok_or_else(|| {
            format!(
                "`{}` is not a GST state code; use the two digits GSTINs start with, e.g. 29 for Karnataka, 27 for Maharashtra, 96 for outside India",
                crate::validate::clip(s)
            )
        })
}

/// The state a GSTIN is registered in (its first two digits).
pub fn state_of_gstin(gstin: &str) -> Option<&'static str> {
    let code = gstin.get(..2)?;
    STATES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(c, _, _)| *c)
}

/// Whether the state part of intra-state GST is UTGST.
pub fn is_union_territory(code: &str) -> bool {
    STATES.iter().any(|(c, _, ut)| *c == code && *ut)
}

/// The place of supply of a photography service: the registered client's
/// state (its GSTIN), else the state staff set for the invoice (where the
/// client is or the shoot happens), else the supplier's own state.
pub fn place_of_supply<'a>(
    client_gstin: Option<&'a str>,
    chosen: Option<&'a str>,
    supplier: &'a str,
) -> &'a str {
    client_gstin
        .and_then(state_of_gstin)
        .or(chosen)
        .unwrap_or(supplier)
}

/// CGST + SGST when the place of supply is the supplier's state.
pub fn is_intra_state(supplier: &str, place: &str) -> bool {
    supplier == place && place != "96"
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule as the IGST Act's section 12 reads for services, in the
    /// cases a studio meets.
    #[test]
    fn place_of_supply_decides_the_split() {
        // A Bengaluru studio billing a registered Mumbai company: IGST.
        let place = place_of_supply(Some("27AAPFU0939F1ZV"), None, "29");
        assert_eq!(place, "27");
        assert!(!is_intra_state("29", place));
        // A Bengaluru couple (unregistered), wedding in Karnataka: CGST + SGST.
        let place = place_of_supply(None, Some("29"), "29");
        assert!(is_intra_state("29", place));
        // Unregistered, nothing chosen: the supplier's state.
        assert!(is_intra_state("29", place_of_supply(None, None, "29")));
        // A client abroad: never intra-state.
        assert!(!is_intra_state("96", "96"));
        // Chandigarh charges UTGST, Karnataka SGST.
        assert!(is_union_territory("04") && !is_union_territory("29"));
    }

    #[test]
    fn places_read_by_code_or_name() {
        assert_eq!(check_place("29").unwrap(), "29");
        assert_eq!(check_place("maharashtra").unwrap(), "27");
        assert!(
            check_place("28")
                .unwrap_err()
                .contains("not a GST state code")
        );
        assert_eq!(state_name("36"), Some("Telangana"));
        assert_eq!(state_of_gstin("99XXXX"), None);
        assert_eq!(places().count(), STATES.len());
    }
}
