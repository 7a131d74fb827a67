//! Finding clients by a few typed letters: names forgive typos, emails and
//! phone numbers match from their start, tags match whole (decision 0025).
//!
//! A client is indexed as a set of *terms*, kept in a table of their own
//! next to the studio's id, so one query works the same on every engine
//! and never reads another studio's rows:
//! - `n:` and a trigram of a folded name word (`n: an`, `n:ana`, `n:na `);
//! - `e:` and an email in lower case, and `e:` and its domain;
//! - `p:` and every tail of a phone number's digits from four digits on
//!   (so typed digits match anywhere: the last four, the national number);
//! - `t:` and a tag.
//!
//! A search reads the clients sharing enough trigrams with the query, or
//! whose email or phone starts with it, and ranks them here with
//! [`score`]: a name containing the typed words ranks first, then names
//! within a typo or two (Jaro-Winkler per word).

use std::collections::BTreeSet;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The longest term kept (an email is cut there; still a usable prefix).
pub const MAX_TERM_BYTES: usize = 200;
/// Name words indexed per name, and trigrams per query.
const MAX_WORDS: usize = 12;
const MAX_QUERY_GRAMS: usize = 24;
/// The shortest tail of a phone number's digits that is indexed.
const MIN_PHONE_TAIL: usize = 4;
/// A candidate below this score is not a match.
pub const MIN_SCORE: f64 = 0.72;

/// `s` for comparing: accents dropped (`é` → `e`; Hangul stays whole),
/// lower case, every run of non-letters and non-digits one space.
pub fn fold(s: &str) -> String {
    let bare: String = s.nfkd().filter(|c| !is_combining_mark(*c)).nfc().collect();
    let mut out = String::with_capacity(bare.len());
    for c in bare.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// The trigrams of one folded word, padded with a space each side.
fn grams(word: &str, into: &mut BTreeSet<String>) {
    let chars: Vec<char> = format!(" {word} ").chars().collect();
    for w in chars.windows(3) {
        into.insert(w.iter().collect());
    }
}

fn clip(s: &str) -> &str {
    if s.len() <= MAX_TERM_BYTES {
        return s;
    }
    let mut end = MAX_TERM_BYTES;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// What a client is found by.
#[derive(Clone, Debug, Default)]
pub struct Searchable<'a> {
    pub names: Vec<&'a str>,
    pub emails: Vec<&'a str>,
    /// Stored numbers (E.164, or as typed before E.164).
    pub phones: Vec<&'a str>,
    pub tags: Vec<&'a str>,
}

impl Searchable<'_> {
    /// The terms to index, each once.
    pub fn terms(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut grams_of = BTreeSet::new();
        for name in &self.names {
            for word in fold(name).split(' ').take(MAX_WORDS) {
                if !word.is_empty() {
                    grams(word, &mut grams_of);
                }
            }
        }
        out.extend(grams_of.into_iter().map(|g| format!("n:{g}")));
        for e in &self.emails {
            let e = e.trim().to_lowercase();
            out.insert(format!("e:{}", clip(&e)));
            // The domain too: a company's people are found by it.
            if let Some((_, domain)) = e.rsplit_once('@') {
                out.insert(format!("e:{}", clip(domain)));
            }
        }
        for p in &self.phones {
            // Every tail of the digits from four on: typed digits match
            // anywhere in the number (the last four, the national number).
            let all: String = p.chars().filter(char::is_ascii_digit).collect();
            for (i, _) in all.char_indices() {
                if all.len() - i >= MIN_PHONE_TAIL {
                    out.insert(format!("p:{}", clip(&all[i..])));
                }
            }
        }
        for t in &self.tags {
            out.insert(format!("t:{}", clip(t)));
        }
        out
    }

    /// How well this client matches `q` (0 to 1); [`MIN_SCORE`] and up is
    /// a match.
    pub fn score(&self, q: &Query) -> f64 {
        let mut best: f64 = 0.0;
        if let Some(prefix) = &q.email_prefix
            && self.emails.iter().any(|e| {
                let e = e.to_lowercase();
                let domain = e.rsplit_once('@').map_or("", |(_, d)| d);
                e.starts_with(prefix.as_str()) || domain.starts_with(prefix.as_str())
            })
        {
            best = 1.0;
        }
        if !q.digits.is_empty()
            && self.phones.iter().any(|p| {
                let all: String = p.chars().filter(char::is_ascii_digit).collect();
                q.digits.iter().any(|qd| all.contains(qd.as_str()))
            })
        {
            best = best.max(1.0);
        }
        if let Some(t) = &q.tag
            && self.tags.iter().any(|x| x == t)
        {
            best = best.max(0.95);
        }
        for name in &self.names {
            best = best.max(name_score(&q.folded, &fold(name)));
        }
        best
    }
}

/// How well the folded query matches one folded name.
fn name_score(q: &str, name: &str) -> f64 {
    if q.is_empty() || name.is_empty() {
        return 0.0;
    }
    if name.starts_with(q) {
        return 1.0;
    }
    if name.contains(q) {
        return 0.97;
    }
    // Each typed word against its best name word; a short typed word is
    // compared with the start of the name word (a prefix being typed).
    let words: Vec<&str> = name.split(' ').collect();
    let mut total = 0.0;
    let mut n = 0.0;
    for qw in q.split(' ') {
        let qn = qw.chars().count();
        let best = words
            .iter()
            .map(|w| {
                let head: String = w.chars().take(qn + 1).collect();
                strsim::jaro_winkler(qw, w).max(strsim::jaro_winkler(qw, &head) * 0.96)
            })
            .fold(0.0, f64::max);
        total += best;
        n += 1.0;
    }
    if n == 0.0 { 0.0 } else { 0.95 * total / n }
}

/// A search as typed, taken apart.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    pub folded: String,
    /// Trigram terms of the name words (`n:…`).
    pub grams: Vec<String>,
    /// How many of them a candidate must share.
    pub min_shared: usize,
    /// The email term prefix (`e:…`) when the query can start an email.
    pub email_prefix: Option<String>,
    /// Digits a phone number may start with (as typed, and in E.164).
    pub digits: Vec<String>,
    /// The query as a whole tag.
    pub tag: Option<String>,
}

impl Query {
    /// `raw` taken apart; `region` reads a number typed without country code.
    pub fn parse(raw: &str, region: Option<&str>) -> Query {
        let folded = fold(raw);
        let mut set = BTreeSet::new();
        for w in folded.split(' ').filter(|w| !w.is_empty()).take(MAX_WORDS) {
            if w.chars().count() >= 3 {
                // Inside a word only: the grams at a word's edges are the
                // commonest, and a typed word may not be finished.
                let chars: Vec<char> = w.chars().collect();
                set.extend(chars.windows(3).map(|g| g.iter().collect::<String>()));
            } else {
                grams(w, &mut set);
            }
        }
        let grams: Vec<String> = set
            .into_iter()
            .take(MAX_QUERY_GRAMS)
            .map(|g| format!("n:{g}"))
            .collect();
        // A typo costs up to three trigrams; ask for a third of them.
        let min_shared = grams.len().div_ceil(3).max(1);
        let trimmed = raw.trim().to_lowercase();
        let bare = trimmed.trim_start_matches('@');
        let email_prefix = (bare.len() >= 2 && !bare.contains(' ')).then(|| clip(bare).to_string());
        let typed: String = raw.chars().filter(char::is_ascii_digit).collect();
        let phone_like = raw
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
        let mut digits = Vec::new();
        if typed.len() >= 3 && phone_like {
            digits.push(typed.trim_start_matches('0').to_string());
            if let Ok(e) = super::phone::e164(raw, region) {
                digits.push(e.trim_start_matches('+').to_string());
            }
            digits.retain(|d| d.len() >= 3);
            digits.dedup();
        }
        let tag = super::tag(raw).ok();
        Query {
            folded,
            grams,
            min_shared,
            email_prefix,
            digits,
            tag,
        }
    }

    /// Whether there is anything to search for.
    pub fn is_empty(&self) -> bool {
        self.grams.is_empty() && self.email_prefix.is_none() && self.digits.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client<'a>(name: &'a str, email: &'a str, phone: &'a str) -> Searchable<'a> {
        Searchable {
            names: vec![name],
            emails: vec![email],
            phones: vec![phone],
            tags: vec!["wedding"],
        }
    }

    #[test]
    fn folding_drops_accents_and_keeps_hangul_whole() {
        assert_eq!(fold("  Zoë  O'Brien-Núñez "), "zoe o brien nunez");
        assert_eq!(fold("김민수"), "김민수");
        assert_eq!(fold("ÅSA Öberg"), "asa oberg");
    }

    #[test]
    fn names_forgive_typos_and_partial_words() {
        let c = client("Priya Raghunathan", "priya@example.com", "+919876543210");
        for q in [
            "priya",
            "Raghu",
            "pria raghunathan",
            "Priya Ragunathan",
            "priay",
        ] {
            let query = Query::parse(q, Some("IN"));
            assert!(c.score(&query) >= MIN_SCORE, "{q}: {}", c.score(&query));
            let shared = c.terms().iter().filter(|t| query.grams.contains(t)).count();
            assert!(
                shared >= query.min_shared,
                "{q}: {shared} of {}",
                query.min_shared
            );
        }
        for q in ["john", "smith", "zzz"] {
            assert!(c.score(&Query::parse(q, Some("IN"))) < MIN_SCORE, "{q}");
        }
    }

    #[test]
    fn emails_phones_and_tags_match_from_their_start() {
        let c = client("Priya R", "Priya.R@Example.com", "+919876543210");
        assert_eq!(c.score(&Query::parse("priya.r@ex", None)), 1.0);
        assert_eq!(c.score(&Query::parse("EXAMPLE.com", None)), 1.0);
        assert_eq!(c.score(&Query::parse("@example", None)), 1.0);
        assert_eq!(c.score(&Query::parse("98765", Some("IN"))), 1.0);
        assert_eq!(c.score(&Query::parse("+91 98765 43210", None)), 1.0);
        assert_eq!(c.score(&Query::parse("098765", Some("IN"))), 1.0);
        assert!(c.score(&Query::parse("Wedding", None)) >= 0.95);
        assert!(c.score(&Query::parse("12345", Some("IN"))) < MIN_SCORE);
        let terms = c.terms();
        assert!(terms.contains("e:priya.r@example.com") && terms.contains("e:example.com"));
        assert!(terms.contains("p:9876543210") && terms.contains("p:919876543210"));
        assert!(terms.contains("p:3210") && !terms.contains("p:210"));
        assert_eq!(c.score(&Query::parse("43210", Some("IN"))), 1.0);
        assert!(terms.contains("t:wedding") && terms.contains("n:pri"));
    }

    #[test]
    fn korean_names_are_found_by_syllables() {
        let c = client("김민수", "", "");
        assert!(c.score(&Query::parse("민수", Some("KR"))) >= MIN_SCORE);
        assert!(c.terms().contains("n: 김민"));
    }
}
