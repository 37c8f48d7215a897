//! Asking the ward's mobile team (Tổ Hành chính công xung kích, Hanoi KH 63/KH-UBND of 13/02/2026) to come to
//! someone who cannot come to a service point: the questions, in order, one per page; which come next; what a
//! complete request is; and the form the portal receives.
//!
//! Must not do: any I/O, or keep answers anywhere but the `Answers` value the screen owns (dropping it is the
//! wipe).

use crate::validate::{Message, Phone, Problem, ProblemKind};

/// The questions, in the order they are asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    ForWhom,
    Name,
    /// Only when asking for someone else: who is asking.
    Requester,
    Phone,
    Ward,
    Street,
    Need,
    When,
}

/// What the visit is for: a procedure from the catalogue the team does at home, or something else the team
/// will ask about on the phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    Procedure { id: String, code: String, name_vi: String, name_en: String },
    Other,
}

/// The procedure whose paper the team brings to be signed in front of them (certifying the signature on a
/// pension authorisation): the resident must not sign it before.
const SIGNED_IN_FRONT_OF_THE_TEAM: &str = "2.000884";

impl Need {
    /// What needs doing in both languages, as the confirmation slip prints it.
    pub fn names(&self) -> (&str, &str) {
        match self {
            Need::Procedure { name_vi, name_en, .. } => (name_vi, name_en),
            Need::Other => ("Việc khác", "Something else"),
        }
    }

    /// The paper is signed in front of the team, not before.
    pub fn signed_in_front_of_the_team(&self) -> bool {
        matches!(self, Need::Procedure { code, .. } if code == SIGNED_IN_FRONT_OF_THE_TEAM)
    }
}

/// When the visit would suit best.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    AnyTime,
    Morning,
    Afternoon,
}

/// Everything answered so far. `Default` is nothing answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answers {
    pub for_relative: Option<bool>,
    pub name: String,
    pub requester: String,
    pub phone: Option<Phone>,
    /// The ward's GSO code.
    pub ward: Option<String>,
    pub street: String,
    pub need: Option<Need>,
    pub when: Option<When>,
}

/// Longest answers accepted (names as on an ID card; a street address line).
pub const NAME_MAX: usize = 60;
pub const STREET_MAX: usize = 100;

impl Answers {
    /// The questions this request asks, in order (who is asking only when it is for someone else).
    pub fn questions(&self) -> Vec<Question> {
        let mut questions = vec![Question::ForWhom, Question::Name];
        if self.for_relative == Some(true) {
            questions.push(Question::Requester);
        }
        questions.extend([Question::Phone, Question::Ward, Question::Street, Question::Need, Question::When]);
        questions
    }

    /// The question after `question`, or `None` when the next page is the check page.
    pub fn after(&self, question: Question) -> Option<Question> {
        let questions = self.questions();
        let at = questions.iter().position(|q| *q == question)?;
        questions.get(at + 1).copied()
    }

    /// The question before `question` (`None` before the first: back to the introduction).
    pub fn before(&self, question: Question) -> Option<Question> {
        let questions = self.questions();
        let at = questions.iter().position(|q| *q == question)?;
        at.checked_sub(1).map(|i| questions[i])
    }

    /// 1-based position of `question`, and how many questions there are.
    pub fn progress(&self, question: Question) -> (usize, usize) {
        let questions = self.questions();
        (questions.iter().position(|q| *q == question).map_or(0, |i| i + 1), questions.len())
    }

    pub fn answered(&self, question: Question) -> bool {
        match question {
            Question::ForWhom => self.for_relative.is_some(),
            Question::Name => !self.name.is_empty(),
            Question::Requester => !self.requester.is_empty(),
            Question::Phone => self.phone.is_some(),
            Question::Ward => self.ward.is_some(),
            Question::Street => !self.street.is_empty(),
            Question::Need => self.need.is_some(),
            Question::When => self.when.is_some(),
        }
    }

    /// The first question not answered yet (after a "Change" that made a new question appear).
    pub fn first_unanswered(&self) -> Option<Question> {
        self.questions().into_iter().find(|q| !self.answered(*q))
    }

    /// The request to send, once every question is answered.
    pub fn request(&self, language: &str) -> Option<VisitRequest> {
        if self.first_unanswered().is_some() {
            return None;
        }
        let ward = crate::wards::Wards::hanoi().by_code(self.ward.as_deref()?)?;
        Some(VisitRequest {
            kind: "home_visit",
            for_relative: self.for_relative?,
            person_name: self.name.clone(),
            requester_name: (self.for_relative == Some(true)).then(|| self.requester.clone()),
            phone: self.phone.as_ref()?.digits().to_owned(),
            ward_code: ward.code.clone(),
            ward_name: ward.full_name.clone(),
            street: self.street.clone(),
            procedure_id: match self.need.as_ref()? {
                Need::Procedure { id, .. } => Some(id.clone()),
                Need::Other => None,
            },
            procedure_code: match self.need.as_ref()? {
                Need::Procedure { code, .. } => Some(code.clone()),
                Need::Other => None,
            },
            when: self.when?,
            language: language.to_owned(),
        })
    }
}

/// Checks the street-and-house line: letters, digits, spaces and , . / - only, 3 to [`STREET_MAX`] characters.
pub fn street(typed: &str) -> Result<String, Problem> {
    let line = crate::text::nfc(typed.split_whitespace().collect::<Vec<_>>().join(" ").as_str());
    let problem = |kind, message| Problem { kind, message };
    if line.is_empty() {
        return Err(problem(ProblemKind::Empty, Message::StreetEmpty));
    }
    if line.chars().count() < 3 {
        return Err(problem(ProblemKind::TooShort, Message::StreetTooShort));
    }
    if line.chars().count() > STREET_MAX {
        return Err(problem(ProblemKind::TooLong, Message::StreetTooLong));
    }
    if !line.chars().all(|c| c.is_alphanumeric() || matches!(c, ' ' | ',' | '.' | '/' | '-')) {
        return Err(problem(ProblemKind::NotLetters, Message::StreetCharacters));
    }
    Ok(line)
}

/// Groups a phone number's digits for reading: 0912 345 678, 024 3825 1234.
pub fn phone_for_reading(digits: &str) -> String {
    let cut: &[usize] = if digits.starts_with("02") { &[3, 7] } else { &[4, 7] };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if cut.contains(&i) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// The GSO code of the Hanoi ward with this name (accents and case aside): the kiosk's own, from its
/// configuration, offered first on the ward page.
pub fn ward_named(name: &str) -> Option<String> {
    let wanted = crate::search::fold(name);
    crate::wards::Wards::hanoi()
        .ward
        .iter()
        .find(|w| crate::search::fold(&w.full_name) == wanted)
        .map(|w| w.code.clone())
}

/// The form the portal receives (JSON), sealed in the outbox like a dossier's.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VisitRequest {
    pub kind: &'static str,
    pub for_relative: bool,
    pub person_name: String,
    pub requester_name: Option<String>,
    pub phone: String,
    pub ward_code: String,
    pub ward_name: String,
    pub street: String,
    pub procedure_id: Option<String>,
    pub procedure_code: Option<String>,
    pub when: When,
    /// The language the resident used (the team calls back in it).
    pub language: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(for_relative: bool) -> Answers {
        Answers {
            for_relative: Some(for_relative),
            name: "Nguyễn Thị Hòa".into(),
            requester: if for_relative { "Trần Văn Minh".into() } else { String::new() },
            phone: Some(crate::validate::phone("0912345678").expect("valid")),
            ward: Some("00167".into()),
            street: "Số 5 ngõ 12 Trần Thái Tông".into(),
            need: Some(Need::Procedure {
                id: "uy-quyen-nhan-luong-huu".into(),
                code: "2.000884".into(),
                name_vi: "Ủy quyền nhận lương hưu".into(),
                name_en: "Pension authorisation".into(),
            }),
            when: Some(When::Morning),
        }
    }

    #[test]
    fn who_is_asking_is_asked_only_for_someone_else() {
        let mut answers = Answers::default();
        assert_eq!(answers.first_unanswered(), Some(Question::ForWhom));
        answers.for_relative = Some(false);
        assert_eq!(answers.after(Question::Name), Some(Question::Phone));
        assert_eq!(answers.progress(Question::When), (7, 7));
        answers.for_relative = Some(true);
        assert_eq!(answers.after(Question::Name), Some(Question::Requester));
        assert_eq!(answers.before(Question::Phone), Some(Question::Requester));
        assert_eq!(answers.progress(Question::When), (8, 8));
        assert_eq!(answers.before(Question::ForWhom), None);
        assert_eq!(answers.after(Question::When), None, "then the check page");
    }

    #[test]
    fn a_request_needs_every_answer() {
        let answers = complete(true);
        let request = answers.request("vi").expect("complete");
        assert_eq!(request.ward_name, "Phường Cầu Giấy");
        assert_eq!(request.requester_name.as_deref(), Some("Trần Văn Minh"));
        assert_eq!(request.procedure_code.as_deref(), Some("2.000884"));
        // Changing "for whom" to someone else makes a new question appear, unanswered.
        let mut changed = complete(false);
        assert!(changed.request("vi").expect("complete").requester_name.is_none());
        changed.for_relative = Some(true);
        assert_eq!(changed.first_unanswered(), Some(Question::Requester));
        assert!(changed.request("vi").is_none());
        let mut unknown_ward = complete(false);
        unknown_ward.ward = Some("99999".into());
        assert!(unknown_ward.request("vi").is_none());
    }

    #[test]
    fn phones_are_grouped_for_reading_and_the_kiosks_ward_is_found_by_name() {
        assert_eq!(phone_for_reading("0912345678"), "0912 345 678");
        assert_eq!(phone_for_reading("02438251234"), "024 3825 1234");
        assert_eq!(ward_named("phuong hoan kiem").as_deref(), Some("00070"));
        assert_eq!(ward_named("Nowhere"), None);
    }

    #[test]
    fn street_lines() {
        assert_eq!(street("  Số 5,  ngõ 12/3 Trần Thái Tông "), Ok("Số 5, ngõ 12/3 Trần Thái Tông".into()));
        assert_eq!(street("Thôn Đoài"), Ok("Thôn Đoài".into()));
        assert_eq!(street("").map_err(|p| p.kind), Err(ProblemKind::Empty));
        assert_eq!(street("5").map_err(|p| p.kind), Err(ProblemKind::TooShort));
        assert_eq!(street("số 5 <b>").map_err(|p| p.kind), Err(ProblemKind::NotLetters));
        assert_eq!(street(&"a".repeat(101)).map_err(|p| p.kind), Err(ProblemKind::TooLong));
    }
}
