//! HTTPS for the staff pages and the counter API (review M1), over a real TLS connection on loopback: the kiosk's
//! own name-constrained authority, trusted by the client as a counter PC trusts `ca.pem`; plain HTTP kept for the
//! waiting-room board only.

use kiosk_app::counter_api::CounterApi;
use kiosk_app::tls::{self, Names};
use kiosk_core::staff::Accounts;
use kiosk_tests::staff_site;
use reqwest::blocking::Client;
use reqwest::StatusCode;
use serde_json::json;

const PIN: &str = "246813";

struct Kiosk {
    port: u16,
    ca: Vec<u8>,
    _network: tokio::runtime::Runtime,
}

fn start(test: &str, plain_for_staff: bool) -> Kiosk {
    let dir = kiosk_tests::scratch_dir(test);
    let config = kiosk_app::load_config(&kiosk_tests::example_config()).expect("example config");
    let mut accounts = Accounts::default();
    accounts.add("nv01", "Nguyễn Thị Hoa", PIN, [1; 16]).expect("add");
    std::fs::write(dir.join("staff.toml"), accounts.to_toml()).expect("staff file");
    let (day, _) = kiosk_app::clock::now();
    let names = Names { dns: vec!["localhost".into()], ips: vec![[127, 0, 0, 1].into()] };
    tls::make(&dir.join("tls"), &names).expect("certificate");
    let api = CounterApi::new(staff_site::counter_setup(&dir, &config, day, kiosk_app::clock::now, None))
        .expect("staff database")
        .with_tls(tls::Tls { config: tls::load(&dir.join("tls")).expect("loaded"), plain_for_staff });
    let (address, network) = staff_site::serve(api);
    let ca = std::fs::read(dir.join("tls/ca.pem")).expect("ca.pem");
    Kiosk { port: address.port(), ca, _network: network }
}

/// A counter PC that trusts exactly `ca` (no public roots), following no redirects.
fn trusting(ca: &[u8]) -> Client {
    Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca).expect("pem"))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

#[test]
fn staff_sign_in_and_call_over_https_with_the_kiosk_s_own_authority() {
    let kiosk = start("tls-https", false);
    let client = trusting(&kiosk.ca);
    for host in ["127.0.0.1", "localhost"] {
        let base = format!("https://{host}:{}/counter/v1", kiosk.port);
        let response = client
            .post(format!("{base}/sessions"))
            .json(&json!({ "staff_id": "nv01", "pin": PIN, "counter": 1 }))
            .send()
            .expect("a TLS connection the client verifies");
        assert_eq!(response.status(), StatusCode::CREATED, "{host}");
        let token = response.json::<serde_json::Value>().expect("json")["token"].as_str().expect("token").to_owned();
        let me = client.get(format!("{base}/sessions/current")).bearer_auth(&token).send().expect("whoami");
        assert_eq!(me.status(), StatusCode::OK);
    }
    // The console's cookies are marked Secure over HTTPS: a browser never sends them over plain HTTP.
    let page = client.get(format!("https://127.0.0.1:{}/staff/sign-in", kiosk.port)).send().expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    let cookies: Vec<String> = page
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().expect("text").to_owned())
        .collect();
    assert!(!cookies.is_empty());
    assert!(cookies.iter().all(|c| c.ends_with("; Secure")), "{cookies:?}");
}

#[test]
fn plain_http_serves_the_board_only_and_sends_staff_to_https() {
    let kiosk = start("tls-plain", false);
    let plain = Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let base = format!("http://127.0.0.1:{}", kiosk.port);
    let sign_in = plain
        .post(format!("{base}/counter/v1/sessions"))
        .json(&json!({ "staff_id": "nv01", "pin": PIN, "counter": 1 }))
        .send()
        .expect("answered");
    assert_eq!(sign_in.status(), StatusCode::FORBIDDEN, "a PIN is never taken over plain HTTP");
    let body: serde_json::Value = sign_in.json().expect("json");
    assert_eq!(body["error"], "https_required", "{body}");
    let page = plain.get(format!("{base}/staff/counter?x=1")).send().expect("answered");
    assert_eq!(page.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        page.headers()[reqwest::header::LOCATION],
        format!("https://127.0.0.1:{}/staff/counter?x=1", kiosk.port)
    );
    let board = plain.get(format!("{base}/board")).send().expect("answered");
    assert_eq!(board.status(), StatusCode::OK, "the waiting-room TV needs no certificate");
    let state = plain.get(format!("{base}/board/state")).send().expect("answered");
    assert_eq!(state.status(), StatusCode::OK);
}

#[test]
fn plain_http_for_staff_can_be_allowed_on_a_test_bench() {
    let kiosk = start("tls-plain-allowed", true);
    let plain = Client::new();
    let sign_in = plain
        .post(format!("http://127.0.0.1:{}/counter/v1/sessions", kiosk.port))
        .json(&json!({ "staff_id": "nv01", "pin": PIN, "counter": 1 }))
        .send()
        .expect("answered");
    assert_eq!(sign_in.status(), StatusCode::CREATED);
}

#[test]
fn a_client_that_trusts_another_authority_does_not_connect() {
    let kiosk = start("tls-stranger", false);
    let other = kiosk_tests::scratch_dir("tls-stranger-ca");
    tls::make(&other, &Names { dns: vec!["localhost".into()], ips: vec![[127, 0, 0, 1].into()] }).expect("made");
    let stranger = trusting(&std::fs::read(other.join("ca.pem")).expect("pem"));
    let error = stranger
        .get(format!("https://127.0.0.1:{}/counter/v1/openapi.yaml", kiosk.port))
        .send()
        .expect_err("an impostor's certificate is not accepted");
    assert!(format!("{error:?}").to_lowercase().contains("certificate"), "{error:?}");
    // The kiosk's own authority is accepted (so the refusal above was about trust, not a broken server).
    let ok = trusting(&kiosk.ca).get(format!("https://127.0.0.1:{}/counter/v1/openapi.yaml", kiosk.port)).send();
    assert_eq!(ok.expect("trusted").status(), StatusCode::OK);
}

#[test]
fn the_authority_cannot_vouch_for_any_other_site() {
    // The authority is limited to the kiosk's names: a certificate it signed for another name would be refused.
    let dir = kiosk_tests::scratch_dir("tls-constraints");
    tls::make(&dir, &Names { dns: vec!["localhost".into()], ips: vec![[127, 0, 0, 1].into()] }).expect("made");
    let pem = std::fs::read_to_string(dir.join("ca.pem")).expect("pem");
    let output = std::process::Command::new("openssl")
        .args(["x509", "-noout", "-text"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child.stdin.take().expect("stdin").write_all(pem.as_bytes())?;
            child.wait_with_output()
        });
    let Ok(output) = output else {
        panic!("openssl is needed to read the certificate (provisioning/install-deps.sh installs it)");
    };
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("Name Constraints: critical"), "{text}");
    assert!(text.contains("Permitted:") && text.contains("DNS:localhost") && text.contains("IP:127.0.0.1"), "{text}");
    assert!(text.contains("CA:TRUE, pathlen:0"), "{text}");
}
