//! Clients come in from other systems' CSV exports (dry run first: row,
//! column, reason) and go out as CSV that a spreadsheet cannot run.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, Who};

const HONEYBOOK: &str = "\u{feff}First Name,Last Name,Email Address,Phone Number,Company Name,Address,City,State,Zip Code,Country,Lead Source,Tags,Notes,Date Created
Ananya,Rao,ananya@example.com,98765 43210,,12 Lake View,Pune,MH,411001,IN,Instagram,\"wedding, vip\",Met at the fair,2026-01-04
Meera,Iyer,meera@acme.example,+91 80 4123 4567,Acme Events,,,,,,Referral,corporate,,2026-02-11
Karan,Mehta,karan@acme.example,,Acme Events,,,,,,,,,2026-02-12
Asha,Verma,ASHA@example.com,,,,,,,,,,Prefers mornings,2026-03-01
A.,Rao,,+91 98765-43210,,,,,,,,,Second number row,2026-03-02
Bad,Email,not-an-email,,,,,,,,,,,2026-03-03
Bad,Phone,,12345,,,,,,,,,,2026-03-04
Eve,Hacker,eve@example.com,,,,,,,,,,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",2026-03-05
";

fn report_rows(r: &Value, key: &str) -> Vec<u64> {
    r[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["row"].as_u64().unwrap())
        .collect()
}

async fn import(app: &TestApp, who: &Who, csv: &str, dry_run: bool) -> (StatusCode, Value) {
    app.post(
        who,
        "/api/v1/clients/import",
        json!({ "csv": csv, "dry_run": dry_run }),
    )
    .await
}

#[tokio::test]
async fn a_honeybook_export_is_checked_then_imported_row_by_row() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let (s, asha) = app
        .post(
            &owner,
            "/api/v1/clients",
            json!({ "name": "Asha Verma", "email": "asha@example.com" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);

    let (s, dry) = import(&app, &owner, HONEYBOOK, true).await;
    assert_eq!(s, StatusCode::OK, "{dry}");
    assert_eq!(dry["rows"], 8);
    assert_eq!(report_rows(&dry, "created"), [2, 3, 9], "{dry}");
    // Karan is Acme's second contact; Asha is on file; row 6 is Ananya's phone.
    assert_eq!(report_rows(&dry, "merged"), [4, 5, 6], "{dry}");
    assert_eq!(dry["merged"][1]["client_id"], asha["id"]);
    assert_eq!(dry["merged"][2]["same_as_row"], 2);
    let refused: Vec<(u64, &str)> = dry["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["row"].as_u64().unwrap(), r["column"].as_str().unwrap()))
        .collect();
    assert_eq!(
        refused,
        [(7, "Email Address"), (8, "Phone Number")],
        "{dry}"
    );
    assert!(
        dry["refused"][1]["reason"]
            .as_str()
            .unwrap()
            .contains("not a valid phone number")
    );
    let (_, all) = app.get(&owner, "/api/v1/clients").await;
    assert_eq!(all.as_array().unwrap().len(), 1, "a dry run stores nothing");

    let (s, done) = import(&app, &owner, HONEYBOOK, false).await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(report_rows(&done, "created"), [2, 3, 9]);
    let (_, all) = app.get(&owner, "/api/v1/clients").await;
    let names: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Acme Events", "Ananya Rao", "Asha Verma", "Eve Hacker"]
    );
    let ananya = all
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Ananya Rao")
        .unwrap();
    assert_eq!(ananya["phone"], "+919876543210");
    assert_eq!(ananya["source"], "instagram");
    assert_eq!(ananya["tags"], json!(["wedding", "vip"]));
    let (_, detail) = app
        .get(
            &owner,
            &format!("/api/v1/clients/{}", ananya["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(detail["addresses"][0]["city"], "Pune");
    let acme = all
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Acme Events")
        .unwrap();
    assert_eq!(acme["kind"], "organisation");
    let (_, detail) = app
        .get(
            &owner,
            &format!("/api/v1/clients/{}", acme["id"].as_str().unwrap()),
        )
        .await;
    let contacts: Vec<&str> = detail["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(contacts, ["Meera Iyer", "Karan Mehta"], "the primary first");
    let asha_now = all
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Asha Verma")
        .unwrap();
    assert_eq!(
        asha_now["notes"], "Prefers mornings",
        "a blank field is filled"
    );
    // The imported clients are found by the search at once.
    let (_, found) = app.get(&owner, "/api/v1/clients?q=karan").await;
    assert_eq!(found[0]["name"], "Acme Events");
    let (_, log) = app
        .get(&owner, "/api/v1/audit?event_type=client.imported")
        .await;
    assert_eq!(log["items"].as_array().map(Vec::len), Some(1), "{log}");
}

#[tokio::test]
async fn pixieset_and_studio_ninja_layouts_are_read_too() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let pixieset = "First Name;Last Name;Email;Phone;Company;Address Line 1;City;State/Province;Postal Code;Country;Tags\nLena;Park;lena@example.com;+82 10-2345-6789;;1 Gangnam-daero;Seoul;;06000;KR;family\n";
    let (s, r) = import(&app, &owner, pixieset, false).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(report_rows(&r, "created"), [2]);
    let ninja = "First Name,Last Name,Email,Mobile,Partner First Name,Partner's Email,Partner's Mobile,Street Address,Suburb,Referral Source,Client Type\nRiya,Sen,riya@example.com,0412 345 678,Dev,dev@example.com,+61 412 345 679,5 Beach Rd,Bondi,Word of mouth,couple\n";
    let (s, r) = import(&app, &owner, ninja, false).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        r["refused"][0]["column"], "Mobile",
        "an Australian number without +61 is not Indian: {r}"
    );
    let fixed = ninja.replace("0412 345 678", "+61 412 345 678");
    let (_, r) = import(&app, &owner, &fixed, false).await;
    assert_eq!(report_rows(&r, "created"), [2], "{r}");
    let (_, found) = app.get(&owner, "/api/v1/clients?q=riya").await;
    let riya = &found[0];
    assert_eq!(riya["kind"], "couple");
    assert_eq!(riya["partner_name"], "Dev");
    assert_eq!(riya["partner_phone"], "+61412345679");
    assert_eq!(riya["source"], "referral");
}

#[tokio::test]
async fn bad_files_get_a_clear_error_and_store_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let (s, e) = import(&app, &owner, "Colour,Size\nred,L\n", false).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e.to_string().contains("no column holds a name"), "{e}");
    let mut big = String::from("Name,Email\n");
    for i in 0..5_001 {
        big.push_str(&format!("C{i},c{i}@example.com\n"));
    }
    let (s, e) = import(&app, &owner, &big, false).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e.to_string().contains("at most 5000 at a time"), "{e}");
    let huge = format!("Name,Notes\nX,{}\n", "y".repeat(2 * 1024 * 1024));
    let (s, e) = import(&app, &owner, &huge, false).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{e}");
    let (s, e) = app
        .post(
            &owner,
            "/api/v1/clients/import",
            json!({ "csv": "Name\nX\n", "mapping": { "Name": "shoe_size" } }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (_, all) = app.get(&owner, "/api/v1/clients").await;
    assert_eq!(all.as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn the_export_defuses_formulas_and_imports_back_elsewhere() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let other = app.studio("Rival").await;
    let (_, r) = import(&app, &owner, HONEYBOOK, false).await;
    assert_eq!(
        r["created"].as_array().unwrap().len(),
        4,
        "Asha is new here"
    );
    let res = app
        .http
        .get(app.url("/api/v1/clients/export"))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with("id,kind,name,email,phone"), "{csv}");
    assert!(csv.contains("'=HYPERLINK"), "a formula is defused: {csv}");
    assert!(csv.contains("'+919876543210"), "{csv}");
    assert!(
        !csv.contains(",=") && !csv.contains(",+"),
        "no cell starts a formula: {csv}"
    );
    let (s, back) = import(&app, &other, &csv, false).await;
    assert_eq!(s, StatusCode::OK, "{back}");
    assert_eq!(back["created"].as_array().unwrap().len(), 4, "{back}");
    let (_, found) = app.get(&other, "/api/v1/clients?q=ananya").await;
    assert_eq!(
        found[0]["phone"], "+919876543210",
        "the quote comes off again"
    );
    // The page offers the same file to download.
    let (s, html, h) = app.page(Some(&owner.session), "/clients/export.csv").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap()
            .contains("clients.csv")
    );
    assert!(html.contains("Acme Events"));
}

fn multipart(fields: &[(&str, &str)]) -> (String, String) {
    let boundary = "----darkroom-test-boundary";
    let mut body = String::new();
    for (name, value) in fields {
        let file = if *name == "file" {
            "; filename=\"clients.csv\"\r\nContent-Type: text/csv"
        } else {
            ""
        };
        body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{file}\r\n\r\n{value}\r\n"));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn the_import_page_checks_the_file_then_imports_it() {
    let app = TestApp::spawn().await;
    let owner = app.studio("Lumen").await;
    let (_, html, _) = app.page(Some(&owner.session), "/clients/import").await;
    let csrf = crate::helpers::csrf_of(&html).unwrap();
    let post = |fields: Vec<(&'static str, String)>| {
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (ct, body) = multipart(&refs);
        app.http
            .post(app.url("/clients/import"))
            .header("cookie", format!("darkroom_session={}", owner.session))
            .header("origin", &app.base)
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let res = post(vec![
        ("_csrf", csrf.clone()),
        ("file", HONEYBOOK.to_string()),
    ])
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    for want in [
        "What the import would do",
        "Refused rows",
        "Email Address",
        "Import 6 clients",
    ] {
        assert!(html.contains(want), "{want}: {html}");
    }
    let (_, all) = app.get(&owner, "/api/v1/clients").await;
    assert_eq!(all.as_array().unwrap().len(), 0);
    let res = post(vec![
        ("_csrf", csrf.clone()),
        ("csv_text", HONEYBOOK.to_string()),
        ("confirm", "true".into()),
    ])
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("Imported"));
    let (_, all) = app.get(&owner, "/api/v1/clients").await;
    assert_eq!(all.as_array().unwrap().len(), 4);
    // Without the session's token the form is refused.
    let res = post(vec![
        ("_csrf", "forged".into()),
        ("file", HONEYBOOK.to_string()),
    ])
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
