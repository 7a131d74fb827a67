//! File names for archive entries. They come from uploads (people's file
//! names) and must come out as plain names any extractor accepts: no
//! directories (`/`, `\`, `..`), no control or bidirectional-override
//! characters, none of Windows' reserved names or forbidden characters, no
//! trailing dots or spaces, at most 200 bytes, and unique ignoring case.

use std::collections::HashSet;

const MAX_BYTES: usize = 200;
const RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
        // Bidirectional controls make `gpj.exe` look like `exe.jpg`.
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
        || c == '\u{FEFF}'
}

/// One name made safe (not yet made unique). Never empty.
pub fn safe_name(raw: &str) -> String {
    // Only the last path component: `../../etc/passwd` becomes `passwd`.
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let mut s: String = last
        .chars()
        .map(|c| if unsafe_char(c) { '_' } else { c })
        .collect();
    // Collapse runs of the replacement and trim what extractors reject.
    while s.contains("__") {
        s = s.replace("__", "_");
    }
    let s = s.trim_matches(|c: char| c == ' ' || c == '.' || c == '_');
    let mut s = if s.is_empty() {
        "file".to_string()
    } else {
        s.to_string()
    };
    let stem = s.split('.').next().unwrap_or("").to_ascii_uppercase();
    if RESERVED.contains(&stem.as_str()) {
        s.insert(0, '_');
    }
    truncate(&s, MAX_BYTES)
}

/// Cuts `s` to at most `max` bytes on a character boundary, keeping the
/// extension.
fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let (stem, ext) = match s.rfind('.') {
        Some(i) if s.len() - i <= 10 && i > 0 => (&s[..i], &s[i..]),
        _ => (s, ""),
    };
    let mut end = max.saturating_sub(ext.len());
    while end > 0 && !stem.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ext}", &stem[..end.min(stem.len())])
}

/// Safe, unique names for a list of raw names, in order: the second
/// `IMG_1.jpg` becomes `IMG_1 (2).jpg`.
pub fn safe_names<S: AsRef<str>>(raw: &[S]) -> Vec<String> {
    let mut used: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(raw.len());
    for r in raw {
        let base = safe_name(r.as_ref());
        let mut name = base.clone();
        let mut n = 2;
        while !used.insert(name.to_lowercase()) {
            let (stem, ext) = match base.rfind('.') {
                Some(i) if i > 0 => (&base[..i], &base[i..]),
                _ => (base.as_str(), ""),
            };
            let suffix = format!(" ({n})");
            let stem = truncate(stem, MAX_BYTES - suffix.len() - ext.len());
            name = format!("{stem}{suffix}{ext}");
            n += 1;
        }
        out.push(name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_become_plain_file_names() {
        for (raw, want) in [
            ("IMG_0001.JPG", "IMG_0001.JPG"),
            ("../../etc/passwd", "passwd"),
            ("C:\\Users\\me\\a.jpg", "a.jpg"),
            ("a\0b.jpg", "a_b.jpg"),
            ("line\r\nbreak.jpg", "line_break.jpg"),
            ("photo\u{202E}gpj.exe", "photo_gpj.exe"),
            ("con.jpg", "_con.jpg"),
            ("LPT1", "_LPT1"),
            ("trailing. . ", "trailing"),
            ("...", "file"),
            ("", "file"),
            ("what?*.jpg", "what_.jpg"),
            ("Ünïcödé 写真.jpg", "Ünïcödé 写真.jpg"),
        ] {
            assert_eq!(safe_name(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn long_names_keep_their_extension_and_character_boundaries() {
        let long = format!("{}.jpeg", "写".repeat(150));
        let s = safe_name(&long);
        assert!(s.len() <= MAX_BYTES && s.ends_with(".jpeg"), "{s}");
        assert!(s.starts_with('写'));
    }

    #[test]
    fn duplicates_are_numbered_ignoring_case() {
        assert_eq!(
            safe_names(&["a.jpg", "A.JPG", "a.jpg", "b", "b", "x/a.jpg"]),
            vec!["a.jpg", "A (2).JPG", "a (3).jpg", "b", "b (2)", "a (4).jpg"]
        );
    }
}
