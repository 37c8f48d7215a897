//! Talking to the portal: the [`Portal`] trait the outbox's forwarder, the status check and the catalogue refresh
//! use (an adapter for another city system implements it without touching them), the HTTP implementation with
//! signed requests, the kiosk's device key and its enrolment.
//! Must not do: decide what an answer means (kiosk-core's `outbox::classify` does) or log bodies.

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use base64::Engine as _;
use ed25519_dalek::{Signer as _, SigningKey};
use kiosk_core::portal::{self, Submission};

/// One answer from the portal, or why there was none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reply {
    /// None when no HTTP answer came (refused, reset, timed out).
    pub status: Option<u16>,
    pub content_type: Option<String>,
    pub retry_after: Option<String>,
    /// The catalogue's version tag, for If-None-Match next time.
    pub etag: Option<String>,
    /// The catalogue's signature (`X-Catalogue-Signature`), when the answer has one.
    pub signature: Option<String>,
    /// The portal's clock (the HTTP `Date` header, RFC 7231), for the technician's clock-skew check.
    pub date: Option<String>,
    pub body: Vec<u8>,
    /// What went wrong at the network level (for the technician; never holds personal data).
    pub error: Option<String>,
}

impl Reply {
    pub fn answer(&self) -> kiosk_core::outbox::Answer<'_> {
        kiosk_core::outbox::Answer {
            status: self.status,
            content_type: self.content_type.as_deref(),
            retry_after: self.retry_after.as_deref(),
            error_code: self.error_code(),
        }
    }

    /// The `error` member of a JSON error body (`{"error": "slot_full", ...}`), read where it lies in the body.
    /// None for any other body (an HTML page, a receipt, a code with escapes, which the API's codes never have).
    pub fn error_code(&self) -> Option<&str> {
        #[derive(serde::Deserialize)]
        struct ApiError<'a> {
            error: &'a str,
        }
        if self.status.is_none_or(|s| s < 400) {
            return None;
        }
        serde_json::from_slice::<ApiError<'_>>(&self.body).ok().map(|e| e.error)
    }
}

/// What the outbox needs from a portal.
pub trait Portal: Send + Sync {
    /// Uploads one sealed page; a page already there with the same bytes is acknowledged again.
    fn upload_page(&self, id: &str, index: u32, sealed: Vec<u8>) -> impl Future<Output = Reply> + Send;
    /// Submits the sealed form after its pages, under its idempotency key.
    fn submit(&self, id: &str, submission: &Submission) -> impl Future<Output = Reply> + Send;
    /// Tells the portal that the counter took submission `id` in by hand: it will never be sent.
    fn taken_by_hand(&self, id: &str, intake: &portal::HandIntake) -> impl Future<Output = Reply> + Send;
    /// Tells the portal this kiosk's public key (first start).
    fn enrol(&self, enrolment: &portal::Enrolment) -> impl Future<Output = Reply> + Send;
    /// Reports the kiosk's condition (devices, outbox).
    fn heartbeat(&self, heartbeat: &portal::Heartbeat) -> impl Future<Output = Reply> + Send;
    /// A dossier's status by the code on its receipt ([`portal::DossierStatus`] on 200, 404 when unknown).
    fn dossier_status(&self, code: &str) -> impl Future<Output = Reply> + Send;
    /// The procedure catalogue; with the tag of the copy the kiosk has, 304 when it is still current.
    fn catalogue(&self, etag: Option<&str>) -> impl Future<Output = Reply> + Send;
    /// The times this kiosk's service point offers for a booking ([`portal::SlotOffer`] on 200).
    fn slots(&self) -> impl Future<Output = Reply> + Send;
    /// The host the circuit breaker is kept for.
    fn host(&self) -> &str;
}

/// The city portal over HTTPS (HTTP only to loopback, for the simulator), every request signed. Cloning shares
/// the connection pool.
#[derive(Clone)]
pub struct HttpPortal {
    base_url: String,
    host: String,
    kiosk_id: String,
    key: SigningKey,
    client: reqwest::Client,
    clock: fn() -> i64,
}

impl HttpPortal {
    pub fn new(base_url: &str, kiosk_id: &str, key: SigningKey, clock: fn() -> i64) -> anyhow::Result<HttpPortal> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("hanoi-kiosk/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("building the HTTP client")?;
        let host = base_url.split("://").nth(1).and_then(|rest| rest.split('/').next()).unwrap_or(base_url).to_owned();
        Ok(HttpPortal {
            base_url: base_url.trim_end_matches('/').to_owned(),
            host,
            kiosk_id: kiosk_id.to_owned(),
            key,
            client,
            clock,
        })
    }

    async fn send(&self, method: reqwest::Method, path: &str, content_type: &str, body: Vec<u8>) -> Reply {
        self.send_with(method, path, content_type, body, None).await
    }

    async fn send_with(
        &self,
        method: reqwest::Method,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
        if_none_match: Option<&str>,
    ) -> Reply {
        let time = (self.clock)();
        let mut random = [0u8; 16];
        if let Err(error) = getrandom::fill(&mut random) {
            return Reply { error: Some(format!("no randomness for a nonce: {error}")), ..Reply::default() };
        }
        let nonce = portal::hex(&random);
        let signature = self.key.sign(portal::signing_text(method.as_str(), path, time, &nonce, &body).as_bytes());
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base_url))
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .header(portal::HEADER_KIOSK, &self.kiosk_id)
            .header(portal::HEADER_TIME, time.to_string())
            .header(portal::HEADER_NONCE, &nonce)
            .header(portal::HEADER_SIGNATURE, base64::engine::general_purpose::STANDARD.encode(signature.to_bytes()))
            .body(body);
        if let Some(etag) = if_none_match {
            request = request.header(reqwest::header::IF_NONE_MATCH, etag);
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) => return Reply { error: Some(network_error(&error)), ..Reply::default() },
        };
        let status = response.status().as_u16();
        let header = |name: reqwest::header::HeaderName| {
            response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
        };
        let content_type = header(reqwest::header::CONTENT_TYPE);
        let retry_after = header(reqwest::header::RETRY_AFTER);
        let etag = header(reqwest::header::ETAG);
        let date = header(reqwest::header::DATE);
        let signature =
            response.headers().get(portal::HEADER_CATALOGUE_SIGNATURE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let mut response = response;
        let mut body: Vec<u8> = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) if body.len() + chunk.len() > MAX_REPLY_BYTES => {
                    // A captive portal's page or a broken proxy: never read without end.
                    let error = format!("the answer was larger than {} MiB and was not read", MAX_REPLY_BYTES >> 20);
                    return Reply { error: Some(error), ..Reply::default() };
                }
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) => {
                    return Reply {
                        status: Some(status),
                        content_type,
                        retry_after,
                        etag,
                        signature,
                        date,
                        body,
                        error: None,
                    }
                }
                // The answer broke off in the middle: as good as no answer (the idempotency key makes a retry safe).
                Err(error) => return Reply { error: Some(network_error(&error)), ..Reply::default() },
            }
        }
    }
}

/// The largest answer read from the portal (the catalogue, the biggest, is well under 1 MiB).
pub const MAX_REPLY_BYTES: usize = 16 << 20;

fn network_error(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "the answer broke off"
    } else {
        "network error"
    };
    // The root cause says what happened ("Connection refused (os error 111)", "invalid peer certificate: ...");
    // the layers above it only repeat "client error (Connect)". No URL, no body: nothing personal.
    let mut root: &dyn std::error::Error = error;
    while let Some(source) = root.source() {
        root = source;
    }
    format!("{kind}: {root}")
}

impl Portal for HttpPortal {
    async fn upload_page(&self, id: &str, index: u32, sealed: Vec<u8>) -> Reply {
        self.send(reqwest::Method::PUT, &portal::page_path(id, index), "application/octet-stream", sealed).await
    }

    async fn submit(&self, id: &str, submission: &Submission) -> Reply {
        let body = serde_json::to_vec(submission).unwrap_or_default();
        self.send(reqwest::Method::PUT, &portal::submission_path(id), "application/json", body).await
    }

    async fn taken_by_hand(&self, id: &str, intake: &portal::HandIntake) -> Reply {
        let body = serde_json::to_vec(intake).unwrap_or_default();
        self.send(reqwest::Method::POST, &portal::hand_intake_path(id), "application/json", body).await
    }

    async fn enrol(&self, enrolment: &portal::Enrolment) -> Reply {
        let body = serde_json::to_vec(enrolment).unwrap_or_default();
        self.send(reqwest::Method::POST, portal::ENROL_PATH, "application/json", body).await
    }

    async fn heartbeat(&self, heartbeat: &portal::Heartbeat) -> Reply {
        let body = serde_json::to_vec(heartbeat).unwrap_or_default();
        self.send(reqwest::Method::POST, portal::HEARTBEAT_PATH, "application/json", body).await
    }

    async fn dossier_status(&self, code: &str) -> Reply {
        self.send(reqwest::Method::GET, &portal::dossier_path(code), "application/json", Vec::new()).await
    }

    async fn catalogue(&self, etag: Option<&str>) -> Reply {
        self.send_with(reqwest::Method::GET, portal::CATALOGUE_PATH, "application/json", Vec::new(), etag).await
    }

    async fn slots(&self) -> Reply {
        self.send(reqwest::Method::GET, portal::SLOTS_PATH, "application/json", Vec::new()).await
    }

    fn host(&self) -> &str {
        &self.host
    }
}

/// The kiosk's Ed25519 device key: loaded from `device.key` in the state directory, or created there on first
/// start (mode 600, crash-safe) until the provisioning tool issues keys.
pub fn device_key(state_dir: &Path) -> anyhow::Result<SigningKey> {
    let seed = crate::keyfile::load_or_create(&state_dir.join("device.key"), "device key")?;
    Ok(SigningKey::from_bytes(&seed))
}

/// The kiosk's enrolment: its id and its device key's public half.
pub fn enrolment(kiosk_id: &str, key: &SigningKey) -> portal::Enrolment {
    portal::Enrolment {
        kiosk_id: kiosk_id.to_owned(),
        public_key: base64::engine::general_purpose::STANDARD.encode(key.verifying_key().to_bytes()),
        enrolment_code: None,
    }
}

#[cfg(test)]
mod tests {
    use super::Reply;

    fn reply(status: u16, body: &str) -> Reply {
        Reply {
            status: Some(status),
            content_type: Some("application/json".into()),
            body: body.as_bytes().to_vec(),
            ..Reply::default()
        }
    }

    #[test]
    fn an_error_body_s_code_reaches_the_verdict() {
        let full = reply(409, r#"{"error":"slot_full","next_free":[]}"#);
        assert_eq!(full.error_code(), Some("slot_full"));
        assert!(matches!(kiosk_core::outbox::classify(full.answer()), kiosk_core::outbox::Verdict::Declined { .. }));
        assert_eq!(
            reply(409, r#"{"error":"different_payload","message":"…"}"#).error_code(),
            Some("different_payload")
        );
        assert_eq!(reply(409, "<html>conflict</html>").error_code(), None);
        assert_eq!(reply(201, r#"{"error":"slot_full"}"#).error_code(), None, "only an error answer has a code");
        assert_eq!(Reply::default().error_code(), None);
    }
}
