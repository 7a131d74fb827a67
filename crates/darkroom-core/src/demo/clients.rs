//! A believable client book: a few hundred people, couples and
//! organisations with contacts, written as the CSV a studio would bring
//! from its old system and imported through the importer itself.

use super::DEMO_DOMAIN;
use crate::crm::import::{self, ImportInput};
use crate::kernel::error::{CoreError, CoreResult};
use crate::{Core, Meta, Principal};

const FIRST: &[&str] = &[
    "Aarav", "Ananya", "Ishaan", "Diya", "Kabir", "Meera", "Rohan", "Saanvi", "Vikram", "Priya",
    "Arjun", "Kavya", "Neha", "Rahul", "Tara", "Minji", "Jisoo", "Hyun", "Seo-yeon", "Joon",
    "Emma", "Liam", "Olivia", "Noah", "Sofia", "Lucas", "Amelia", "Mateo", "Zoë", "Élodie",
];
const LAST: &[&str] = &[
    "Sharma", "Iyer", "Menon", "Reddy", "Nair", "Kapoor", "Gupta", "Rao", "Verma", "Desai", "Kim",
    "Park", "Lee", "Choi", "Jung", "Smith", "García", "Müller", "O'Brien", "Rossi",
];
const COMPANIES: &[&str] = &[
    "Acme Events",
    "Northwind Traders",
    "Lotus Weddings",
    "Brightside Schools",
    "Kaveri Textiles",
    "Hanbit Agency",
    "Saffron Hotels",
    "Bluebird Marketing",
    "Coral Bay Resorts",
    "Mosaic Media",
];
const CITIES: &[(&str, &str, &str)] = &[
    ("Bengaluru", "KA", "560001"),
    ("Mumbai", "MH", "400001"),
    ("Pune", "MH", "411001"),
    ("Chennai", "TN", "600001"),
    ("Kochi", "KL", "682001"),
];
const SOURCES: &[&str] = &[
    "Instagram",
    "Referral",
    "Website",
    "Google",
    "Wedding fair",
    "Repeat",
];
const TAGS: &[&str] = &[
    "wedding",
    "pre-wedding",
    "family",
    "newborn",
    "corporate",
    "headshots",
    "vip",
];

/// The demo's client file: `n` rows, every seventh a couple, every
/// eleventh a person at a company (the company becomes an organisation
/// with its people as contacts), and a few that repeat an earlier email.
fn demo_csv(n: usize) -> String {
    let mut out = String::from(
        "First Name,Last Name,Email,Phone,Company,Client Type,Partner First Name,Partner's Email,Address,City,State,Zip Code,Lead Source,Tags,Notes\n",
    );
    for i in 0..n {
        let first = FIRST[(i * 7 + 3) % FIRST.len()];
        let last = LAST[(i * 11 + 5) % LAST.len()];
        let email_first = first.to_lowercase().replace(['ë', 'é'], "e");
        let email = format!("{email_first}.{}{i}@{DEMO_DOMAIN}", last.len());
        let phone = format!("9{:04} {:05}", 8000 + (i * 37) % 2000, (i * 7919) % 100_000);
        let company = if i % 11 == 5 {
            COMPANIES[i % COMPANIES.len()]
        } else {
            ""
        };
        let (kind, partner, partner_email) = if i % 7 == 2 {
            let p = FIRST[(i * 5 + 1) % FIRST.len()];
            (
                "couple",
                p,
                format!(
                    "{}.{i}@{DEMO_DOMAIN}",
                    p.to_lowercase().replace(['ë', 'é'], "e")
                ),
            )
        } else {
            ("", "", String::new())
        };
        let (city, state, zip) = CITIES[i % CITIES.len()];
        let source = SOURCES[i % SOURCES.len()];
        let tag = if company.is_empty() {
            TAGS[i % TAGS.len()]
        } else {
            "corporate"
        };
        let notes = if i % 13 == 0 { "Prefers WhatsApp" } else { "" };
        out.push_str(&format!(
            "{first},\"{last}\",{email},{phone},{company},{kind},{partner},{partner_email},{} MG Road,{city},{state},{zip},{source},{tag},{notes}\n",
            10 + i % 90
        ));
    }
    out
}

/// Imports the demo client book.
pub(super) async fn demo_clients(core: &Core, owner: &Principal, meta: &Meta) -> CoreResult<usize> {
    let input = ImportInput {
        csv: demo_csv(320),
        mapping: None,
        dry_run: Some(false),
    };
    let report = import::import(core, owner, meta, input).await?;
    if let Some(r) = report.refused.first() {
        return Err(CoreError::Internal(anyhow::anyhow!(
            "demo client row {} refused: {} ({})",
            r.row,
            r.reason,
            r.column
        )));
    }
    Ok(report.created.len())
}

/// A pipeline with leads in every stage: some new from the website, some
/// further along, one won and converted, one lost with its reason.
pub(super) async fn demo_leads(core: &Core, owner: &Principal, meta: &Meta) -> CoreResult<()> {
    use crate::crm::lead::{self, LeadInput, stages};
    use darkroom_domain::crm::StageKind;
    let all = stages::list(core, owner).await?;
    let people = [
        ("Nisha & Karthik", "Wedding", "2027-02-14", "instagram"),
        ("Farah Khan", "Maternity", "2027-01-20", "website"),
        ("Orbit Labs", "Team headshots", "2027-01-08", "referral"),
        ("Daniel Cho", "Pre-wedding", "2027-03-02", "google"),
        ("Aditi Joshi", "Newborn", "2026-12-28", "website"),
        ("Greenleaf School", "Class photos", "2027-04-10", "referral"),
        ("Ishita & Rehan", "Wedding", "2027-11-21", "wedding_fair"),
        ("Sam Patel", "Portraits", "2027-01-15", "instagram"),
    ];
    for (i, (name, kind, date, source)) in people.iter().enumerate() {
        let email = format!(
            "{}@{DEMO_DOMAIN}",
            name.to_lowercase().replace([' ', '&'], "")
        );
        let input = LeadInput {
            name: Some((*name).into()),
            email: Some(email.into()),
            event_type: Some((*kind).into()),
            event_date: Some((*date).into()),
            source: Some((*source).into()),
            ..Default::default()
        };
        let l = lead::create(core, owner, meta, input).await?;
        let stage = &all[i % all.len()];
        if i == 0 {
            continue;
        }
        if stage.kind == StageKind::Won {
            lead::convert(core, owner, meta, l.id, l.version).await?;
            continue;
        }
        let moved = LeadInput {
            version: Some(l.version),
            stage_id: Some(stage.id),
            lost_reason: (stage.kind == StageKind::Lost).then(|| "Chose another studio".into()),
            ..Default::default()
        };
        lead::update(core, owner, meta, l.id, moved).await?;
    }
    Ok(())
}
