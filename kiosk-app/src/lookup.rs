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

/// What a procedure's facts rest on, in one line for residents: the national procedure database's record of its
/// code, then the laws, decrees, circulars and decisions its sources cite, each once ("Cơ sở dữ liệu quốc gia về
/// thủ tục hành chính, mã 2.000884; Nghị định 23/2015/NĐ-CP; Thông tư 226/2016/TT-BTC"). The sources' research
/// notes are for maintainers and never appear here.
pub fn sources_line(procedure: &Procedure, language: Language) -> String {
    let mut cited: Vec<String> = Vec::new();
    if !procedure.code.is_empty() && procedure.sources.iter().any(|s| s.national_database) {
        cited.push(words::trf(language, "National database of administrative procedures, code {}", &[&procedure.code]));
    }
    for document in procedure.sources.iter().flat_map(|s| &s.basis) {
        if !cited.contains(document) {
            cited.push(document.clone());
        }
    }
    cited.join("; ")
}

/// Whether a fact is verified: read in the law's own text or in the national procedure database (a primary
/// source). Anything else, however plausible, is shown with "not verified".
pub fn checked(procedure: &Procedure, fact: &str) -> bool {
    procedure.confidence_of(fact) == Confidence::Primary
}

/// The procedure's page as a guidance slip: name, code, what to bring, steps, fee, time, where, and the laws and
/// national procedure record they rest on; each of code, papers, fee and time not verified is marked so.
pub fn guidance_document(config: &Config, procedure: &Procedure, language: Language) -> Document {
    let english = language == Language::English;
    let mut doc = Document::new()
        .text(words::tr(language, "PROCEDURE GUIDE"), crate::printing::TITLE)
        .text(words::either(language, &procedure.name_vi, &procedure.name_en), crate::printing::HEADING);
    // A fact not verified is printed with a warning after it, so the resident asks before relying on it.
    let unverified = |fact| {
        if checked(procedure, fact) {
            String::new()
        } else {
            format!(" {}", words::tr(language, "(not verified, ask staff)"))
        }
    };
    if !procedure.code.is_empty() {
        doc = doc.line(words::trf(language, "Code: {}", &[&procedure.code]) + &unverified("code"));
    }
    doc = doc.rule().text(words::tr(language, "What to bring:") + &unverified("bring"), crate::printing::HEADING);
    for item in if english { &procedure.bring_en } else { &procedure.bring_vi } {
        doc = doc.line(format!("- {item}"));
    }
    doc = doc.text(words::tr(language, "Steps:"), crate::printing::HEADING);
    for (n, step) in (if english { &procedure.steps_en } else { &procedure.steps_vi }).iter().enumerate() {
        doc = doc.line(format!("{}. {step}", n + 1));
    }
    let fee = words::either(language, &procedure.fee_vi, &procedure.fee_en);
    let time = words::either(language, &procedure.time_vi, &procedure.time_en);
    let place = words::either(language, &procedure.handled_by_vi, &procedure.handled_by_en);
    doc = doc
        .rule()
        .line(words::trf(language, "Fee: {}", &[&fee]) + &unverified("fee"))
        .line(words::trf(language, "Time: {}", &[&time]) + &unverified("time"))
        .line(words::trf(language, "Where: {}", &[&place]))
        .rule()
        .line(words::trf(language, "Sources: {}", &[&sources_line(procedure, language)]));
    crate::printing::help_lines(doc, config, language)
        .text(format!("{} · {}", config.kiosk.service_point, config.kiosk.id), crate::printing::CENTRED)
        .cut()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn residents_see_laws_and_the_national_record_never_the_research_notes() {
        let lookup = Lookup::bundled();
        for p in &lookup.catalogue.procedures {
            for language in [Language::Vietnamese, Language::English] {
                let line = sources_line(p, language);
                assert!(!line.is_empty(), "{}: no sources to show", p.id);
                for piece in line.split("; ") {
                    let national = piece.starts_with("National database of administrative procedures, code ")
                        || piece.starts_with("Cơ sở dữ liệu quốc gia về thủ tục hành chính, mã ");
                    assert!(
                        national || kiosk_core::catalogue::citation_problem(piece).is_none(),
                        "{}: {piece:?} is not a law, decision or the national record",
                        p.id
                    );
                }
                for source in &p.sources {
                    assert!(!line.contains(&source.note), "{}: a research note is shown", p.id);
                }
            }
        }
        let signature = lookup.procedure("chung-thuc-chu-ky").expect("procedure");
        assert_eq!(
            sources_line(signature, Language::Vietnamese),
            "Cơ sở dữ liệu quốc gia về thủ tục hành chính, mã 2.000884; Nghị định 23/2015/NĐ-CP; \
             Thông tư 226/2016/TT-BTC; Kế hoạch 63/KH-UBND ngày 13/02/2026 của UBND TP Hà Nội; \
             Nghị định 07/2025/NĐ-CP ngày 09/01/2025"
        );
    }

    #[test]
    fn only_what_was_read_in_the_law_or_the_national_database_counts_as_verified() {
        let lookup = Lookup::bundled();
        // The fee as another province's pre-reform portal page gave it: plausible, not verified.
        let signature = lookup.procedure("chung-thuc-chu-ky").expect("procedure");
        assert!(!checked(signature, "fee") && !checked(signature, "code"));
        // Read on the national database's page of the procedure.
        let copy = lookup.procedure("chung-thuc-ban-sao").expect("procedure");
        assert!(checked(copy, "fee") && checked(copy, "time"));
    }
}
