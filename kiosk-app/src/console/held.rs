//! The console's held-dossiers pages: what the kiosk keeps while the city's system is away (or refused as it
//! stood), opened for the counter, and "taken in by hand" with the counter's register number (seed 004: when the
//! system is down the counter takes dossiers in manually). The list shows no personal data; opening one shows the
//! resident's answers and pages to the signed-in staff member and is written in the audit log.
//! Must not do: log what a dossier says, or let a page of it be cached by the browser.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use kiosk_core::config::Language;
use kiosk_core::outbox::State as OutboxState;
use kiosk_core::portal::Kind;
use maud::{html, Markup};
use serde::Deserialize;

use super::{back, frame, page_response, signed, signed_form, signed_page, Tokened};
use crate::counter_api::CounterApi;
use crate::held::{self, catalogue, forms, Held};
use crate::outbox::resident::short_reference;
use crate::outbox::store::{Held as HeldRow, Taken};
use crate::words;

fn held_of(api: &CounterApi) -> Option<&Arc<Held>> {
    api.setup.held.as_ref()
}

fn kind_text(kind: Kind, language: Language) -> String {
    match kind {
        Kind::Dossier => words::tr(language, "Dossier"),
        Kind::HomeVisit => words::tr(language, "Home visit"),
        Kind::Booking => words::tr(language, "Booking"),
    }
}

fn state_text(row: &HeldRow, language: Language) -> String {
    match row.state {
        OutboxState::Quarantined => words::tr(language, "Refused by the city's system: with staff"),
        OutboxState::Sending => words::tr(language, "Being sent now"),
        _ if row.attempts == 0 => words::tr(language, "Waiting to be sent"),
        _ => words::trf(language, "Waiting: {} tries so far", &[&row.attempts]),
    }
}

fn when(at: i64) -> String {
    crate::clock::local_written(at)
}

fn procedure_name(code: Option<&str>, language: Language) -> String {
    let Some(code) = code else { return String::new() };
    // Named only when one catalogue entry has the code (several entries can share a national code; the opened
    // dossier names its own from the form).
    let catalogue = catalogue();
    match catalogue.procedures.iter().filter(|p| p.code == code).collect::<Vec<_>>().as_slice() {
        [one] => format!("{} ({code})", words::either(language, &one.name_vi, &one.name_en)),
        _ => code.to_owned(),
    }
}

fn unavailable(language: Language) -> String {
    words::tr(language, "This kiosk keeps no copies for the counter. Ask the technician to check its configuration.")
}

fn failed(language: Language) -> String {
    words::tr(
        language,
        "The kiosk could not read its held dossiers. Nothing was lost; try again, and if it persists call the technician.",
    )
}

pub(super) async fn list_page(State(api): State<Arc<CounterApi>>, headers: HeaderMap) -> Response {
    let (language, session, mut message) = match signed_page(&api, &headers) {
        Ok(page) => page,
        Err(redirect) => return *redirect,
    };
    let had = message.is_some();
    let rows = match held_of(&api).map(|h| h.list()) {
        Some(Ok(rows)) => rows,
        Some(Err(error)) => {
            tracing::error!(error = %format!("{error:#}"), "the held dossiers could not be listed");
            message = Some((false, failed(language)));
            Vec::new()
        }
        None => {
            message = Some((false, unavailable(language)));
            Vec::new()
        }
    };
    let body = html! {
        section.card aria-labelledby="held-title" {
            h2 #held-title { (words::tr(language, "Not yet with the city's system")) }
            p { (words::tr(language, "The kiosk keeps these and sends each by itself as soon as the city's system answers; nothing needs doing for that. When the system stays down and the resident is at the counter, open the dossier, take the papers in by hand as when the system is down, and write the counter's register number: the kiosk then never sends it and tells the city's system.")) }
            p { a #read-paper href="/staff/intake" { (words::tr(language, "Read a counter paper")) } ": " (words::tr(language, "a resident brings a paper printed by a kiosk, possibly another one; its codes give back the answers.")) }
            @if rows.is_empty() {
                p #held-none { (words::tr(language, "Nothing is waiting: everything reached the city's system.")) }
            } @else {
                table #held-list {
                    thead { tr {
                        th scope="col" { (words::tr(language, "Reference")) }
                        th scope="col" { (words::tr(language, "What")) }
                        th scope="col" { (words::tr(language, "Procedure")) }
                        th scope="col" { (words::tr(language, "Finished at the kiosk")) }
                        th scope="col" { (words::tr(language, "Pages")) }
                        th scope="col" { (words::tr(language, "State")) }
                        th scope="col" { span.visually-hidden { (words::tr(language, "Actions")) } }
                    } }
                    tbody {
                        @for row in &rows {
                            @let reference = short_reference(&row.id);
                            tr {
                                th scope="row" { (reference) }
                                td { (kind_text(row.kind, language)) }
                                td { (procedure_name(row.procedure_code.as_deref(), language)) }
                                td { (when(row.created_at)) }
                                td { (row.page_count) }
                                td.warn-text[row.state == OutboxState::Quarantined] { (state_text(row, language)) }
                                td { a href={ "/staff/held/" (row.id) } { (words::trf(language, "Open {}", &[&reference])) } }
                            }
                        }
                    }
                }
            }
        }
    };
    page_response(frame(language, &words::tr(language, "Held dossiers"), Some(&session), message, body), had)
}

pub(super) async fn open_page(
    State(api): State<Arc<CounterApi>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let (language, session, message) = match signed_page(&api, &headers) {
        Ok(page) => page,
        Err(redirect) => return *redirect,
    };
    let had = message.is_some();
    let Some(held) = held_of(&api) else { return back("/staff/held", false, &unavailable(language)) };
    let opened = match held.open(&id) {
        Ok(Some(opened)) => opened,
        Ok(None) => return back("/staff/held", false, &gone_text(held, &id, language)),
        Err(error) => {
            tracing::error!(error = %format!("{error:#}"), "a held dossier could not be opened");
            return back("/staff/held", false, &failed(language));
        }
    };
    let reference = short_reference(&id);
    api.audit(&session, "held-opened", &reference);
    let reading = held::reading(&opened.form, forms(), catalogue(), language);
    let row = &opened.held;
    let body = html! {
        section.card aria-labelledby="about-title" {
            h2 #about-title { (words::trf(language, "Reference {}", &[&reference])) }
            dl.facts {
                dt { (words::tr(language, "What")) } dd { (kind_text(row.kind, language)) }
                @if let Some(procedure) = &reading.procedure {
                    dt { (words::tr(language, "Procedure")) } dd { (procedure) }
                }
                dt { (words::tr(language, "Finished at the kiosk")) } dd { (when(row.created_at)) }
                dt { (words::tr(language, "State")) } dd { (state_text(row, language)) }
            }
        }
        (answers_card(&reading, "held-answers", language))
        @if !reading.papers.is_empty() {
            section.card aria-labelledby="papers-title" {
                h2 #papers-title { (words::tr(language, "Scanned papers")) }
                @for (name, pages) in &reading.papers {
                    h3 { (name) }
                    ul.held-pages {
                        @for (n, index) in pages.iter().enumerate() {
                            @let alt = words::trf(language, "{}, page {} of {}", &[name, &(n + 1), &pages.len()]);
                            li { a href={ "/staff/held/" (id) "/pages/" (index) } target="_blank" {
                                img src={ "/staff/held/" (id) "/pages/" (index) } alt=(alt) loading="lazy";
                            } }
                        }
                    }
                }
            }
        }
        (take_form(&id, &session.csrf, language))
    };
    page_response(
        frame(language, &words::trf(language, "Held dossier {}", &[&reference]), Some(&session), message, body),
        had,
    )
}

/// What the resident wrote, each answer under its label (`list_id`: the list's element id on this page).
fn answers_card(reading: &held::Reading, list_id: &str, language: Language) -> Markup {
    html! {
        section.card aria-labelledby="answers-title" {
            h2 #answers-title { (words::tr(language, "What the resident wrote")) }
            dl.answers id=(list_id) {
                @for (label, value) in &reading.rows {
                    dt { (label) } dd { (value) }
                }
            }
        }
    }
}

fn take_form(id: &str, csrf: &str, language: Language) -> Markup {
    html! {
        section.card aria-labelledby="take-title" {
            h2 #take-title { (words::tr(language, "Take it in by hand")) }
            p { (words::tr(language, "Check the resident's original papers against these pages, take the dossier in at the counter and write it in the counter's register. Then type the register number here: the kiosk deletes its copies, never sends this dossier, and tells the city's system which register number it has.")) }
            form method="post" action={ "/staff/held/" (id) "/taken" } {
                input type="hidden" name="csrf" value=(csrf);
                label for="register_number" { (words::tr(language, "Register number")) }
                input #register_number name="register_number" type="text" required maxlength="30"
                    autocomplete="off" spellcheck="false" aria-describedby="register-help";
                p #register-help.hint { (words::tr(language, "As written in the counter's register, for example 125/2026: letters, digits, spaces and / - . _, at most 30.")) }
                button.primary type="submit" { (words::tr(language, "Taken in by hand")) }
            }
        }
    }
}

/// Why a dossier is not held any more, for staff.
fn gone_text(held: &Held, id: &str, language: Language) -> String {
    let reference = short_reference(id);
    match held.state(id) {
        Ok(Some(OutboxState::Acknowledged)) => words::trf(
            language,
            "{} has reached the city's system meanwhile: it is handled there now, not by hand.",
            &[&reference],
        ),
        Ok(Some(OutboxState::TakenByHand)) => {
            words::trf(language, "{} was already taken in by hand at a counter.", &[&reference])
        }
        Ok(Some(OutboxState::Sending)) => words::trf(
            language,
            "{} is being sent to the city's system this moment. Wait a minute and look again.",
            &[&reference],
        ),
        _ => words::trf(language, "The kiosk holds no dossier {} for the counter.", &[&reference]),
    }
}

pub(super) async fn page_image(
    State(api): State<Arc<CounterApi>>,
    headers: HeaderMap,
    Path((id, index)): Path<(String, usize)>,
) -> Response {
    if let Err(redirect) = signed(&api, &headers) {
        return *redirect;
    }
    let Some(held) = held_of(&api) else { return StatusCode::NOT_FOUND.into_response() };
    match held.page(&id, index) {
        Ok(Some(jpeg)) => {
            let mut response = jpeg.into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => {
            tracing::error!(error = %format!("{error:#}"), "a held page could not be opened");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[derive(Deserialize)]
pub(super) struct TakeForm {
    csrf: String,
    #[serde(default)]
    register_number: String,
}

impl Tokened for TakeForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub(super) async fn taken(
    State(api): State<Arc<CounterApi>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<TakeForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let (language, session, form) = match signed_form(&api, &headers, form) {
        Ok(signed) => signed,
        Err(redirect) => return *redirect,
    };
    let here = format!("/staff/held/{id}");
    let Some(held) = held_of(&api) else { return back("/staff/held", false, &unavailable(language)) };
    let number = match kiosk_core::outbox::register_number(&form.register_number) {
        Ok(number) => number,
        Err(error) => return back(&here, false, &register_problem(error, language)),
    };
    let reference = short_reference(&id);
    match held.take_by_hand(&id, &number, session.counter, api.now().1) {
        Ok(Taken::Taken) => {
            api.audit(&session, "held-taken-by-hand", &format!("{reference} register {number}"));
            back(
                "/staff/held",
                true,
                &words::trf(
                    language,
                    "{} is recorded as taken in by hand under register number {}. The kiosk will not send it and tells the city's system.",
                    &[&reference, &number],
                ),
            )
        }
        Ok(Taken::NotHeld(_)) => back("/staff/held", false, &gone_text(held, &id, language)),
        Err(error) => {
            tracing::error!(error = %format!("{error:#}"), "a held dossier could not be marked taken by hand");
            back(&here, false, &failed(language))
        }
    }
}

fn register_problem(error: kiosk_core::outbox::RegisterNumberError, language: Language) -> String {
    use kiosk_core::outbox::RegisterNumberError;
    match error {
        RegisterNumberError::Empty => words::tr(language, "Type the number the counter's register gives this dossier."),
        RegisterNumberError::TooLong => words::tr(language, "A register number has at most 30 characters."),
        RegisterNumberError::Characters => {
            words::tr(language, "A register number has only letters, digits, spaces and / - . _")
        }
    }
}

// ---- the paper for the counter ----

/// The form the counter's scanner types a paper's codes into (a keyboard-wedge scanner ends each code with
/// Enter, which in a text area starts the next line).
fn read_form(csrf: &str, language: Language, scanned: &str, focus: bool) -> Markup {
    html! {
        section.card aria-labelledby="read-title" {
            h2 #read-title { (words::tr(language, "Read a counter paper")) }
            p { (words::tr(language, "When the city's system is down, a kiosk prints the resident a paper for the counter with their answers and one or more codes. Click in the box, then scan every code on the paper with the counter's scanner, in any order.")) }
            form method="post" action="/staff/intake" {
                input type="hidden" name="csrf" value=(csrf);
                label for="scanned" { (words::tr(language, "Scanned codes")) }
                textarea #scanned name="scanned" rows="4" required autofocus[focus] autocomplete="off" spellcheck="false"
                    aria-describedby="scanned-help" { (scanned) }
                p #scanned-help.hint { (words::tr(language, "Each code starts with HCC1: and goes on its own line.")) }
                button.primary type="submit" { (words::tr(language, "Read the paper")) }
            }
        }
    }
}

pub(super) async fn intake_page(State(api): State<Arc<CounterApi>>, headers: HeaderMap) -> Response {
    let (language, session, message) = match signed_page(&api, &headers) {
        Ok(page) => page,
        Err(redirect) => return *redirect,
    };
    let had = message.is_some();
    let body = read_form(&session.csrf, language, "", true);
    page_response(frame(language, &words::tr(language, "Read a counter paper"), Some(&session), message, body), had)
}

#[derive(Deserialize)]
pub(super) struct ReadForm {
    csrf: String,
    #[serde(default)]
    scanned: String,
}

impl Tokened for ReadForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

fn intake_problem(problem: &kiosk_core::intake::Problem, language: Language) -> String {
    use kiosk_core::intake::Problem;
    match problem {
        Problem::Empty => words::tr(language, "Nothing was scanned. Click in the box and scan the codes on the paper."),
        Problem::NotOurs => words::tr(
            language,
            "This is not a code from a kiosk's paper for the counter (those start with HCC1:). Scan the codes under \"For the counter\" on the paper.",
        ),
        Problem::Mixed => words::tr(
            language,
            "Codes from two different papers were scanned. Clear the box and scan the codes of one paper only.",
        ),
        Problem::Missing { have, of } => words::trf(
            language,
            "{} of the paper's {} codes are here: scan the others too (any order).",
            &[have, of],
        ),
        Problem::Damaged => words::tr(
            language,
            "A code did not read whole (a crease, a smudge or a missed character). Clear the box and scan again, slowly; if it keeps failing, take the dossier in from the printed answers.",
        ),
    }
}

pub(super) async fn read_intake(
    State(api): State<Arc<CounterApi>>,
    headers: HeaderMap,
    form: Result<Form<ReadForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let (language, session, form) = match signed_form(&api, &headers, form) {
        Ok(signed) => signed,
        Err(redirect) => return *redirect,
    };
    let title = words::tr(language, "Read a counter paper");
    let intake = match kiosk_core::intake::decode(&form.scanned) {
        Ok(intake) => intake,
        Err(problem) => {
            // What was scanned stays in the box (it is the resident's data: never logged, never in a URL).
            let body = read_form(&session.csrf, language, &form.scanned, true);
            let flash = Some((false, intake_problem(&problem, language)));
            return page_response(frame(language, &title, Some(&session), flash, body), false);
        }
    };
    let reference = short_reference(&intake.id);
    api.audit(&session, "counter-paper-read", &format!("{} {reference}", intake.kiosk));
    let reading = held::reading(&intake.form, forms(), catalogue(), language);
    let here = held_of(&api).map(|held| (held.state(&intake.id), held));
    let body = html! {
        section.card aria-labelledby="paper-title" {
            h2 #paper-title { (words::trf(language, "Reference {}", &[&reference])) }
            dl.facts {
                dt { (words::tr(language, "Kept by kiosk")) } dd { (intake.kiosk) }
                @if let Some(procedure) = &reading.procedure {
                    dt { (words::tr(language, "Procedure")) } dd { (procedure) }
                }
            }
            p #paper-where {
                @match &here {
                    Some((Ok(Some(OutboxState::Queued | OutboxState::Quarantined)), _)) => {
                        (words::tr(language, "This kiosk holds the dossier: open it to see the scanned pages, and record it there when you take it in by hand, so the kiosk never sends it."))
                        " "
                        a #paper-open href={ "/staff/held/" (intake.id) } { (words::trf(language, "Open {}", &[&reference])) }
                    }
                    Some((Ok(Some(_)), held)) => { (gone_text(held, &intake.id, language)) }
                    _ => {
                        (words::trf(language, "Kiosk {} keeps this dossier and sends it by itself when the city's system answers. If you take it in by hand, write the kiosk reference {} in the register's notes, so the copy that arrives later is known as the same dossier.", &[&intake.kiosk, &reference]))
                    }
                }
            }
        }
        (answers_card(&reading, "paper-answers", language))
        @if !reading.papers.is_empty() {
            section.card aria-labelledby="papers-title" {
                h2 #papers-title { (words::tr(language, "Scanned papers")) }
                p { (words::tr(language, "The codes do not hold the pages: check the resident's original papers.")) }
                ul #paper-papers {
                    @for (name, pages) in &reading.papers {
                        li { (words::trf(language, "{}: {} pages", &[name, &pages.len()])) }
                    }
                }
            }
        }
        // The next paper's box, not focused: the page opens on what was read.
        (read_form(&session.csrf, language, "", false))
    };
    page_response(frame(language, &title, Some(&session), None, body), false)
}
