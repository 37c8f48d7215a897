//! The procedure catalogue: what residents can look up, as data (assets/catalogue/procedures.toml, schema in
//! assets/catalogue/README.md), checked whole before use. Every fact keeps its sources: for each, a confidence, a
//! citation residents may see (laws and decisions by number, the national procedure code) and a research note they
//! never see. Search is in [`crate::search`].
//! Must not do: read files (the shell passes the text), or invent a missing fact.

use serde::{Deserialize, Serialize};

/// How much a fact can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Verified: read in the law's own text or in the national database of procedures (the procedure's record).
    Primary,
    /// Found in a copy of official text (another province's or a pre-reform portal page, the press, a law firm, a
    /// third-party repository): plausible, shown to residents as not verified.
    Secondary,
    /// A guess or not found: the catalogue says "not verified, ask at the counter".
    Unverified,
}

/// Where some facts of a procedure come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Which facts: code, fee, time, bring, steps, legal_basis, eligibility, handled_by.
    pub facts: Vec<String>,
    pub confidence: Confidence,
    /// Shown to residents: the laws, decrees, circulars, resolutions and decisions that state these facts, by
    /// number (and date where known), e.g. "Thông tư 226/2016/TT-BTC".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub basis: Vec<String>,
    /// Shown to residents: the facts are as the procedure's record in the national database of administrative
    /// procedures states them (printed as that database and the procedure's code).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub national_database: bool,
    /// For maintainers only, never shown: where the research found it and what is still to check.
    pub note: String,
    /// When it was checked, YYYY-MM-DD.
    pub checked_at: String,
}

impl Source {
    /// Whether the source names something a resident can look up (a document, or the national database).
    pub fn cited(&self) -> bool {
        self.national_database || !self.basis.is_empty()
    }
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
    /// Everyday words residents use for it, in Vietnamese.
    pub keywords: Vec<String>,
    /// The same in English ("birth certificate", "certified copy"): what an English speaker would type.
    pub keywords_en: Vec<String>,
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

/// The facts every procedure shows residents, each of which needs a source.
pub const SHOWN_FACTS: &[&str] = &["code", "fee", "time", "bring"];

/// How a citation of a document begins (folded: lower case, no marks): the kinds of legal document.
const DOCUMENT_KINDS: &[&str] = &[
    "luat ",
    "bo luat ",
    "phap lenh ",
    "nghi dinh ",
    "nghi quyet ",
    "thong tu ",
    "quyet dinh ",
    "cong van ",
    "ke hoach ",
    "chi thi ",
];

/// Signs that a citation is a research note rather than a document (folded): the project's files, confidence
/// marks, guesses, repositories, web sites.
const NOTE_SIGNS: &[&str] = &[
    ".md",
    "[g]",
    "[s]",
    "[p]",
    "[t]",
    "phong doan",
    "kho ma",
    "domain",
    "chua mo duoc",
    "ma nguon",
    "repo",
    "github",
    "http",
    "www",
    ".vn",
    ".com",
    ".net",
    ".org",
    "tai lieu tham khao",
    "guess",
    "todo",
];

/// Why a resident-facing citation is not one (None when it is a document by kind and number).
pub fn citation_problem(citation: &str) -> Option<&'static str> {
    let folded = crate::search::fold(citation);
    let folded = folded.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.is_empty() {
        return Some("is empty");
    }
    if NOTE_SIGNS.iter().any(|sign| folded.contains(sign)) {
        return Some("reads as a research note, not a law or decision");
    }
    if !DOCUMENT_KINDS.iter().any(|kind| folded.starts_with(kind)) || !citation.chars().any(|c| c.is_ascii_digit()) {
        return Some("does not name a law, decree, circular, resolution or decision by number");
    }
    None
}

/// Sorts a list of procedures (or of things that each name one) as a resident reads it: in dictionary order of
/// the names in `language` (Vietnamese order for Vietnamese: Đ after D, the base letter before its tones).
pub fn sort_for_reading<'a, T>(
    items: &mut [T],
    language: crate::config::Language,
    procedure: impl Fn(&T) -> &'a Procedure,
) {
    let name = |item: &T| -> &'a str {
        let p = procedure(item);
        match language {
            crate::config::Language::Vietnamese => p.name_vi.as_str(),
            crate::config::Language::English => p.name_en.as_str(),
        }
    };
    items.sort_by(|a, b| crate::text::vietnamese_order(name(a), name(b)));
}

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
    for field in &catalogue.fields {
        if !catalogue.procedures.iter().any(|p| p.field == field.id) {
            problems
                .push(format!("field {}: no procedure in it (add its procedures with sources, or drop it)", field.id));
        }
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
        if p.keywords.is_empty() || p.keywords_en.is_empty() {
            problem("no everyday words (keywords, keywords_en) to find it by".into());
        }
        let lists = [&p.keywords, &p.keywords_en, &p.bring_vi, &p.bring_en, &p.steps_vi, &p.steps_en, &p.legal_basis];
        let every = texts.iter().map(|t| t.as_str()).chain(lists.iter().flat_map(|l| l.iter().map(String::as_str)));
        if every.clone().any(|t| !crate::text::is_nfc(t)) {
            problem("a text is not in Unicode NFC".into());
        }
        if p.bring_vi.len() != p.bring_en.len() || p.steps_vi.len() != p.steps_en.len() {
            problem("the Vietnamese and English lists differ in length".into());
        }
        for fact in SHOWN_FACTS {
            if p.sources_of(fact).next().is_none() {
                problem(format!("no source for its {fact}"));
            }
        }
        for source in &p.sources {
            if let Some(unknown) = source.facts.iter().find(|f| !FACTS.contains(&f.as_str())) {
                problem(format!("a source names an unknown fact {unknown}"));
            }
            if !source.cited() {
                problem(format!(
                    "a source of its {} cites nothing a resident can look up (basis, national_database)",
                    source.facts.join(", ")
                ));
            }
            if source.national_database && p.code.is_empty() {
                problem("a source cites the national database but the procedure has no code".into());
            }
            for citation in &source.basis {
                if let Some(why) = citation_problem(citation) {
                    problem(format!("the citation {citation:?} {why}"));
                }
                if !crate::text::is_nfc(citation) {
                    problem("a text is not in Unicode NFC".into());
                }
            }
            if source.note.trim().is_empty() {
                problem("a source has no research note (say where it was found)".into());
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

    #[test]
    fn lists_are_sorted_in_the_language_read() {
        let one = parse(ONE).expect("valid").procedures.remove(0);
        let named = |vi: &str, en: &str| Procedure { name_vi: vi.into(), name_en: en.into(), ..one.clone() };
        let list =
            [named("Đăng ký kết hôn", "Marriage"), named("Cấp bản sao", "Copies"), named("Dân số", "Population")];
        let mut order: Vec<&Procedure> = list.iter().collect();
        sort_for_reading(&mut order, crate::config::Language::Vietnamese, |p| p);
        assert_eq!(order.iter().map(|p| p.name_en.as_str()).collect::<Vec<_>>(), ["Copies", "Population", "Marriage"]);
        sort_for_reading(&mut order, crate::config::Language::English, |p| p);
        assert_eq!(order.iter().map(|p| p.name_en.as_str()).collect::<Vec<_>>(), ["Copies", "Marriage", "Population"]);
    }

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
keywords_en = ["certify signature"]
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
basis = ["Thông tư 226/2016/TT-BTC", "Nghị định 23/2015/NĐ-CP"]
national_database = true
note = "Read in the national database record and the circular's fee table"
checked_at = "2026-11-22"
[[procedure.source]]
facts = ["code", "bring"]
confidence = "secondary"
national_database = true
note = "public mirrors of the national database; not opened on dichvucong.gov.vn"
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
        let broken = ONE
            .replace("\"2.000884\"", "\"2000884\"")
            .replace("facts = [\"code\", \"bring\"]", "facts = [\"colour\", \"bring\"]");
        let problems = parse(&broken).expect_err("broken");
        assert!(problems.iter().any(|p| p.contains("not N.NNNNNN")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("no source for its code")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("unknown fact colour")), "{problems:?}");
        let empty_field = ONE.replace(
            "schema = 1\n",
            "schema = 1\n[[field]]\nid = \"dat-dai\"\nname_vi = \"Đất đai\"\nname_en = \"Land\"\n",
        );
        assert!(parse(&empty_field)
            .expect_err("empty field")
            .iter()
            .any(|p| p.contains("field dat-dai: no procedure")));
        let unknown_key = ONE.replace("home_visit = true", "home_visit = true\ncolour = 1");
        assert!(parse(&unknown_key).expect_err("unknown key")[0].contains("colour"));
    }

    #[test]
    fn code_fee_time_and_papers_each_need_a_source() {
        let no_bring = ONE.replace("facts = [\"code\", \"bring\"]", "facts = [\"code\"]");
        let problems = parse(&no_bring).expect_err("papers without a source");
        assert!(problems.iter().any(|p| p.contains("no source for its bring")), "{problems:?}");
        let no_fee = ONE.replace("facts = [\"fee\", \"time\"]", "facts = [\"time\"]");
        assert!(parse(&no_fee).expect_err("fee").iter().any(|p| p.contains("no source for its fee")));
    }

    #[test]
    fn a_resident_sees_only_laws_decisions_and_the_national_database_never_a_research_note() {
        // The research note is the maintainers' and is never checked for shape.
        let catalogue = parse(ONE).expect("valid");
        assert!(catalogue.procedures[0].sources.iter().all(Source::cited));
        // A source that cites nothing a resident can look up.
        let uncited = ONE.replacen("national_database = true\nnote = \"public", "note = \"public", 1);
        let problems = parse(&uncited).expect_err("no citation");
        assert!(problems.iter().any(|p| p.contains("cites nothing")), "{problems:?}");
        // Research notes, sites and guesses put where residents would read them.
        for note in [
            "domain.md mục 1.1",
            "phỏng đoán [G]",
            "chưa mở được dichvucong.gov.vn",
            "kho mã nguồn công khai",
            "huyendienbien.gov.vn",
            "Nghị định 07/2025 (xtlaw.com.vn)",
            "Nghị định",
            "the circular on fees",
            "",
        ] {
            let bad = ONE.replace("\"Nghị định 23/2015/NĐ-CP\"]\nnational", &format!("{note:?}]\nnational"));
            assert_ne!(bad, ONE);
            let problems = parse(&bad).expect_err(note);
            assert!(problems.iter().any(|p| p.contains("the citation")), "{note:?}: {problems:?}");
        }
        for good in [
            "Luật Hộ tịch 2014",
            "Quyết định 166/QĐ-BHXH ngày 31/01/2019 của Bảo hiểm xã hội Việt Nam",
            "Nghị quyết 06/2020/NQ-HĐND của HĐND TP Hà Nội",
            "Công văn 481/BTP-HTQTCT ngày 04/02/2025 của Bộ Tư pháp",
        ] {
            assert_eq!(citation_problem(good), None, "{good}");
        }
        // The national database needs the procedure's code to be cited.
        let no_code = ONE.replace("code = \"2.000884\"", "code = \"\"");
        assert!(parse(&no_code).expect_err("no code").iter().any(|p| p.contains("has no code")));
    }

    #[test]
    fn every_procedure_has_english_everyday_words() {
        let none = ONE.replace("keywords_en = [\"certify signature\"]", "keywords_en = []");
        assert!(parse(&none).expect_err("no English words").iter().any(|p| p.contains("keywords_en")));
    }
}
