//! The Stripe peer for tests: localstripe (PyPI), a stateful Stripe server,
//! and Stripe's own Python library to sign notices the test sends itself.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use crate::peers::python_with;

pub const SECRET: &str = "whsec_darkroom_test_secret";

/// A running localstripe, stopped when dropped.
pub struct LocalStripe {
    child: Child,
    pub base: String,
    http: reqwest::Client,
}

impl Drop for LocalStripe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl LocalStripe {
    /// Starts localstripe on a free port. Python's start-up can take many
    /// seconds on a loaded two-core runner, and the port can be taken
    /// between choosing it and binding it, so it waits up to a minute and
    /// starts again on another port if the process exits.
    pub async fn start() -> Self {
        let py = python_with("localstripe", "localstripe");
        let mut last = String::new();
        for _attempt in 0..3 {
            let port = free_port();
            let log = std::env::temp_dir().join(format!("darkroom-localstripe-{port}.log"));
            let child = Command::new(&py)
                .args(["-m", "localstripe", "--port", &port.to_string()])
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log).expect("localstripe log"))
                .spawn()
                .expect("localstripe starts");
            let mut me = Self {
                child,
                base: format!("http://127.0.0.1:{port}"),
                http: reqwest::Client::new(),
            };
            for _ in 0..600 {
                if me.call(Method::GET, "/v1/balance", &[]).await.is_some() {
                    return me;
                }
                if let Ok(Some(_)) = me.child.try_wait() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            last = format!(
                "port {port}: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        panic!("localstripe did not start; last try on {last}");
    }

    /// A call as the studio's server or Stripe.js would make it.
    pub async fn call(&self, method: Method, path: &str, form: &[(&str, &str)]) -> Option<Value> {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .bearer_auth("sk_test_darkroom");
        req = if method == Method::GET {
            req.query(form)
        } else {
            req.form(form)
        };
        let res = req.send().await.ok()?;
        let ok = res.status().is_success();
        let v: Value = res.json().await.ok()?;
        assert!(ok, "localstripe refused {path}: {v}");
        Some(v)
    }

    /// Sends Stripe's notices to `url`, signed with `secret`.
    pub async fn notify(&self, url: &str, secret: &str) {
        let res = self
            .http
            .post(format!("{}/_config/webhooks/darkroom", self.base))
            .form(&[("url", url), ("secret", secret)])
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
    }

    /// What Stripe.js does with the card the client types: a payment
    /// method, attached to the payment and confirmed.
    pub async fn pay_with_card(&self, intent: &str) {
        let pm = self
            .call(
                Method::POST,
                "/v1/payment_methods",
                &[
                    ("type", "card"),
                    ("card[number]", "4242424242424242"),
                    ("card[exp_month]", "12"),
                    ("card[exp_year]", "2030"),
                    ("card[cvc]", "123"),
                ],
            )
            .await
            .unwrap();
        let pm = pm["id"].as_str().unwrap();
        self.call(
            Method::POST,
            &format!("/v1/payment_intents/{intent}"),
            &[("payment_method", pm)],
        )
        .await
        .unwrap();
        let v = self
            .call(
                Method::POST,
                &format!("/v1/payment_intents/{intent}/confirm"),
                &[],
            )
            .await
            .unwrap();
        assert!(
            ["succeeded", "processing"].contains(&v["status"].as_str().unwrap()),
            "{v}"
        );
    }
}

/// `Stripe-Signature` for `body`, computed by Stripe's Python library.
pub fn stripe_signature(body: &str, secret: &str, timestamp: i64) -> String {
    let py = python_with("stripe", "stripe");
    let out = Command::new(py)
        .args([
            "-c",
            "import sys, stripe; print(stripe.WebhookSignature.generate_signature_header(sys.stdin.read(), sys.argv[1], timestamp=int(sys.argv[2])))",
            secret,
            &timestamp.to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(body.as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}
