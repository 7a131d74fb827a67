//! The client pages' words, one TOML file per language under `texts/`
//! (`en.toml` is the reference). The studio's locale chooses: `ko-KR` reads
//! `ko.toml`; a key a language lacks, or a language without a file, falls
//! back to English. Adding a language is adding its file and its line below.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use figment::Figment;
use figment::providers::{Format, Toml};

/// Every language the client pages speak: code and file.
const LANGUAGES: &[(&str, &str)] = &[
    ("en", include_str!("texts/en.toml")),
    ("ko", include_str!("texts/ko.toml")),
];

type Texts = BTreeMap<String, String>;

fn parse(code: &str, file: &str) -> Texts {
    Figment::from(Toml::string(file))
        .extract()
        .unwrap_or_else(|e| panic!("sharing/texts/{code}.toml is not a table of strings: {e}"))
}

fn all() -> &'static BTreeMap<&'static str, Texts> {
    static ALL: OnceLock<BTreeMap<&'static str, Texts>> = OnceLock::new();
    ALL.get_or_init(|| {
        let english = parse("en", LANGUAGES[0].1);
        LANGUAGES
            .iter()
            .map(|(code, file)| {
                let mut t = english.clone();
                t.extend(parse(code, file));
                (*code, t)
            })
            .collect()
    })
}

/// The words for a studio of `locale` (`en-IN`, `ko-KR`, `ko`).
pub fn for_locale(locale: &str) -> &'static Texts {
    let lang = locale.split(['-', '_']).next().unwrap_or("en");
    let all = all();
    all.get(lang).unwrap_or_else(|| &all["en"])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_english_key_and_only_those() {
        let english = parse("en", LANGUAGES[0].1);
        for (code, file) in LANGUAGES {
            let t = parse(code, file);
            let missing: Vec<_> = english.keys().filter(|k| !t.contains_key(*k)).collect();
            let unknown: Vec<_> = t.keys().filter(|k| !english.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{code}.toml lacks {missing:?}");
            assert!(
                unknown.is_empty(),
                "{code}.toml has keys English lacks: {unknown:?}"
            );
        }
    }

    #[test]
    fn the_locale_chooses_and_unknown_ones_fall_back_to_english() {
        assert_eq!(for_locale("ko-KR")["close"], "닫기");
        assert_eq!(for_locale("en-IN")["close"], "Close");
        assert_eq!(for_locale("fr-FR")["close"], "Close");
    }
}
