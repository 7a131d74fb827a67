//! Money owed and paid (decision 0032): invoice kinds and statuses, how a
//! line's tax is worked out under each regime, GST's states, fiscal years
//! and invoice numbers, and splitting an amount across lines. Everything is
//! integer minor units with explicit rounding; nothing here is a float.

use crate::named_enum;

pub mod contract;
pub mod gst;
pub mod lines;
pub mod numbering;
pub mod quantity;
pub mod remind;
pub mod split;

pub use lines::{LineAmounts, LinePrice, TaxMode, Totals};

named_enum!(
    /// How a branch charges tax.
    TaxRegime, "tax regime" {
        /// No tax on invoices (a business below the threshold).
        None => "none",
        /// Value added tax by rate per line (EU, UK and most others).
        Vat => "vat",
        /// US sales tax: a rate per line on top of the price.
        SalesTax => "sales_tax",
        /// India's GST: CGST + SGST (or UTGST) within a state, IGST across.
        GstIn => "gst_in",
        /// Korea's 10% VAT (부가가치세), fractions of a won cut off.
        VatKr => "vat_kr",
    }
);

impl TaxRegime {
    pub fn label(self) -> &'static str {
        match self {
            TaxRegime::None => "No tax",
            TaxRegime::Vat => "VAT",
            TaxRegime::SalesTax => "Sales tax",
            TaxRegime::GstIn => "GST (India)",
            TaxRegime::VatKr => "VAT (Korea)",
        }
    }

    /// Where a regime's fiscal year starts, as a month (1 to 12).
    pub fn usual_fiscal_start(self) -> u8 {
        match self {
            TaxRegime::GstIn => 4,
            _ => 1,
        }
    }

    /// The rate a line gets when nobody says (basis points).
    pub fn usual_rate_bp(self) -> i64 {
        match self {
            TaxRegime::None => 0,
            TaxRegime::VatKr => 1000,
            TaxRegime::GstIn => 1800,
            TaxRegime::Vat | TaxRegime::SalesTax => 0,
        }
    }
}

named_enum!(
    /// What an invoice bills (seed 001, seed 003).
    InvoiceKind, "invoice kind" {
        Booking => "booking",
        Deposit => "deposit",
        Balance => "balance",
        /// A sale at the counter (prints, frames, extra photos).
        Pos => "pos",
        Subscription => "subscription",
        Overage => "overage",
    }
);

named_enum!(
    /// Where an invoice stands. Paid, partly paid and void follow from the
    /// ledger; overdue is set by the worker once the due day has passed.
    InvoiceStatus, "invoice status" {
        Draft => "draft",
        Issued => "issued",
        PartlyPaid => "partly_paid",
        Paid => "paid",
        Overdue => "overdue",
        /// Credited in full by credit notes, with nothing kept.
        Void => "void",
    }
);

impl InvoiceStatus {
    /// The status an issued invoice has from what its ledger says:
    /// `total` after credit notes, `paid` after refunds, and whether its
    /// due day has passed.
    pub fn from_ledger(total: i64, paid: i64, past_due: bool) -> InvoiceStatus {
        if total <= 0 && paid <= 0 {
            InvoiceStatus::Void
        } else if paid >= total {
            InvoiceStatus::Paid
        } else if past_due {
            InvoiceStatus::Overdue
        } else if paid > 0 {
            InvoiceStatus::PartlyPaid
        } else {
            InvoiceStatus::Issued
        }
    }

    /// Whether the client still owes something on it.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            InvoiceStatus::Issued | InvoiceStatus::PartlyPaid | InvoiceStatus::Overdue
        )
    }
}

named_enum!(
    /// What a line of an invoice is for.
    LineKind, "line kind" {
        Package => "package",
        AddOn => "add_on",
        /// A custom fee: mileage, travel, second shooter, assistant,
        /// equipment, insurance.
        Fee => "fee",
        /// Photos chosen beyond the package's in proofing.
        ExtraPhotos => "extra_photos",
        Item => "item",
        Discount => "discount",
    }
);

named_enum!(
    /// A custom fee (seed 000).
    FeeKind, "fee kind" {
        Mileage => "mileage",
        Travel => "travel",
        SecondShooter => "second_shooter",
        Assistant => "assistant",
        Equipment => "equipment",
        Insurance => "insurance",
        PostProcessing => "post_processing",
        Other => "other",
    }
);

impl FeeKind {
    pub fn label(self) -> &'static str {
        match self {
            FeeKind::Mileage => "Mileage",
            FeeKind::Travel => "Travel",
            FeeKind::SecondShooter => "Second shooter",
            FeeKind::Assistant => "Assistant",
            FeeKind::Equipment => "Equipment",
            FeeKind::Insurance => "Insurance",
            FeeKind::PostProcessing => "Post-processing",
            FeeKind::Other => "Fee",
        }
    }
}

named_enum!(
    /// How money came in or went out.
    PaymentMethod, "payment method" {
        Cash => "cash",
        BankTransfer => "bank_transfer",
        CardTerminal => "card_terminal",
        Cheque => "cheque",
        Upi => "upi",
        Stripe => "stripe",
        /// The client's credit with the studio (an earlier overpayment).
        Credit => "credit",
    }
);

impl PaymentMethod {
    pub fn label(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "Cash",
            PaymentMethod::BankTransfer => "Bank transfer",
            PaymentMethod::CardTerminal => "Card terminal",
            PaymentMethod::Cheque => "Cheque",
            PaymentMethod::Upi => "UPI",
            PaymentMethod::Stripe => "Card (Stripe)",
            PaymentMethod::Credit => "Client credit",
        }
    }

    /// Methods staff record by hand.
    pub const MANUAL: &'static [PaymentMethod] = &[
        PaymentMethod::Cash,
        PaymentMethod::BankTransfer,
        PaymentMethod::CardTerminal,
        PaymentMethod::Cheque,
        PaymentMethod::Upi,
    ];

    /// Korea's cash receipt (현금영수증) applies to cash and transfers.
    pub fn takes_cash_receipt(self) -> bool {
        matches!(
            self,
            PaymentMethod::Cash | PaymentMethod::BankTransfer | PaymentMethod::Upi
        )
    }
}

named_enum!(
    /// A movement in the ledger. Entries are only ever added.
    EntryKind, "ledger entry kind" {
        /// An invoice issued: the client owes its total.
        Charge => "charge",
        /// Money received on an invoice.
        Payment => "payment",
        /// Money received beyond what an invoice owed: held as the
        /// client's credit.
        Overpayment => "overpayment",
        /// The client's credit used to pay an invoice.
        CreditApplied => "credit_applied",
        /// A credit note: the client owes less.
        CreditNote => "credit_note",
        /// Money given back.
        Refund => "refund",
    }
);

impl EntryKind {
    /// What the entry does to what an invoice is owed (charge +, payment -).
    pub fn owed_sign(self) -> i64 {
        match self {
            EntryKind::Charge | EntryKind::Refund => 1,
            EntryKind::Payment | EntryKind::CreditApplied | EntryKind::CreditNote => -1,
            EntryKind::Overpayment => 0,
        }
    }

    /// What the entry does to the client's credit.
    pub fn credit_sign(self) -> i64 {
        match self {
            EntryKind::Overpayment => 1,
            EntryKind::CreditApplied => -1,
            _ => 0,
        }
    }
}

named_enum!(
    /// What a Korean cash receipt is for.
    ReceiptPurpose, "cash receipt purpose" {
        /// 소득공제: a person's income deduction (identified by phone).
        IncomeDeduction => "income_deduction",
        /// 지출증빙: a business's proof of expense (its registration number).
        ExpenseProof => "expense_proof",
    }
);

named_enum!(
    /// Who a Korean cash receipt is issued to.
    ReceiptIdentity, "cash receipt identity" {
        /// A mobile number (010-1234-5678).
        Phone => "phone",
        /// A business registration number (123-45-67890).
        BusinessNumber => "business_number",
        /// A cash receipt card number.
        Card => "card",
    }
);

impl ReceiptIdentity {
    /// Checks and normalises (digits only) an identity of this kind.
    pub fn check(self, value: &str) -> Result<String, String> {
        let digits: String = value.chars().filter(char::is_ascii_digit).collect();
        let only = value
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == ' ');
        let ok = only
            && match self {
                ReceiptIdentity::Phone => {
                    digits.starts_with("01") && (10..=11).contains(&digits.len())
                }
                ReceiptIdentity::BusinessNumber => digits.len() == 10,
                ReceiptIdentity::Card => (13..=19).contains(&digits.len()),
            };
        if ok {
            Ok(digits)
        } else {
            Err(match self {
                ReceiptIdentity::Phone => {
                    "a cash receipt's phone is a Korean mobile number, e.g. 010-1234-5678"
                }
                ReceiptIdentity::BusinessNumber => {
                    "a business registration number has 10 digits, e.g. 123-45-67890"
                }
                ReceiptIdentity::Card => "a cash receipt card number has 13 to 19 digits",
            }
            .to_string())
        }
    }
}

named_enum!(
    /// Where a cash receipt stands.
    ReceiptStatus, "cash receipt status" {
        /// Recorded with the payment; not yet reported to the tax office.
        Pending => "pending",
        /// Reported: it has the tax office's approval number.
        Issued => "issued",
        /// Cancelled (the money was given back).
        Cancelled => "cancelled",
    }
);

/// A Korean amount paid (VAT included) as supply value and VAT, the VAT
/// cut off below one won.
pub fn kr_split(amount: i64) -> (i64, i64) {
    let vat = amount / 11;
    (amount - vat, vat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cash_receipts() {
        assert_eq!(kr_split(110_000), (100_000, 10_000));
        assert_eq!(kr_split(10_000), (9_091, 909));
        assert_eq!(
            ReceiptIdentity::Phone.check("010-1234-5678"),
            Ok("01012345678".into())
        );
        assert!(ReceiptIdentity::Phone.check("02-123-4567").is_err());
        assert_eq!(
            ReceiptIdentity::BusinessNumber.check("123-45-67890"),
            Ok("1234567890".into())
        );
        assert!(
            ReceiptIdentity::BusinessNumber
                .check("123-45-6789x")
                .is_err()
        );
    }

    #[test]
    fn status_follows_the_ledger() {
        use InvoiceStatus as S;
        assert_eq!(S::from_ledger(1000, 0, false), S::Issued);
        assert_eq!(S::from_ledger(1000, 1, false), S::PartlyPaid);
        assert_eq!(S::from_ledger(1000, 1, true), S::Overdue);
        assert_eq!(S::from_ledger(1000, 1000, true), S::Paid);
        assert_eq!(S::from_ledger(1000, 1200, false), S::Paid);
        assert_eq!(S::from_ledger(0, 0, true), S::Void);
        assert_eq!(S::from_ledger(0, 500, false), S::Paid);
        assert!(S::Overdue.is_open() && !S::Paid.is_open() && !S::Draft.is_open());
    }
}
