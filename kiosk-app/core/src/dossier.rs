//! A dossier being filled in at the kiosk: the pages of the wizard in order (the form's questions, the papers to
//! scan, how to receive the result, the check page, consent), the expected result date, and the form the portal
//! receives. The answers are the form's (`forms::Answers`); scanned pages live in the shell.
//!
//! Must not do: any I/O or clock (today is passed in).

use std::collections::BTreeMap;

use crate::forms::{Answers, Form};
use crate::validate::Date;

/// One page of the wizard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// The form's question with this id.
    Question(String),
    /// The paper with this id, to scan.
    Paper(String),
    /// At the counter, or by post (bưu chính công ích, QĐ 45/2016/QĐ-TTg).
    Delivery,
    /// The address for the post.
    DeliveryAddress,
    Check,
    Consent,
}

/// How the result reaches the resident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    AtTheCounter,
    ByPost,
}

/// Everything chosen besides the form's answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choices {
    pub delivery: Option<Delivery>,
    pub delivery_address: String,
    /// Pages scanned per paper id.
    pub pages: BTreeMap<String, u32>,
    pub consent: bool,
}

/// The wizard's pages for these answers and choices, in order.
pub fn pages(form: &Form, answers: &Answers, choices: &Choices) -> Vec<Page> {
    let mut pages: Vec<Page> = form.questions(answers).into_iter().map(|f| Page::Question(f.id.clone())).collect();
    pages.extend(form.papers(answers).into_iter().map(|d| Page::Paper(d.id.clone())));
    pages.push(Page::Delivery);
    if choices.delivery == Some(Delivery::ByPost) {
        pages.push(Page::DeliveryAddress);
    }
    pages.push(Page::Check);
    pages.push(Page::Consent);
    pages
}

/// The first page not done yet (a required question unanswered, a paper short of pages, no delivery chosen),
/// or the check page when everything is.
pub fn first_missing(form: &Form, answers: &Answers, choices: &Choices) -> Page {
    if let Some(field) = form.first_unanswered(answers) {
        return Page::Question(field.id.clone());
    }
    for paper in form.papers(answers) {
        if choices.pages.get(&paper.id).copied().unwrap_or(0) < paper.min_pages {
            return Page::Paper(paper.id.clone());
        }
    }
    match choices.delivery {
        None => Page::Delivery,
        Some(Delivery::ByPost) if choices.delivery_address.is_empty() => Page::DeliveryAddress,
        _ => Page::Check,
    }
}

/// Days since 1970-01-01, for weekday arithmetic.
fn days(date: Date) -> i64 {
    crate::time::days_from_civil(i64::from(date.year), i64::from(date.month), i64::from(date.day))
}

fn from_days(days: i64) -> Date {
    let (year, month, day) = crate::time::civil_from_days(days);
    Date { year: year as u16, month: month as u8, day: day as u8 }
}

/// 0 = Monday ... 6 = Sunday.
pub fn weekday(date: Date) -> u8 {
    crate::time::weekday_of_days(days(date))
}

/// The expected result date: `working_days` working days after `today` (Saturdays and Sundays skipped; public
/// holidays are not known here, so the receipt says "expected"). A submission on a weekend counts from Monday;
/// 0 working days is the same day, or the next working day on a weekend.
pub fn result_date(today: Date, working_days: u32) -> Date {
    let mut day = days(today);
    let is_weekend = |d: i64| weekday(from_days(d)) >= 5;
    while is_weekend(day) {
        day += 1;
    }
    let mut left = working_days;
    while left > 0 {
        day += 1;
        if !is_weekend(day) {
            left -= 1;
        }
    }
    from_days(day)
}

/// The consent text's version, sent with the dossier so the portal knows what the resident agreed to.
pub const CONSENT_VERSION: &str = "2026-11-29";

/// The form the portal receives (JSON), sealed in the outbox with the scanned pages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DossierForm {
    pub kind: &'static str,
    pub procedure_id: String,
    pub procedure_code: String,
    pub answers: Answers,
    pub delivery: Delivery,
    pub delivery_address: Option<String>,
    /// Papers in the order their pages are attached: id and page count.
    pub papers: Vec<(String, u32)>,
    pub consent_version: &'static str,
    pub language: String,
}

/// The dossier to send, once everything is done and consent given.
pub fn finish(
    form: &Form,
    procedure_code: &str,
    answers: &Answers,
    choices: &Choices,
    language: &str,
) -> Option<DossierForm> {
    if first_missing(form, answers, choices) != Page::Check || !choices.consent {
        return None;
    }
    let delivery = choices.delivery?;
    Some(DossierForm {
        kind: "dossier",
        procedure_id: form.procedure.clone(),
        procedure_code: procedure_code.to_owned(),
        answers: answers.clone(),
        delivery,
        delivery_address: (delivery == Delivery::ByPost).then(|| choices.delivery_address.clone()),
        papers: form
            .papers(answers)
            .into_iter()
            .map(|d| (d.id.clone(), choices.pages.get(&d.id).copied().unwrap_or(0)))
            .collect(),
        consent_version: CONSENT_VERSION,
        language: language.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> Form {
        crate::forms::parse(include_str!("../../../assets/forms/dang-ky-tam-tru.toml")).expect("valid")
    }

    #[test]
    fn weekdays_and_result_dates() {
        let d = |day, month, year| Date { year, month, day };
        assert_eq!(weekday(d(29, 11, 2026)), 6, "29/11/2026 is a Sunday");
        assert_eq!(weekday(d(1, 1, 1970)), 3, "a Thursday");
        assert_eq!(weekday(d(29, 2, 2024)), 3);
        // Friday + 3 working days = Wednesday; Sunday + 0 = Monday; Monday + 7 = Wednesday of the next week.
        assert_eq!(result_date(d(27, 11, 2026), 3), d(2, 12, 2026));
        assert_eq!(result_date(d(29, 11, 2026), 0), d(30, 11, 2026));
        assert_eq!(result_date(d(30, 11, 2026), 7), d(9, 12, 2026));
        assert_eq!(result_date(d(31, 12, 2026), 1), d(1, 1, 2027));
        for n in 0..800 {
            assert_eq!(days(from_days(n * 37 - 5_000)), n * 37 - 5_000);
        }
    }

    #[test]
    fn pages_follow_the_answers_and_the_delivery() {
        let form = form();
        let mut answers = Answers::new();
        let mut choices = Choices::default();
        let all = pages(&form, &answers, &choices);
        assert_eq!(all.first(), Some(&Page::Question("name".into())));
        assert_eq!(all.iter().filter(|p| matches!(p, Page::Paper(_))).count(), 2);
        assert_eq!(all[all.len() - 3..], [Page::Delivery, Page::Check, Page::Consent]);
        choices.delivery = Some(Delivery::ByPost);
        assert!(pages(&form, &answers, &choices).contains(&Page::DeliveryAddress));
        assert_eq!(first_missing(&form, &answers, &choices), Page::Question("name".into()));
        for field in form.questions(&answers) {
            answers.insert(field.id.clone(), "x".into());
        }
        assert_eq!(first_missing(&form, &answers, &choices), Page::Paper("lawful_residence".into()));
        choices.pages.insert("lawful_residence".into(), 1);
        choices.pages.insert("id_card".into(), 1);
        assert_eq!(first_missing(&form, &answers, &choices), Page::Paper("id_card".into()), "both sides of the card");
        choices.pages.insert("id_card".into(), 2);
        assert_eq!(first_missing(&form, &answers, &choices), Page::DeliveryAddress);
        choices.delivery_address = "Số 5 ngõ 12".into();
        assert_eq!(first_missing(&form, &answers, &choices), Page::Check);
        assert!(finish(&form, "1.004194", &answers, &choices, "vi").is_none(), "not without consent");
        choices.consent = true;
        let done = finish(&form, "1.004194", &answers, &choices, "vi").expect("complete");
        assert_eq!(done.papers, vec![("lawful_residence".into(), 1), ("id_card".into(), 2)]);
        assert_eq!(done.delivery_address.as_deref(), Some("Số 5 ngõ 12"));
    }
}
