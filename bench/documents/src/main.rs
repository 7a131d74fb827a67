//! Typesets N invoices (default 1,000) one after another, as the server
//! does for a download, and prints invoices per second and the process's
//! peak memory after the first tenth and at the end (flat means no growth
//! per document). Also writes the same invoice as HTML (`invoice.html`)
//! and one PDF for the WeasyPrint side of `run.sh`.
//!
//! Usage: documents-bench OUT_DIR [N]

use std::time::Instant;

use serde_json::{Value, json};

/// A studio's logo: an SVG mark and name, the same bytes in both renderers.
const LOGO: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="240" height="60" viewBox="0 0 240 60"><circle cx="30" cy="30" r="24" fill="#1f2933"/><circle cx="30" cy="30" r="12" fill="#e4b363"/><text x="64" y="40" font-family="sans-serif" font-size="28" fill="#1f2933">Lumen</text></svg>"##;

const BUYERS: [&str; 4] = [
    "김민지 & 이서준",
    "आशा शर्मा & रवि राव",
    "김민지 & आशा शर्मा",
    "박지훈 & प्रिया नायर",
];

const ITEMS: [&str; 5] = [
    "Wedding coverage (8 hours)",
    "Second shooter",
    "Album 30×30 cm, 40 pages",
    "Travel: 120 km at 12.00",
    "Engagement session",
];

fn lines() -> Vec<(String, String, String, String, String, String, String)> {
    (0..20)
        .map(|i| {
            let price = 1_000 + i * 250;
            let tax = price * 9 / 100;
            (
                format!("{} · {}", ITEMS[i % ITEMS.len()], i + 1),
                "998386".into(),
                "1".into(),
                format!("{price}.00"),
                format!("{price}.00"),
                format!("{tax}.00"),
                format!("{}.00", price + 2 * tax),
            )
        })
        .collect()
}

fn data(n: usize) -> Value {
    let rows: Vec<Value> = lines()
        .into_iter()
        .map(|(a, b, c, d, e, f, g)| json!({ "cells": [a, b, c, d, e, f, f, g] }))
        .collect();
    json!({
        "title": "Tax invoice", "number": format!("BLR-2026-27/{n:06}"), "lang": "en",
        "footer_line": format!("Lumen Studio · BLR-2026-27/{n:06}"), "has_logo": true,
        "studio": "Lumen Studio",
        "seller": { "name": "Bengaluru", "lines": ["12 MG Road", "Bengaluru 560001"], "ids": [["GSTIN", "29AAACL1234L1ZI"]] },
        "facts": [["Date", "2026-12-02"], ["Due", "2026-12-16"]],
        "buyer_label": "Bill to",
        "buyer": { "name": BUYERS[n % BUYERS.len()], "lines": ["서울 강남구 테헤란로 1", "मुंबई 400001"], "ids": [] },
        "supply": [["Place of supply", "Karnataka (29)"], ["Reverse charge", "No"]],
        "columns": ["Item", "SAC", "Qty", "Price", "Taxable", "CGST", "SGST", "Total"],
        "widths": [0, 14, 10, 22, 22, 20, 20, 24], "code_column": true,
        "lines": rows,
        "totals": [["Taxable value", "67,500.00", false], ["CGST", "6,075.00", false], ["SGST", "6,075.00", false], ["Total", "INR 79,650.00", true]],
        "words": null, "sections": [["How to pay", "UPI lumen@bank"], ["Notes", "감사합니다 · धन्यवाद"]],
        "signatory": "Authorised signatory",
    })
}

/// The same invoice as HTML for WeasyPrint: the same fonts (by file), the
/// same logo, the same 20 lines.
fn html(fonts: &str) -> String {
    let rows: String = lines()
        .into_iter()
        .map(|(a, b, c, d, e, f, g)| {
            format!("<tr><td>{a}</td><td>{b}</td><td class=n>{c}</td><td class=n>{d}</td><td class=n>{e}</td><td class=n>{f}</td><td class=n>{f}</td><td class=n>{g}</td></tr>")
        })
        .collect();
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><style>
@font-face {{ font-family: Doc; src: url("file://{fonts}/NotoSans-Regular.ttf"); }}
@font-face {{ font-family: Doc; font-weight: bold; src: url("file://{fonts}/NotoSans-Bold.ttf"); }}
@font-face {{ font-family: Hangul; src: url("file://{fonts}/NanumGothic.ttf"); }}
@font-face {{ font-family: Deva; src: url("file://{fonts}/NotoSansDevanagari-Regular.ttf"); }}
@page {{ size: A4; margin: 18mm 16mm; @bottom-center {{ content: "Lumen Studio · BLR-2026-27/000001 · " counter(page); font-size: 8pt; }} }}
body {{ font-family: Doc, Hangul, Deva; font-size: 9pt; }}
table {{ width: 100%; border-collapse: collapse; }} td, th {{ padding: 3pt; border-bottom: 0.5pt solid #ccc; }}
.n {{ text-align: right; }} h1 {{ font-size: 16pt; }}
</style></head><body>
<img src="logo.svg" style="height:14mm">
<h1>Tax invoice BLR-2026-27/000001</h1>
<p><b>Bengaluru</b><br>12 MG Road<br>Bengaluru 560001<br>GSTIN 29AAACL1234L1ZI</p>
<p>Date 2026-12-02 · Due 2026-12-16</p>
<p><b>Bill to</b><br>{buyer}<br>서울 강남구 테헤란로 1<br>मुंबई 400001</p>
<p>Place of supply Karnataka (29) · Reverse charge No</p>
<table><thead><tr><th>Item</th><th>SAC</th><th>Qty</th><th>Price</th><th>Taxable</th><th>CGST</th><th>SGST</th><th>Total</th></tr></thead>
<tbody>{rows}</tbody></table>
<p class=n>Taxable value 67,500.00<br>CGST 6,075.00<br>SGST 6,075.00<br><b>Total INR 79,650.00</b></p>
<p><b>How to pay</b> UPI lumen@bank</p><p><b>Notes</b> 감사합니다 · धन्यवाद</p>
<p>Authorised signatory</p>
</body></html>"#,
        buyer = BUYERS[2]
    )
}

/// The process's peak resident memory so far, in MiB (Linux).
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let out = args
        .next()
        .unwrap_or_else(|| "target/bench-documents".into());
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    std::fs::create_dir_all(&out).unwrap_or_else(|e| panic!("cannot make {out}: {e}"));
    let fonts = std::fs::canonicalize("crates/darkroom-docs/fonts")
        .unwrap_or_else(|e| panic!("run from the repository's root ({e})"));
    std::fs::write(format!("{out}/logo.svg"), LOGO).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        format!("{out}/invoice.html"),
        html(&fonts.display().to_string()),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // One warm-up, kept to look at.
    let first = darkroom_docs::render(
        darkroom_docs::Template::Invoice,
        &data(1),
        Some(LOGO.as_bytes()),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(format!("{out}/darkroom-invoice.pdf"), &first).unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let mut bytes = 0usize;
    let mut early = 0.0;
    for i in 0..n {
        let pdf = darkroom_docs::render(
            darkroom_docs::Template::Invoice,
            &data(i + 1),
            Some(LOGO.as_bytes()),
        )
        .unwrap_or_else(|e| panic!("invoice {i}: {e}"));
        bytes += pdf.len();
        if i + 1 == n / 10 {
            early = peak_mib();
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "darkroom-docs: {n} invoices in {secs:.2} s = {:.1} invoices/s (avg {} KB), peak memory {early:.0} MiB after {} and {:.0} MiB after {n}",
        n as f64 / secs,
        bytes / n.max(1) / 1024,
        n / 10,
        peak_mib()
    );
}
