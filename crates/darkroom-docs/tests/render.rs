//! Documents typeset with the embedded fonts: Latin, Hangul and Devanagari
//! names come out as text in the fonts that hold them.

use serde_json::json;

fn sample(buyer: &str) -> serde_json::Value {
    json!({
        "title": "Tax invoice", "number": "BLR-2026-27/000123", "lang": "en",
        "footer_line": "Lumen Studio · BLR-2026-27/000123", "has_logo": false,
        "studio": "Lumen Studio",
        "seller": { "name": "Bengaluru", "lines": ["12 MG Road", "Bengaluru 560001"], "ids": [["GSTIN", "29AAACL1234L1ZI"]] },
        "facts": [["Date", "2026-12-02"], ["Due", "2026-12-16"]],
        "buyer_label": "Bill to",
        "buyer": { "name": buyer, "lines": ["Seoul"], "ids": [] },
        "supply": [["Place of supply", "Karnataka (29)"], ["Reverse charge", "No"]],
        "columns": ["Item", "SAC", "Qty", "Price", "Taxable", "CGST", "SGST", "Total"],
        "widths": [0, 14, 10, 22, 22, 20, 20, 24], "code_column": true,
        "lines": [{ "cells": ["Wedding coverage", "998386", "1", "1,000.00", "1,000.00", "90.00", "90.00", "1,180.00"] }],
        "totals": [["Taxable value", "1,000.00", false], ["Total", "INR 1,180.00", true]],
        "words": null, "sections": [["How to pay", "UPI lumen@bank"]], "signatory": "Authorised signatory",
    })
}

fn pdf_text(pdf: &[u8]) -> String {
    String::from_utf8_lossy(pdf).into_owned()
}

#[test]
fn korean_and_hindi_names_print_in_their_embedded_fonts() {
    for (name, font) in [
        ("김민지 & 이서준", "NanumGothic"),
        ("आशा शर्मा", "NotoSansDevanagari"),
        ("Asha Rao", "NotoSans"),
    ] {
        let pdf =
            darkroom_docs::render(darkroom_docs::Template::Invoice, &sample(name), None).unwrap();
        assert!(pdf.starts_with(b"%PDF-"), "a PDF");
        let text = pdf_text(&pdf);
        assert!(text.contains(font), "{name}: the {font} font is embedded");
        assert!(
            text.contains("FontFile2") || text.contains("FontFile3"),
            "fonts are embedded, not referenced"
        );
    }
}

#[test]
fn a_template_cannot_read_anything_but_its_data() {
    let mut d = sample("Asha");
    d["has_logo"] = json!(true);
    let err = darkroom_docs::render(darkroom_docs::Template::Invoice, &d, None).unwrap_err();
    assert!(err.to_string().contains("typeset"), "{err}");
}

/// `DARKROOM_DOCS_OUT=dir` keeps a sample to look at.
#[test]
fn a_sample_can_be_kept_to_look_at() {
    let Ok(dir) = std::env::var("DARKROOM_DOCS_OUT") else {
        return;
    };
    let pdf = darkroom_docs::render(
        darkroom_docs::Template::Invoice,
        &sample("김민지 & आशा शर्मा"),
        None,
    )
    .unwrap();
    std::fs::write(format!("{dir}/sample-invoice.pdf"), pdf).unwrap();
}
