//! Fiscal years and the numbers invoices and credit notes get at issue.

use jiff::civil::Date;

/// A branch's fiscal year holding `day`, when years start in `start_month`
/// (1 = calendar years; India's run April to March).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FiscalYear {
    /// The calendar year it starts in.
    pub first: i16,
    pub start_month: i8,
}

impl FiscalYear {
    pub fn of(day: Date, start_month: u8) -> FiscalYear {
        let start = i8::try_from(start_month.clamp(1, 12)).unwrap_or(1);
        let first = if day.month() >= start {
            day.year()
        } else {
            day.year() - 1
        };
        FiscalYear {
            first,
            start_month: start,
        }
    }

    /// `2026` for a calendar year, `2026-27` for one across two.
    pub fn label(self) -> String {
        if self.start_month == 1 {
            self.first.to_string()
        } else {
            format!("{}-{:02}", self.first, (self.first + 1).rem_euclid(100))
        }
    }

    /// Its first day.
    pub fn starts(self) -> Option<Date> {
        Date::new(self.first, self.start_month, 1).ok()
    }

    /// The day after its last.
    pub fn ends(self) -> Option<Date> {
        Date::new(self.first + 1, self.start_month, 1).ok()
    }
}

/// What is numbered, each in a sequence of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Series {
    Invoice,
    CreditNote,
    Receipt,
    Contract,
    Proposal,
}

impl Series {
    fn mark(self) -> &'static str {
        match self {
            Series::Invoice => "",
            Series::CreditNote => "CN-",
            Series::Receipt => "R-",
            Series::Contract => "C-",
            Series::Proposal => "Q-",
        }
    }

    /// The counter a branch's numbers of this series in a year come from.
    pub fn scope(self, branch: &str, year: FiscalYear) -> String {
        let series = match self {
            Series::Invoice => "invoice",
            Series::CreditNote => "credit_note",
            Series::Receipt => "receipt",
            Series::Contract => "contract",
            Series::Proposal => "proposal",
        };
        format!("{series}:{branch}:{}", year.label())
    }

    /// `BLR-2026-27/000123`; a credit note `BLR-CN-2026-27/000004`.
    pub fn number(self, prefix: &str, year: FiscalYear, seq: i64) -> String {
        format!("{prefix}{}{}/{seq:06}", self.mark(), year.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn indian_fiscal_years_run_april_to_march() {
        let fy = FiscalYear::of(day("2026-04-01"), 4);
        assert_eq!(fy.label(), "2026-27");
        assert_eq!(FiscalYear::of(day("2027-03-31"), 4).label(), "2026-27");
        assert_eq!(FiscalYear::of(day("2027-04-01"), 4).label(), "2027-28");
        assert_eq!(FiscalYear::of(day("2099-12-31"), 4).label(), "2099-00");
        assert_eq!(fy.starts(), Some(day("2026-04-01")));
        assert_eq!(fy.ends(), Some(day("2027-04-01")));
        assert_eq!(FiscalYear::of(day("2026-12-02"), 1).label(), "2026");
    }

    #[test]
    fn numbers() {
        let fy = FiscalYear::of(day("2026-12-02"), 4);
        assert_eq!(
            Series::Invoice.number("BLR-", fy, 123),
            "BLR-2026-27/000123"
        );
        assert_eq!(
            Series::CreditNote.number("BLR-", fy, 4),
            "BLR-CN-2026-27/000004"
        );
        let cal = FiscalYear::of(day("2026-12-02"), 1);
        assert_eq!(Series::Invoice.number("SEL-", cal, 1), "SEL-2026/000001");
        assert_eq!(Series::Invoice.scope("b1", fy), "invoice:b1:2026-27");
        assert_ne!(
            Series::Invoice.scope("b1", fy),
            Series::CreditNote.scope("b1", fy)
        );
    }
}
