//! Looking up procedures: the catalogue the kiosk ships with (assets/catalogue/procedures.toml, built in), its
//! search index, and a procedure's guidance slip for the printer.
//! Must not do: name Slint types (the UI bridge shows what this returns).

use kiosk_core::catalogue::{Catalogue, Confidence, Procedure};
use kiosk_core::config::{Config, Language};
use kiosk_core::search::Index;
use kiosk_drivers::printer::document::{Align, Document, Style};

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
    let pick = |vi: &str, en: &str| if english { en.to_owned() } else { vi.to_owned() };
    let title = Style { scale: 1, bold: true, align: Align::Center };
    let heading = Style { scale: 1, bold: true, align: Align::Left };
    let mut doc = Document::new()
        .text(if english { "PROCEDURE GUIDE" } else { "HƯỚNG DẪN THỦ TỤC" }, title)
        .text(pick(&procedure.name_vi, &procedure.name_en), heading);
    if !procedure.code.is_empty() {
        doc = doc.line(format!("{}: {}", pick("Mã thủ tục", "Code"), procedure.code));
    }
    doc = doc.rule().text(pick("Cần mang theo:", "What to bring:"), heading);
    for item in if english { &procedure.bring_en } else { &procedure.bring_vi } {
        doc = doc.line(format!("- {item}"));
    }
    doc = doc.text(pick("Các bước:", "Steps:"), heading);
    for (n, step) in (if english { &procedure.steps_en } else { &procedure.steps_vi }).iter().enumerate() {
        doc = doc.line(format!("{}. {step}", n + 1));
    }
    let unverified = pick(" (chưa xác minh, hỏi cán bộ)", " (not verified, ask staff)");
    doc = doc
        .rule()
        .line(format!(
            "{}: {}{}",
            pick("Lệ phí", "Fee"),
            pick(&procedure.fee_vi, &procedure.fee_en),
            if checked(procedure, "fee") { "" } else { &unverified }
        ))
        .line(format!(
            "{}: {}{}",
            pick("Thời gian", "Time"),
            pick(&procedure.time_vi, &procedure.time_en),
            if checked(procedure, "time") { "" } else { &unverified }
        ))
        .line(format!(
            "{}: {}",
            pick("Nơi giải quyết", "Where"),
            pick(&procedure.handled_by_vi, &procedure.handled_by_en)
        ))
        .rule()
        .line(format!("{}: {}", pick("Nguồn", "Sources"), sources_line(procedure)))
        .text(
            format!("{} · {}", config.kiosk.service_point, config.kiosk.id),
            Style { scale: 1, bold: false, align: Align::Center },
        );
    doc.cut()
}
