//! Dossier forms as data: for each procedure residents can submit at the kiosk, the questions (one per page),
//! which are required, their help in both languages, questions asked only after a given answer, and the papers
//! to scan with how many pages. The files live in assets/forms/ (schema in assets/forms/README.md), so adding a
//! procedure is a data change; this module reads and checks them, says which questions a set of answers asks,
//! and checks each answer with the rules of `validate`.
//!
//! Must not do: any I/O (the files are passed in as text), or keep answers (the wizard owns them).

use std::collections::BTreeMap;

use crate::validate::{self, Date, Message, Problem, ProblemKind, Sex};

/// What kind of answer a question takes, and so which keyboard and which check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A person's full name (letters with marks, capitals at each word).
    Name,
    /// Free text: letters, digits and simple punctuation (an address, a relationship).
    Text,
    /// A date of birth (no future date).
    BirthDate,
    /// Any past or future date (e.g. the end of an authorisation).
    Date,
    /// A phone number (mobile or Hanoi landline).
    Phone,
    /// The 12-digit personal identification number.
    PersonalNumber,
    /// Digits only (e.g. a social-insurance book number).
    Number,
    /// An e-mail address, typed on the e-mail keyboard (no Telex; `@` and `.`).
    Email,
    /// One of the `option`s.
    Choice,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub id: String,
    pub vi: String,
    pub en: String,
}

/// Ask a question only when an earlier choice has a given answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    pub field: String,
    pub equals: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub id: String,
    pub kind: Kind,
    #[serde(default = "yes")]
    pub required: bool,
    /// The part of the official form it belongs to ("Người ủy quyền"), shown above the question.
    #[serde(default)]
    pub section_vi: String,
    #[serde(default)]
    pub section_en: String,
    pub question_vi: String,
    pub question_en: String,
    #[serde(default)]
    pub help_vi: String,
    #[serde(default)]
    pub help_en: String,
    /// The short name on the check page ("Họ tên người ủy quyền").
    pub label_vi: String,
    pub label_en: String,
    #[serde(default)]
    pub max: Option<usize>,
    #[serde(default, rename = "option")]
    pub options: Vec<Choice>,
    #[serde(default)]
    pub when: Option<When>,
    /// For a personal number: the date of birth question it must agree with.
    #[serde(default)]
    pub birth_date_field: Option<String>,
    /// For a personal number: the choice question giving the sex (options "male"/"female").
    #[serde(default)]
    pub sex_field: Option<String>,
    /// For a date: no day before today (the start of an authorisation signed at the office).
    #[serde(default)]
    pub not_before_today: bool,
    /// For a date: the earlier date question it follows; the answer may not be before that date.
    #[serde(default)]
    pub after_field: Option<String>,
    /// For a date with `after_field`: at most this many calendar months after that date (the 12-month limit of
    /// a pension authorisation). The answer may be the corresponding day, not later.
    #[serde(default)]
    pub within_months: Option<u32>,
}

fn yes() -> bool {
    true
}

/// A paper to scan.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub id: String,
    pub name_vi: String,
    pub name_en: String,
    /// How to place it ("Đặt mặt trước thẻ úp xuống, sát góc trên bên trái").
    pub how_vi: String,
    pub how_en: String,
    /// An ID-sized card (scanned in colour and cropped) rather than a page.
    #[serde(default)]
    pub card: bool,
    #[serde(default = "one")]
    pub min_pages: u32,
    #[serde(default = "one")]
    pub max_pages: u32,
    #[serde(default)]
    pub when: Option<When>,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    pub schema: u32,
    /// The catalogue procedure this form is for.
    pub procedure: String,
    /// The official form it follows ("Mẫu số 13-HSB, QĐ 166/QĐ-BHXH"), and where its fields were taken from.
    pub official_form: String,
    /// Working days from submission to the result, as the catalogue's time says (0: the same working day).
    pub result_working_days: u32,
    pub source: String,
    #[serde(rename = "field")]
    pub fields: Vec<Field>,
    #[serde(default, rename = "document")]
    pub documents: Vec<Document>,
}

/// A form file read and checked, or every problem in it.
pub fn parse(text: &str) -> Result<Form, Vec<String>> {
    let form: Form = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
    let problems = check(&form);
    if problems.is_empty() {
        Ok(form)
    } else {
        Err(problems)
    }
}

fn check(form: &Form) -> Vec<String> {
    let mut problems = Vec::new();
    if form.schema != 1 {
        problems.push(format!("schema {} is not known; this kiosk reads schema 1", form.schema));
    }
    let mut seen: Vec<&str> = Vec::new();
    for field in &form.fields {
        let at = format!("field `{}`", field.id);
        if field.id.is_empty() || !field.id.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit()) {
            problems.push(format!("{at}: an id is lower-case ASCII, digits and _"));
        }
        if seen.contains(&field.id.as_str()) {
            problems.push(format!("{at}: the id is used twice"));
        }
        for text in [&field.question_vi, &field.question_en, &field.label_vi, &field.label_en] {
            if text.trim().is_empty() {
                problems.push(format!("{at}: a question and a label are needed in both languages"));
            }
            if !crate::text::is_nfc(text) {
                problems.push(format!("{at}: text must be NFC"));
            }
        }
        if field.help_vi.is_empty() != field.help_en.is_empty() {
            problems.push(format!("{at}: help in one language but not the other"));
        }
        match (field.kind, field.options.len()) {
            (Kind::Choice, n) if n < 2 => problems.push(format!("{at}: a choice needs at least two options")),
            (Kind::Choice, _) | (_, 0) => {}
            _ => problems.push(format!("{at}: only a choice has options")),
        }
        if let Some(when) = &field.when {
            problems.extend(check_when(form, &seen, when, &at));
        }
        for (reference, kind) in [(&field.birth_date_field, Kind::BirthDate), (&field.sex_field, Kind::Choice)] {
            if let Some(id) = reference {
                let earlier = form.fields.iter().find(|f| &f.id == id && seen.contains(&f.id.as_str()));
                if earlier.is_none_or(|f| f.kind != kind) || field.kind != Kind::PersonalNumber {
                    problems.push(format!("{at}: `{id}` must be an earlier {kind:?} question, on a personal number"));
                }
            }
        }
        if field.not_before_today && field.kind != Kind::Date {
            problems.push(format!("{at}: `not_before_today` is for a date"));
        }
        if let Some(id) = &field.after_field {
            let earlier = form.fields.iter().find(|f| &f.id == id && seen.contains(&f.id.as_str()));
            if earlier.is_none_or(|f| f.kind != Kind::Date) || field.kind != Kind::Date {
                problems.push(format!("{at}: `after_field` `{id}` must be an earlier date question, on a date"));
            }
        }
        match (field.within_months, &field.after_field) {
            (Some(months), Some(_)) if (1..=1200).contains(&months) => {}
            (Some(_), Some(_)) => problems.push(format!("{at}: `within_months` is 1 to 1200")),
            (Some(_), None) => problems.push(format!("{at}: `within_months` needs `after_field`")),
            (None, _) => {}
        }
        seen.push(&field.id);
    }
    let mut documents: Vec<&str> = Vec::new();
    for document in &form.documents {
        let at = format!("document `{}`", document.id);
        if documents.contains(&document.id.as_str()) {
            problems.push(format!("{at}: the id is used twice"));
        }
        documents.push(&document.id);
        if document.min_pages > document.max_pages || document.max_pages == 0 || document.max_pages > 10 {
            problems.push(format!("{at}: pages must be 1 to 10 with min_pages <= max_pages"));
        }
        if let Some(when) = &document.when {
            problems.extend(check_when(form, &seen, when, &at));
        }
    }
    problems
}

fn check_when(form: &Form, earlier: &[&str], when: &When, at: &str) -> Option<String> {
    let field = form.fields.iter().find(|f| f.id == when.field && earlier.contains(&f.id.as_str()));
    match field {
        Some(f) if f.kind == Kind::Choice && f.options.iter().any(|o| o.id == when.equals) => None,
        _ => Some(format!("{at}: `when` must name an earlier choice and one of its options")),
    }
}

/// The answers so far: field id to the answer as stored (tidied, NFC; a choice's option id).
pub type Answers = BTreeMap<String, String>;

fn applies(when: &Option<When>, answers: &Answers) -> bool {
    when.as_ref().is_none_or(|w| answers.get(&w.field) == Some(&w.equals))
}

impl Form {
    /// The questions these answers ask, in order (a question whose condition is not met is skipped).
    pub fn questions<'a>(&'a self, answers: &Answers) -> Vec<&'a Field> {
        self.fields.iter().filter(|f| applies(&f.when, answers)).collect()
    }

    /// The papers these answers need scanned.
    pub fn papers<'a>(&'a self, answers: &Answers) -> Vec<&'a Document> {
        self.documents.iter().filter(|d| applies(&d.when, answers)).collect()
    }

    pub fn field(&self, id: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.id == id)
    }

    /// Only the answers to questions still asked (a changed choice drops the answers it no longer asks for).
    pub fn keep_asked(&self, answers: &mut Answers) {
        let asked: Vec<String> = self.questions(answers).iter().map(|f| f.id.clone()).collect();
        answers.retain(|id, _| asked.contains(id));
    }

    /// The first question asked but not answered (required ones only).
    pub fn first_unanswered<'a>(&'a self, answers: &Answers) -> Option<&'a Field> {
        self.questions(answers).into_iter().find(|f| f.required && !answers.contains_key(&f.id))
    }

    /// Checks `typed` as the answer to `field`, given the other answers (a personal number against the date of
    /// birth and sex given before). Returns the answer to store.
    pub fn check_answer(&self, field: &Field, typed: &str, answers: &Answers, today: Date) -> Result<String, Problem> {
        let typed = typed.trim();
        if typed.is_empty() {
            return if field.required {
                Err(Problem { kind: ProblemKind::Empty, message: Message::AnswerNeeded })
            } else {
                Ok(String::new())
            };
        }
        let max = field.max.unwrap_or(100);
        match field.kind {
            Kind::Name => validate::name(typed, max),
            Kind::Text => crate::visit::street(typed).map_err(|mut p| {
                if p.kind == ProblemKind::TooShort {
                    p.message = Message::AnswerTooShort;
                }
                p
            }),
            Kind::BirthDate => validate::birth_date(typed, today).map(|d| d.to_string()),
            Kind::Date => self.date_in_range(field, typed, answers, today).map(|d| d.to_string()),
            Kind::Phone => validate::phone(typed).map(|p| p.digits().to_owned()),
            Kind::Email => validate::email(typed),
            Kind::Number => {
                let digits: String = typed.chars().filter(|c| *c != ' ').collect();
                if digits.chars().all(|c| c.is_ascii_digit()) && digits.len() <= max {
                    Ok(digits)
                } else {
                    Err(Problem { kind: ProblemKind::NotDigits, message: Message::DigitsOnly { max } })
                }
            }
            Kind::PersonalNumber => {
                let born = field
                    .birth_date_field
                    .as_ref()
                    .and_then(|id| answers.get(id))
                    .and_then(|text| validate::parse_date(text).ok());
                let sex = field.sex_field.as_ref().and_then(|id| answers.get(id)).and_then(|s| match s.as_str() {
                    "male" => Some(Sex::Male),
                    "female" => Some(Sex::Female),
                    _ => None,
                });
                validate::personal_number(typed, born, sex).map(|n| n.digits)
            }
            Kind::Choice => field
                .options
                .iter()
                .find(|o| o.id == typed)
                .map(|o| o.id.clone())
                .ok_or(Problem { kind: ProblemKind::Empty, message: Message::ChooseOne }),
        }
    }

    /// A date answer within its field's limits: not before today (`not_before_today`), not before the date it
    /// follows (`after_field`), at most `within_months` months after it.
    fn date_in_range(&self, field: &Field, typed: &str, answers: &Answers, today: Date) -> Result<Date, Problem> {
        let date = validate::parse_date(typed)?;
        if field.not_before_today && date < today {
            return Err(Problem { kind: ProblemKind::TooEarly, message: Message::DateInThePast });
        }
        let start =
            field.after_field.as_ref().and_then(|id| answers.get(id)).and_then(|t| validate::parse_date(t).ok());
        let Some(start) = start else { return Ok(date) };
        if date < start {
            let message = Message::DateBeforeStart { start: start.to_string() };
            return Err(Problem { kind: ProblemKind::TooEarly, message });
        }
        if let Some(months) = field.within_months {
            let latest = start.add_months(months);
            if date > latest {
                let message = Message::DateTooFarAfter { months, start: start.to_string(), latest: latest.to_string() };
                return Err(Problem { kind: ProblemKind::TooLate, message });
            }
        }
        Ok(date)
    }

    /// The later questions whose answers are checked against `id`'s (a date that follows it, a personal number
    /// that agrees with a date of birth or a sex), in order.
    pub fn dependents<'a>(&'a self, id: &str) -> Vec<&'a Field> {
        let id = Some(id);
        self.fields
            .iter()
            .filter(|f| [&f.after_field, &f.birth_date_field, &f.sex_field].iter().any(|r| r.as_deref() == id))
            .collect()
    }

    /// The answer as the check page shows it (a choice's words, a phone grouped).
    pub fn shown(&self, field: &Field, answer: &str, english: bool) -> String {
        match field.kind {
            Kind::Choice => field
                .options
                .iter()
                .find(|o| o.id == answer)
                .map(|o| if english { o.en.clone() } else { o.vi.clone() })
                .unwrap_or_default(),
            _ => answer.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: Date = Date { year: 2026, month: 11, day: 29 };

    const SMALL: &str = r#"
schema = 1
procedure = "dang-ky-khai-sinh"
official_form = "test"
result_working_days = 0
source = "test"

[[field]]
id = "relation"
kind = "choice"
question_vi = "Quan hệ?"
question_en = "Relation?"
label_vi = "Quan hệ"
label_en = "Relation"
[[field.option]]
id = "mother"
vi = "Mẹ"
en = "Mother"
[[field.option]]
id = "other"
vi = "Khác"
en = "Other"

[[field]]
id = "relation_text"
kind = "text"
when = { field = "relation", equals = "other" }
question_vi = "Là gì?"
question_en = "What?"
label_vi = "Là"
label_en = "Is"

[[field]]
id = "born"
kind = "birth_date"
question_vi = "Sinh ngày?"
question_en = "Born?"
label_vi = "Ngày sinh"
label_en = "Born"

[[field]]
id = "sex"
kind = "choice"
question_vi = "Giới tính?"
question_en = "Sex?"
label_vi = "Giới tính"
label_en = "Sex"
[[field.option]]
id = "male"
vi = "Nam"
en = "Male"
[[field.option]]
id = "female"
vi = "Nữ"
en = "Female"

[[field]]
id = "number"
kind = "personal_number"
birth_date_field = "born"
sex_field = "sex"
question_vi = "Số định danh?"
question_en = "Number?"
label_vi = "Số định danh"
label_en = "Number"

[[document]]
id = "proof"
name_vi = "Giấy tờ"
name_en = "Paper"
how_vi = "Úp xuống"
how_en = "Face down"
when = { field = "relation", equals = "other" }
"#;

    #[test]
    fn conditional_questions_and_papers() {
        let form = parse(SMALL).expect("valid");
        let mut answers = Answers::new();
        assert_eq!(form.questions(&answers).len(), 4, "the condition is not met yet");
        answers.insert("relation".into(), "other".into());
        assert_eq!(form.questions(&answers).len(), 5);
        assert_eq!(form.papers(&answers).len(), 1);
        answers.insert("relation_text".into(), "Cô ruột".into());
        answers.insert("relation".into(), "mother".into());
        form.keep_asked(&mut answers);
        assert!(!answers.contains_key("relation_text"), "an answer no longer asked for is dropped");
        assert!(form.papers(&answers).is_empty());
        assert_eq!(form.first_unanswered(&answers).map(|f| f.id.as_str()), Some("born"));
    }

    #[test]
    fn answers_are_checked_by_kind_and_against_each_other() {
        let form = parse(SMALL).expect("valid");
        let field = |id| form.field(id).expect("field");
        let mut answers = Answers::new();
        assert_eq!(form.check_answer(field("born"), "5/3/1948", &answers, TODAY), Ok("05/03/1948".into()));
        answers.insert("born".into(), "05/03/1948".into());
        answers.insert("sex".into(), "female".into());
        assert_eq!(form.check_answer(field("number"), "001148000123", &answers, TODAY), Ok("001148000123".into()));
        let wrong = form.check_answer(field("number"), "001048000123", &answers, TODAY);
        assert_eq!(wrong.map_err(|p| p.kind), Err(ProblemKind::SexMismatch));
        assert_eq!(
            form.check_answer(field("relation"), "nobody", &answers, TODAY).map_err(|p| p.kind),
            Err(ProblemKind::Empty)
        );
        assert_eq!(form.check_answer(field("born"), "", &answers, TODAY).map_err(|p| p.kind), Err(ProblemKind::Empty));
        assert_eq!(form.shown(field("sex"), "female", true), "Female");
    }

    const PERIOD: &str = r#"
schema = 1
procedure = "uy-quyen-nhan-luong-huu"
official_form = "test"
result_working_days = 0
source = "test"

[[field]]
id = "from"
kind = "date"
not_before_today = true
question_vi = "Từ ngày?"
question_en = "From?"
label_vi = "Từ ngày"
label_en = "From"

[[field]]
id = "until"
kind = "date"
after_field = "from"
within_months = 12
question_vi = "Đến ngày?"
question_en = "Until?"
label_vi = "Đến ngày"
label_en = "Until"
"#;

    /// A period with a start and an end at most 12 months later: the end is refused before the start or past the
    /// limit, with the start and the latest allowed end in the message; the corresponding day itself is allowed.
    #[test]
    fn an_end_date_is_checked_against_its_start_and_the_limit_in_months() {
        let form = parse(PERIOD).expect("valid");
        let field = |id| form.field(id).expect("field");
        let mut answers = Answers::new();
        let problem = form.check_answer(field("from"), "28/11/2026", &answers, TODAY).expect_err("yesterday");
        assert_eq!((problem.kind, problem.message), (ProblemKind::TooEarly, Message::DateInThePast));
        assert_eq!(form.check_answer(field("from"), "29112026", &answers, TODAY), Ok("29/11/2026".into()), "today");
        answers.insert("from".into(), "01/12/2026".into());
        let before = form.check_answer(field("until"), "30/11/2026", &answers, TODAY).expect_err("before the start");
        assert_eq!(before.message, Message::DateBeforeStart { start: "01/12/2026".into() });
        assert_eq!(form.check_answer(field("until"), "01/12/2027", &answers, TODAY), Ok("01/12/2027".into()));
        let late = form.check_answer(field("until"), "02/12/2027", &answers, TODAY).expect_err("a day too late");
        assert_eq!(late.kind, ProblemKind::TooLate);
        assert_eq!(
            late.message,
            Message::DateTooFarAfter { months: 12, start: "01/12/2026".into(), latest: "01/12/2027".into() }
        );
        // From 29 February, the limit ends on the last day of February a year later.
        answers.insert("from".into(), "29/02/2028".into());
        assert_eq!(form.check_answer(field("until"), "28/02/2029", &answers, TODAY), Ok("28/02/2029".into()));
        let after = form.check_answer(field("until"), "01/03/2029", &answers, TODAY).map_err(|p| p.kind);
        assert_eq!(after, Err(ProblemKind::TooLate));
        assert_eq!(form.dependents("from").iter().map(|f| f.id.as_str()).collect::<Vec<_>>(), ["until"]);
        assert!(form.dependents("until").is_empty());
    }

    #[test]
    fn date_limits_must_name_an_earlier_date() {
        for (broken, says) in [
            (PERIOD.replace("after_field = \"from\"", "after_field = \"nowhere\""), "`after_field`"),
            (PERIOD.replace("after_field = \"from\"\n", ""), "`within_months` needs"),
            (PERIOD.replace("within_months = 12", "within_months = 0"), "1 to 1200"),
            (PERIOD.replace("kind = \"date\"\nnot_before_today", "kind = \"text\"\nnot_before_today"), "for a date"),
        ] {
            let problems = parse(&broken).expect_err("broken");
            assert!(problems.iter().any(|p| p.contains(says)), "{says}: {problems:?}");
        }
    }

    /// Every procedure the catalogue says can be submitted here has a valid form, and every form a procedure.
    #[test]
    fn the_shipped_forms_cover_every_submittable_procedure() {
        let catalogue =
            crate::catalogue::parse(include_str!("../../../assets/catalogue/procedures.toml")).expect("valid");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/forms");
        let mut covered = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("assets/forms") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "toml") {
                let form = parse(&std::fs::read_to_string(&path).expect("readable"))
                    .unwrap_or_else(|problems| panic!("{}: {problems:#?}", path.display()));
                let procedure = catalogue.procedures.iter().find(|p| p.id == form.procedure);
                assert!(
                    procedure.is_some_and(|p| p.kiosk_submission),
                    "{}: not a submittable procedure",
                    path.display()
                );
                assert_eq!(path.file_stem().and_then(|s| s.to_str()), Some(form.procedure.as_str()));
                covered.push(form.procedure);
            }
        }
        for procedure in catalogue.procedures.iter().filter(|p| p.kiosk_submission) {
            assert!(covered.contains(&procedure.id), "{} has no form in assets/forms", procedure.id);
        }
    }

    #[test]
    fn broken_forms_are_refused_with_every_problem() {
        let broken = SMALL.replace("id = \"relation_text\"", "id = \"born\"").replace(
            "equals = \"other\" }\nquestion_vi = \"Là gì?\"",
            "equals = \"nobody\" }\nquestion_vi = \"Là gì?\"",
        );
        let problems = parse(&broken).expect_err("broken");
        assert!(problems.iter().any(|p| p.contains("used twice")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("`when` must name")), "{problems:?}");
    }
}
