//! Which client field a CSV column holds, read from its header: the
//! columns of Darkroom's own export, and those of the client exports of
//! HoneyBook, Pixieset (Studio Manager) and Studio Ninja (the table is in
//! the README). Headers are compared folded (`Phone Number`, `phone_number`
//! and `PHONE NUMBER` are one); a header nobody knows is left out and said.

use serde::{Deserialize, Serialize};

use crate::named_enum;

named_enum!(
    /// A client field a CSV column can fill.
    Column, "import column" {
        Name => "name",
        FirstName => "first_name",
        LastName => "last_name",
        Kind => "kind",
        Company => "company",
        Email => "email",
        Phone => "phone",
        PartnerName => "partner_name",
        PartnerEmail => "partner_email",
        PartnerPhone => "partner_phone",
        Tags => "tags",
        Source => "source",
        Notes => "notes",
        TaxIdKind => "tax_id_kind",
        TaxId => "tax_id",
        PaymentTermsDays => "payment_terms_days",
        Line1 => "address_line1",
        Line2 => "address_line2",
        City => "city",
        Region => "region",
        PostalCode => "postal_code",
        Country => "country",
        /// Read and left out (the export's id and dates).
        Ignore => "ignore",
    }
);

/// `h` lower case with everything but letters and digits dropped.
fn folded(h: &str) -> String {
    h.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Known headers (folded) and the field each holds.
const ALIASES: &[(&str, Column)] = &[
    // Darkroom's export.
    ("name", Column::Name),
    ("kind", Column::Kind),
    ("email", Column::Email),
    ("phone", Column::Phone),
    ("partnername", Column::PartnerName),
    ("partneremail", Column::PartnerEmail),
    ("partnerphone", Column::PartnerPhone),
    ("tags", Column::Tags),
    ("source", Column::Source),
    ("notes", Column::Notes),
    ("taxidkind", Column::TaxIdKind),
    ("taxid", Column::TaxId),
    ("paymenttermsdays", Column::PaymentTermsDays),
    ("addressline1", Column::Line1),
    ("addressline2", Column::Line2),
    ("city", Column::City),
    ("region", Column::Region),
    ("postalcode", Column::PostalCode),
    ("country", Column::Country),
    ("id", Column::Ignore),
    ("createdat", Column::Ignore),
    // HoneyBook's contacts export.
    ("fullname", Column::Name),
    ("firstname", Column::FirstName),
    ("lastname", Column::LastName),
    ("companyname", Column::Company),
    ("emailaddress", Column::Email),
    ("phonenumber", Column::Phone),
    ("address", Column::Line1),
    ("state", Column::Region),
    ("zipcode", Column::PostalCode),
    ("zip", Column::PostalCode),
    ("leadsource", Column::Source),
    ("projecttype", Column::Ignore),
    ("datecreated", Column::Ignore),
    // Pixieset Studio Manager's contacts export.
    ("company", Column::Company),
    ("stateprovince", Column::Region),
    ("province", Column::Region),
    ("postcode", Column::PostalCode),
    ("contactsource", Column::Source),
    ("contacttags", Column::Tags),
    ("createdon", Column::Ignore),
    // Studio Ninja's clients export.
    ("mobile", Column::Phone),
    ("mobilephone", Column::Phone),
    ("homephone", Column::Ignore),
    ("workphone", Column::Ignore),
    ("streetaddress", Column::Line1),
    ("suburb", Column::City),
    ("referralsource", Column::Source),
    ("howdidyouhearaboutus", Column::Source),
    ("partnerfirstname", Column::PartnerName),
    ("partnersname", Column::PartnerName),
    ("partnersemail", Column::PartnerEmail),
    ("partnersmobile", Column::PartnerPhone),
    ("clientnotes", Column::Notes),
    ("clienttype", Column::Kind),
    ("abn", Column::TaxId),
    ("gstin", Column::TaxId),
    ("vatnumber", Column::TaxId),
];

/// The field a header holds, if it is a known one.
pub fn guess(header: &str) -> Option<Column> {
    let h = folded(header);
    ALIASES.iter().find(|(a, _)| *a == h).map(|(_, c)| *c)
}

/// A column of a file and what it fills.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mapped {
    /// The header as the file has it.
    pub header: String,
    /// The field it fills; none when unknown (the column is left out).
    pub field: Option<Column>,
}

/// A cell for a CSV file that a spreadsheet will not run: a cell starting
/// with `=`, `+`, `-`, `@`, a tab or a carriage return gets a `'` in front.
pub fn safe_cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// A cell as imported: the `'` [`safe_cell`] put in front is taken off.
pub fn unsafe_cell(s: &str) -> &str {
    let t = s.trim();
    match t.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_of_three_anchors_are_known() {
        assert_eq!(guess("First Name"), Some(Column::FirstName));
        assert_eq!(guess("Phone Number"), Some(Column::Phone));
        assert_eq!(guess("State/Province"), Some(Column::Region));
        assert_eq!(guess("ZIP code"), Some(Column::PostalCode));
        assert_eq!(guess("How did you hear about us?"), Some(Column::Source));
        assert_eq!(guess("partner_email"), Some(Column::PartnerEmail));
        assert_eq!(guess("Favourite colour"), None);
    }

    #[test]
    fn formulas_are_defused_on_export_and_restored_on_import() {
        for cell in [
            "=cmd|' /C calc'!A0",
            "+919876543210",
            "-2",
            "@SUM(A1)",
            "\tx",
        ] {
            let safe = safe_cell(cell);
            assert!(safe.starts_with('\''), "{cell}");
        }
        assert_eq!(safe_cell("Mina"), "Mina");
        assert_eq!(unsafe_cell("'+919876543210"), "+919876543210");
        assert_eq!(unsafe_cell("'quoted"), "'quoted");
    }
}
