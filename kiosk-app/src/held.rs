//! Held dossiers: what the kiosk keeps while the portal is away (or refused as it stood), opened for the counter
//! (seed 004: when the system is down the counter takes the dossier in by hand). Each dossier and home-visit
//! request is sealed a second time, to the service point's key (`counter.key` in the state directory); the staff
//! console lists what is held, opens one to read its answers and see its pages, and records that the counter
//! took it in by hand with the register number it wrote. From then the kiosk never sends it, deletes both
//! copies, and tells the portal with a marker (no personal data) so the two records can be matched.
//!
//! Must not do: log anything it opens; keep an opened copy anywhere (it is unsealed per request, in memory).

use std::path::Path;
use std::sync::Arc;

use crypto_box::SecretKey;
use kiosk_core::config::Language;
use kiosk_core::outbox::Seconds;

use crate::outbox::forwarder::Signal;
use crate::outbox::store::{Held as HeldRow, Outbox, Taken};
use crate::words;

/// The file in the state directory holding the service point's secret key.
pub const COUNTER_KEY_FILE: &str = "counter.key";

/// The service point's key: loaded from the state directory, or made there on first start.
pub fn counter_key(state_dir: &Path) -> anyhow::Result<SecretKey> {
    let bytes = crate::keyfile::load_or_create(&state_dir.join(COUNTER_KEY_FILE), "service point's key")?;
    Ok(SecretKey::from(bytes))
}

/// A held submission opened for the counter.
#[derive(Debug, Clone)]
pub struct Opened {
    pub held: HeldRow,
    /// The form as the resident finished it (the JSON the portal would get).
    pub form: serde_json::Value,
}

/// The console's access to held submissions.
pub struct Held {
    outbox: Arc<Outbox>,
    secret: SecretKey,
    forwarder: Arc<Signal>,
}

impl std::fmt::Debug for Held {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("held::Held")
    }
}

impl Held {
    /// `forwarder` is woken when a marker for the portal is queued.
    pub fn new(outbox: Arc<Outbox>, secret: SecretKey, forwarder: Arc<Signal>) -> Held {
        Held { outbox, secret, forwarder }
    }

    /// What is held, oldest first.
    pub fn list(&self) -> anyhow::Result<Vec<HeldRow>> {
        self.outbox.held()
    }

    /// Held submission `id` with its form unsealed (None: not held any more, or unknown).
    pub fn open(&self, id: &str) -> anyhow::Result<Option<Opened>> {
        let Some(copy) = self.outbox.counter_copy(id)? else { return Ok(None) };
        let form = self.unseal(&copy.sealed_form)?;
        let form = serde_json::from_slice(&form).map_err(|e| anyhow::anyhow!("the counter's copy is not JSON: {e}"))?;
        Ok(Some(Opened { held: copy.held, form }))
    }

    /// Page `index` (from 0) of held submission `id`, unsealed: the JPEG as scanned (None: no such page held).
    pub fn page(&self, id: &str, index: usize) -> anyhow::Result<Option<Vec<u8>>> {
        let Some(copy) = self.outbox.counter_copy(id)? else { return Ok(None) };
        copy.sealed_pages.get(index).map(|sealed| self.unseal(sealed)).transpose()
    }

    /// Submission `id`'s state in the outbox, whether held or not (None: the kiosk has no such submission).
    pub fn state(&self, id: &str) -> anyhow::Result<Option<kiosk_core::outbox::State>> {
        self.outbox.state(id)
    }

    /// Records that `counter` took `id` in by hand as `register_number`; wakes the forwarder to tell the portal.
    pub fn take_by_hand(&self, id: &str, register_number: &str, counter: u16, now: Seconds) -> anyhow::Result<Taken> {
        let taken = self.outbox.take_by_hand(id, register_number, counter, now)?;
        if taken == Taken::Taken {
            self.forwarder.wake();
        }
        Ok(taken)
    }

    fn unseal(&self, sealed: &[u8]) -> anyhow::Result<Vec<u8>> {
        self.secret.unseal(sealed).map_err(|_| {
            anyhow::anyhow!(
                "the counter's copy does not open with this kiosk's {COUNTER_KEY_FILE} (was the key replaced?)"
            )
        })
    }
}

/// The bundled catalogue, read once for the counter's pages and papers (not per page, nor per row of a list).
pub fn catalogue() -> &'static kiosk_core::catalogue::Catalogue {
    static CATALOGUE: std::sync::OnceLock<kiosk_core::catalogue::Catalogue> = std::sync::OnceLock::new();
    CATALOGUE.get_or_init(|| {
        kiosk_core::catalogue::parse(crate::lookup::BUNDLED)
            .unwrap_or_else(|problems| panic!("the bundled catalogue is checked by the tests: {problems:?}"))
    })
}

/// The bundled forms, read once.
pub fn forms() -> &'static [kiosk_core::forms::Form] {
    static FORMS: std::sync::OnceLock<Vec<kiosk_core::forms::Form>> = std::sync::OnceLock::new();
    FORMS.get_or_init(crate::dossier::forms)
}

/// A held form as the counter reads it: what it is for, each answer under its label, and the papers with their
/// pages (indices into the submission's pages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// The procedure's name from the catalogue, or its code when the catalogue does not have it.
    pub procedure: Option<String>,
    pub rows: Vec<(String, String)>,
    pub papers: Vec<(String, Vec<usize>)>,
}

/// Reads `form` (a dossier's or a home-visit request's JSON) for the counter, in `language`, with the bundled
/// forms and catalogue naming the fields, choices, papers and procedure.
pub fn reading(
    form: &serde_json::Value,
    forms: &[kiosk_core::forms::Form],
    catalogue: &kiosk_core::catalogue::Catalogue,
    language: Language,
) -> Reading {
    let text = |key: &str| form.get(key).and_then(serde_json::Value::as_str).unwrap_or_default().to_owned();
    let procedure_code = text("procedure_code");
    let procedure = (!procedure_code.is_empty()).then(|| {
        // By the catalogue id the form names first: one national code can stand for several catalogue entries.
        let id = text("procedure_id");
        catalogue
            .procedures
            .iter()
            .find(|p| p.id == id)
            .or_else(|| catalogue.procedures.iter().find(|p| p.code == procedure_code))
            .map(|p| format!("{} ({procedure_code})", words::either(language, &p.name_vi, &p.name_en)))
            .unwrap_or(procedure_code)
    });
    if text("kind") == "home_visit" {
        return Reading { procedure, rows: visit_rows(form, language), papers: Vec::new() };
    }
    let definition = forms.iter().find(|f| f.procedure == text("procedure_id"));
    let answers = form.get("answers").and_then(serde_json::Value::as_object);
    let mut rows: Vec<(String, String)> = Vec::new();
    if let Some(answers) = answers {
        let known: Vec<&kiosk_core::forms::Field> =
            definition.map(|d| d.fields.iter().filter(|f| answers.contains_key(&f.id)).collect()).unwrap_or_default();
        for field in &known {
            let value = answers[&field.id].as_str().unwrap_or_default();
            let shown =
                field.options.iter().find(|o| o.id == value).map_or(value, |o| words::either(language, &o.vi, &o.en));
            rows.push((words::either(language, &field.label_vi, &field.label_en).to_owned(), shown.to_owned()));
        }
        // Anything the form definition does not name (an older form) is shown under its id, never dropped.
        for (id, value) in answers.iter().filter(|(id, _)| !known.iter().any(|f| &f.id == *id)) {
            rows.push((id.clone(), value.as_str().unwrap_or_default().to_owned()));
        }
    }
    let delivery = match text("delivery").as_str() {
        "by_post" => words::tr(language, "By post"),
        "at_the_counter" => words::tr(language, "At the counter"),
        other => other.to_owned(),
    };
    rows.push((words::tr(language, "Result delivered"), delivery));
    let address = text("delivery_address");
    if !address.is_empty() {
        rows.push((words::tr(language, "Post to"), address));
    }
    let mut papers = Vec::new();
    let mut next = 0usize;
    for paper in form.get("papers").and_then(serde_json::Value::as_array).into_iter().flatten() {
        let id = paper.get(0).and_then(serde_json::Value::as_str).unwrap_or_default();
        let count = paper.get(1).and_then(serde_json::Value::as_u64).unwrap_or_default() as usize;
        let name = definition
            .and_then(|d| d.documents.iter().find(|doc| doc.id == id))
            .map_or(id, |doc| words::either(language, &doc.name_vi, &doc.name_en));
        papers.push((name.to_owned(), (next..next + count).collect()));
        next += count;
    }
    Reading { procedure, rows, papers }
}

fn visit_rows(form: &serde_json::Value, language: Language) -> Vec<(String, String)> {
    let text = |key: &str| form.get(key).and_then(serde_json::Value::as_str).unwrap_or_default().to_owned();
    let mut rows = Vec::new();
    rows.push((words::tr(language, "Person to visit"), text("person_name")));
    if form.get("for_relative").and_then(serde_json::Value::as_bool) == Some(true) {
        rows.push((words::tr(language, "Asked by"), text("requester_name")));
    }
    rows.push((words::tr(language, "Phone"), text("phone")));
    rows.push((words::tr(language, "Address"), format!("{}, {}", text("street"), text("ward_name"))));
    let when = match text("when").as_str() {
        "morning" => words::tr(language, "In the morning"),
        "afternoon" => words::tr(language, "In the afternoon"),
        "any_time" => words::tr(language, "Any time"),
        other => other.to_owned(),
    };
    rows.push((words::tr(language, "Best time"), when));
    rows
}

#[cfg(test)]
mod tests {
    use kiosk_core::config::Language;

    fn bundled() -> (Vec<kiosk_core::forms::Form>, kiosk_core::catalogue::Catalogue) {
        (crate::dossier::forms(), kiosk_core::catalogue::parse(crate::lookup::BUNDLED).expect("catalogue"))
    }

    #[test]
    fn a_dossier_reads_with_its_labels_choices_and_papers() {
        let (forms, catalogue) = bundled();
        let form = &forms[0];
        let procedure = catalogue.procedures.iter().find(|p| p.id == form.procedure).expect("procedure");
        let choice = form.fields.iter().find(|f| !f.options.is_empty());
        let mut answers = serde_json::Map::new();
        answers.insert(form.fields[0].id.clone(), "NGUYỄN VĂN AN".into());
        if let Some(choice) = choice {
            answers.insert(choice.id.clone(), choice.options[0].id.clone().into());
        }
        answers.insert("old_field".into(), "kept".into());
        let document = &form.documents[0];
        let json = serde_json::json!({
            "kind": "dossier", "procedure_id": form.procedure, "procedure_code": procedure.code,
            "answers": answers, "delivery": "by_post", "delivery_address": "12 Hàng Bạc",
            "papers": [[document.id, 2]], "consent_version": "1", "language": "vi",
        });
        let reading = super::reading(&json, &forms, &catalogue, Language::Vietnamese);
        assert_eq!(reading.procedure, Some(format!("{} ({})", procedure.name_vi, procedure.code)));
        assert!(reading.rows.contains(&(form.fields[0].label_vi.clone(), "NGUYỄN VĂN AN".into())));
        if let Some(choice) = choice {
            assert!(reading.rows.contains(&(choice.label_vi.clone(), choice.options[0].vi.clone())), "{reading:?}");
        }
        assert!(reading.rows.contains(&("old_field".into(), "kept".into())));
        assert!(reading.rows.contains(&("Gửi đến".into(), "12 Hàng Bạc".into())), "{reading:?}");
        assert_eq!(reading.papers, vec![(document.name_vi.clone(), vec![0, 1])]);
        let english = super::reading(&json, &forms, &catalogue, Language::English);
        assert!(english.rows.contains(&("Result delivered".into(), "By post".into())));
    }

    #[test]
    fn a_home_visit_reads_with_who_where_and_when() {
        let (forms, catalogue) = bundled();
        let json = serde_json::json!({
            "kind": "home_visit", "for_relative": true, "person_name": "TRẦN THỊ BÌNH",
            "requester_name": "TRẦN VĂN CƯỜNG", "phone": "0912345678", "ward_code": "00001",
            "ward_name": "Phường Hoàn Kiếm", "street": "5 Lý Thái Tổ", "procedure_id": null, "procedure_code": null,
            "when": "morning", "language": "vi",
        });
        let reading = super::reading(&json, &forms, &catalogue, Language::English);
        assert_eq!(reading.procedure, None);
        assert_eq!(
            reading.rows,
            vec![
                ("Person to visit".into(), "TRẦN THỊ BÌNH".into()),
                ("Asked by".into(), "TRẦN VĂN CƯỜNG".into()),
                ("Phone".into(), "0912345678".into()),
                ("Address".into(), "5 Lý Thái Tổ, Phường Hoàn Kiếm".into()),
                ("Best time".into(), "In the morning".into()),
            ]
        );
        assert!(reading.papers.is_empty());
    }
}
