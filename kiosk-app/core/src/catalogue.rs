//! The procedure catalogue: what residents can look up, as data (assets/catalogue/procedures.toml, schema in
//! assets/catalogue/README.md), checked whole before use. Every fact keeps its source, its confidence and the
//! date it was checked; the screens show them. Search is in [`crate::search`].
//! Must not do: read files (the shell passes the text), or invent a missing fact.

use serde::{Deserialize, Serialize};

/// How much a fact can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Seen on an official portal or in the statute's own words.
    Primary,
    /// A press, law-firm or third-party copy of official text: re-check before relying on it.
    Secondary,
    /// A guess or not found: the screen says "not verified".
    Unverified,
}

/// Where some facts of a procedure come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Which facts: code, fee, time, bring, steps, legal_basis, eligibility, handled_by.
    pub facts: Vec<String>,
    pub confidence: Confidence,
    /// The source as the research names it (a URL, or a site and page).
    #[serde(rename = "where")]
    pub location: String,
    /// When it was checked, YYYY-MM-DD.
    pub checked_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub id: String,
    pub name_vi: String,
    pub name_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Procedure {
    pub id: String,
    /// The national procedure code (N.NNNNNN), or empty when none is known.
    pub code: String,
    pub field: String,
    pub name_vi: String,
    pub name_en: String,
    pub summary_vi: String,
    pub summary_en: String,
    pub handled_by_vi: String,
    pub handled_by_en: String,
    /// The queue service a resident takes a number for.
    pub service: String,
    /// The dossier can be filled in and submitted at the kiosk.
    pub kiosk_submission: bool,
    /// The ward's mobile support team can come to the resident's home for it.
    pub home_visit: bool,
    /// Everyday words residents use for it.
    pub keywords: Vec<String>,
    pub bring_vi: Vec<String>,
    pub bring_en: Vec<String>,
    pub steps_vi: Vec<String>,
    pub steps_en: Vec<String>,
    pub fee_vi: String,
    pub fee_en: String,
    pub time_vi: String,
    pub time_en: String,
    pub legal_basis: Vec<String>,
    #[serde(rename = "source")]
    pub sources: Vec<Source>,
}

impl Procedure {
    /// How well a fact is sourced: the weakest confidence among the sources naming it, or unverified when none.
    pub fn confidence_of(&self, fact: &str) -> Confidence {
        let mut found = None;
        for source in self.sources.iter().filter(|s| s.facts.iter().any(|f| f == fact)) {
            found = Some(match (found, source.confidence) {
                (None, c) => c,
                (Some(Confidence::Unverified), _) | (_, Confidence::Unverified) => Confidence::Unverified,
                (Some(Confidence::Secondary), _) | (_, Confidence::Secondary) => Confidence::Secondary,
                _ => Confidence::Primary,
            });
        }
        found.unwrap_or(Confidence::Unverified)
    }

    /// The sources naming a fact.
    pub fn sources_of<'a>(&'a self, fact: &'a str) -> impl Iterator<Item = &'a Source> + 'a {
        self.sources.iter().filter(move |s| s.facts.iter().any(|f| f == fact))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub schema: u32,
    #[serde(rename = "field")]
    pub fields: Vec<Field>,
    #[serde(rename = "procedure")]
    pub procedures: Vec<Procedure>,
}

const FACTS: &[&str] = &["code", "fee", "time", "bring", "steps", "legal_basis", "eligibility", "handled_by"];

/// Reads and checks a catalogue; every problem is listed (with the procedure's id) rather than the first.
pub fn parse(text: &str) -> Result<Catalogue, Vec<String>> {
    let deserializer = toml::Deserializer::parse(text).map_err(|e| vec![e.to_string()])?;
    let catalogue: Catalogue =
        serde_path_to_error::deserialize(deserializer).map_err(|e| vec![format!("{}: {}", e.path(), e.inner())])?;
    let problems = check(&catalogue);
    if problems.is_empty() {
        Ok(catalogue)
    } else {
        Err(problems)
    }
}

/// Everything wrong with a catalogue.
pub fn check(catalogue: &Catalogue) -> Vec<String> {
    let mut problems = Vec::new();
    if catalogue.schema != 1 {
        problems.push(format!("schema {} is not 1", catalogue.schema));
    }
    let mut ids = std::collections::HashSet::new();
    for p in &catalogue.procedures {
        let mut problem = |what: String| problems.push(format!("procedure {}: {what}", p.id));
        if !ids.insert(p.id.as_str()) {
            problem("the id is used twice".into());
        }
        if !p.code.is_empty() && !valid_code(&p.code) {
            problem(format!("code {} is not N.NNNNNN", p.code));
        }
        if !catalogue.fields.iter().any(|f| f.id == p.field) {
            problem(format!("field {} is not a [[field]]", p.field));
        }
        let texts =
            [&p.name_vi, &p.name_en, &p.summary_vi, &p.summary_en, &p.fee_vi, &p.fee_en, &p.time_vi, &p.time_en];
        if texts.iter().any(|t| t.trim().is_empty()) {
            problem("a name, summary, fee or time is empty".into());
        }
        let lists = [&p.keywords, &p.bring_vi, &p.bring_en, &p.steps_vi, &p.steps_en, &p.legal_basis];
        let every = texts.iter().map(|t| t.as_str()).chain(lists.iter().flat_map(|l| l.iter().map(String::as_str)));
        if every.clone().any(|t| !crate::text::is_nfc(t)) {
            problem("a text is not in Unicode NFC".into());
        }
        if p.bring_vi.len() != p.bring_en.len() || p.steps_vi.len() != p.steps_en.len() {
            problem("the Vietnamese and English lists differ in length".into());
        }
        for fact in ["code", "fee", "time"] {
            if p.sources_of(fact).next().is_none() {
                problem(format!("no source for its {fact}"));
            }
        }
        for source in &p.sources {
            if let Some(unknown) = source.facts.iter().find(|f| !FACTS.contains(&f.as_str())) {
                problem(format!("a source names an unknown fact {unknown}"));
            }
            if !valid_date(&source.checked_at) {
                problem(format!("checked_at {} is not YYYY-MM-DD", source.checked_at));
            }
        }
    }
    problems
}

fn valid_code(code: &str) -> bool {
    let bytes = code.as_bytes();
    bytes.len() == 8 && bytes[0].is_ascii_digit() && bytes[1] == b'.' && bytes[2..].iter().all(u8::is_ascii_digit)
}

fn valid_date(date: &str) -> bool {
    let b = date.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"
schema = 1
[[field]]
id = "chung-thuc"
name_vi = "Chứng thực"
name_en = "Certification"

[[procedure]]
id = "chung-thuc-chu-ky"
code = "2.000884"
field = "chung-thuc"
name_vi = "Chứng thực chữ ký"
name_en = "Certifying a signature"
summary_vi = "Xác nhận chữ ký."
summary_en = "Confirms a signature."
handled_by_vi = "UBND xã, phường"
handled_by_en = "Ward People's Committee"
service = "CT"
kiosk_submission = true
home_visit = true
keywords = ["ủy quyền"]
bring_vi = ["Căn cước"]
bring_en = ["ID card"]
steps_vi = ["Ký trước cán bộ"]
steps_en = ["Sign in front of the officer"]
fee_vi = "10.000 đồng"
fee_en = "10,000 dong"
time_vi = "Trong ngày"
time_en = "The same day"
legal_basis = ["Nghị định 23/2015/NĐ-CP"]
[[procedure.source]]
facts = ["fee", "time"]
confidence = "primary"
where = "huyendienbien.gov.vn"
checked_at = "2026-11-22"
[[procedure.source]]
facts = ["code"]
confidence = "secondary"
where = "public mirrors"
checked_at = "2026-11-22"
"#;

    #[test]
    fn a_well_formed_catalogue_reads_with_its_sources() {
        let catalogue = parse(ONE).expect("valid");
        let procedure = &catalogue.procedures[0];
        assert_eq!(procedure.confidence_of("fee"), Confidence::Primary);
        assert_eq!(procedure.confidence_of("code"), Confidence::Secondary);
        assert_eq!(procedure.confidence_of("steps"), Confidence::Unverified, "no source: not verified");
    }

    #[test]
    fn every_problem_is_listed() {
        let broken = ONE.replace("\"2.000884\"", "\"2000884\"").replace("facts = [\"code\"]", "facts = [\"colour\"]");
        let problems = parse(&broken).expect_err("broken");
        assert!(problems.iter().any(|p| p.contains("not N.NNNNNN")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("no source for its code")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("unknown fact colour")), "{problems:?}");
        let unknown_key = ONE.replace("home_visit = true", "home_visit = true\ncolour = 1");
        assert!(parse(&unknown_key).expect_err("unknown key")[0].contains("colour"));
    }
}
