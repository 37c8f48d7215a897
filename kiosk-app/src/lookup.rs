//! Looking up procedures: the catalogue the kiosk ships with (assets/catalogue/procedures.toml, built in), its
//! search index, and a procedure's guidance slip for the printer.
//! Must not do: name Slint types (the UI bridge shows what this returns).

use kiosk_core::catalogue::{Catalogue, Confidence, Procedure};
use kiosk_core::config::{Config, Language};
use kiosk_core::search::Index;
use kiosk_drivers::printer::document::Document;

use crate::words;

/// The catalogue built into the binary, used until the portal sends a newer one.
pub const BUNDLED: &str = include_str!("../../assets/catalogue/procedures.toml");

/// A catalogue with its search index.
#[derive(Debug)]
pub struct Lookup {
    pub catalogue: Catalogue,
    pub index: Index,
}

impl Lookup {
    pub fn new(catalogue: Catalogue) -> Lookup {
        let index = Index::build(&catalogue);
        Lookup { catalogue, index }
    }

    /// The bundled catalogue (checked by the tests, so it always reads).
    pub fn bundled() -> Lookup {
        let catalogue = kiosk_core::catalogue::parse(BUNDLED)
            .unwrap_or_else(|problems| panic!("the bundled catalogue is checked by the tests: {problems:?}"));
        Lookup::new(catalogue)
    }

    /// The catalogue last received from the portal (state directory), if there is a valid one; else the bundled.
    pub fn load(state_dir: &std::path::Path) -> Lookup {
        let stored = std::fs::read_to_string(state_dir.join(CATALOGUE_FILE)).ok();
        match stored.map(|text| kiosk_core::catalogue::parse(&text)) {
            Some(Ok(catalogue)) => Lookup::new(catalogue),
            Some(Err(problems)) => {
                tracing::warn!(problems = problems.len(), "the stored catalogue is not valid; using the bundled one");
                Lookup::bundled()
            }
            None => Lookup::bundled(),
        }
    }

    pub fn procedure(&self, id: &str) -> Option<&Procedure> {
        self.catalogue.procedures.iter().find(|p| p.id == id)
    }
}

/// Where a procedure's facts come from, in one line ("site (checked 2026-11-22); ...").
pub fn sources_line(procedure: &Procedure) -> String {
    let mut seen: Vec<String> = Vec::new();
    for source in &procedure.sources {
        let line = format!("{} ({})", source.location, source.checked_at);
        if !seen.contains(&line) {
            seen.push(line);
        }
    }
    seen.join("; ")
}

/// Whether a fact is backed by a primary or secondary source.
pub fn checked(procedure: &Procedure, fact: &str) -> bool {
    procedure.confidence_of(fact) != Confidence::Unverified
}

/// The procedure's page as a guidance slip: name, what to bring, steps, fee, time, where, and the sources.
pub fn guidance_document(config: &Config, procedure: &Procedure, language: Language) -> Document {
    let english = language == Language::English;
    let mut doc = Document::new()
        .text(words::tr(language, "PROCEDURE GUIDE"), crate::printing::TITLE)
        .text(words::either(language, &procedure.name_vi, &procedure.name_en), crate::printing::HEADING);
    if !procedure.code.is_empty() {
        doc = doc.line(words::trf(language, "Code: {}", &[&procedure.code]));
    }
    doc = doc.rule().text(words::tr(language, "What to bring:"), crate::printing::HEADING);
    for item in if english { &procedure.bring_en } else { &procedure.bring_vi } {
        doc = doc.line(format!("- {item}"));
    }
    doc = doc.text(words::tr(language, "Steps:"), crate::printing::HEADING);
    for (n, step) in (if english { &procedure.steps_en } else { &procedure.steps_vi }).iter().enumerate() {
        doc = doc.line(format!("{}. {step}", n + 1));
    }
    // A fact no source backs is printed with a warning after it, so the resident asks before relying on it.
    let unverified = |fact| {
        if checked(procedure, fact) {
            String::new()
        } else {
            format!(" {}", words::tr(language, "(not verified, ask staff)"))
        }
    };
    let fee = words::either(language, &procedure.fee_vi, &procedure.fee_en);
    let time = words::either(language, &procedure.time_vi, &procedure.time_en);
    let place = words::either(language, &procedure.handled_by_vi, &procedure.handled_by_en);
    doc = doc
        .rule()
        .line(words::trf(language, "Fee: {}", &[&fee]) + &unverified("fee"))
        .line(words::trf(language, "Time: {}", &[&time]) + &unverified("time"))
        .line(words::trf(language, "Where: {}", &[&place]))
        .rule()
        .line(words::trf(language, "Sources: {}", &[&sources_line(procedure)]))
        .text(format!("{} · {}", config.kiosk.service_point, config.kiosk.id), crate::printing::CENTRED);
    doc.cut()
}

/// Where the catalogue received from the portal is kept, and its version tag.
pub const CATALOGUE_FILE: &str = "catalogue.toml";
pub const CATALOGUE_TAG_FILE: &str = "catalogue.etag";

/// Whether `signature` (base64) is the city's Ed25519 signature of `body` by `key`.
pub fn catalogue_signed(body: &[u8], signature: Option<&str>, key: &[u8; 32]) -> bool {
    use base64::Engine as _;
    let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(key) else { return false };
    let Some(signature) = signature
        .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s.trim()).ok())
        .and_then(|s| <[u8; 64]>::try_from(s.as_slice()).ok())
    else {
        return false;
    };
    key.verify_strict(body, &ed25519_dalek::Signature::from_bytes(&signature)).is_ok()
}

/// Asks the portal for a newer catalogue (If-None-Match with the tag of the one kept). A new one whose signature
/// verifies with the city's catalogue `key` (review M7) and that passes every check is stored (written whole,
/// then renamed) and returned; an unchanged one, an unreachable portal, an unsigned or wrongly signed catalogue,
/// or one with problems returns None and the kiosk keeps what it has. Without a key nothing is asked.
pub async fn refresh(
    portal: &impl crate::portal::Portal,
    state_dir: &std::path::Path,
    key: Option<&[u8; 32]>,
) -> anyhow::Result<Option<Catalogue>> {
    use anyhow::Context as _;
    let Some(key) = key else {
        tracing::info!("no [portal] catalogue_key: the kiosk keeps its installed catalogue and takes no update");
        return Ok(None);
    };
    let tag_path = state_dir.join(CATALOGUE_TAG_FILE);
    let tag = std::fs::read_to_string(&tag_path).ok().filter(|_| state_dir.join(CATALOGUE_FILE).exists());
    let reply = portal.catalogue(tag.as_deref().map(str::trim)).await;
    match reply.status {
        Some(304) => Ok(None),
        Some(200) => {
            if !catalogue_signed(&reply.body, reply.signature.as_deref(), key) {
                tracing::warn!(
                    signed = reply.signature.is_some(),
                    "a catalogue from the portal was refused: its signature does not verify with the city's \
                     catalogue key; keeping the one we have"
                );
                return Ok(None);
            }
            let text = String::from_utf8(reply.body).context("the portal's catalogue is not UTF-8")?;
            match kiosk_core::catalogue::parse(&text) {
                Ok(catalogue) => {
                    // Each file whole and synced (review Low): a power cut keeps the old catalogue or the new one.
                    // The tag goes second: a cut between the two costs one download, never a wrong "not modified".
                    crate::write_atomically(&state_dir.join(CATALOGUE_FILE), text.as_bytes(), 0o600)
                        .context("storing the catalogue")?;
                    crate::write_atomically(&tag_path, reply.etag.unwrap_or_default().as_bytes(), 0o600)
                        .context("storing the catalogue tag")?;
                    tracing::info!(procedures = catalogue.procedures.len(), "a newer catalogue came from the portal");
                    Ok(Some(catalogue))
                }
                Err(problems) => {
                    tracing::warn!(
                        problems = problems.len(),
                        first = problems.first().map(String::as_str).unwrap_or(""),
                        "the portal's catalogue has problems; keeping the one we have"
                    );
                    Ok(None)
                }
            }
        }
        other => {
            tracing::info!(status = ?other, error = ?reply.error, "catalogue not refreshed now");
            Ok(None)
        }
    }
}
