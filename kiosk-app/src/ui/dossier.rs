//! The dossier wizard's pages: the form (kiosk-core::forms), the answers, the scanned pages and the choices kept
//! on the UI thread and dropped whole when the resident leaves; the page order from kiosk-core::dossier; typing
//! through kiosk-core::keyboard. Scanned pages exist only in memory until the dossier is sent (then sealed in
//! the outbox), so leaving leaves nothing on disk. Scanning, saving and printing happen elsewhere: the shell
//! answers with [`show_scanned`], [`show_dossier_saved`], [`show_dossier_delivered`], ... .

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use kiosk_core::catalogue::Procedure;
use kiosk_core::config::Language;
use kiosk_core::dossier::{self, Choices, Delivery, DossierForm, Page};
use kiosk_core::forms::{Answers, Form, Kind};
use kiosk_core::keyboard::{Capitals, Composer, Key, Pressed};
use kiosk_core::validate::{Problem, ProblemKind};
use kiosk_drivers::scanner::pipeline;
use slint::{ComponentHandle, ModelRc, VecModel};

use super::{
    current_language, model, AppWindow, DossierChoice, DossierRow, DossierStep, Kiosk, PrintState, ProcedureRow,
};

/// Answers shown at once on the check page.
const ROWS_SHOWN: usize = 6;
/// Page previews shown at once on a paper's page (the latest ones).
const PREVIEWS_SHOWN: usize = 3;

/// A dossier being filled in.
struct Wizard {
    form: Form,
    procedure: Procedure,
    answers: Answers,
    choices: Choices,
    /// Scanned pages per paper id.
    scans: BTreeMap<String, Vec<pipeline::Page>>,
    page: Option<Page>,
    composer: Option<Composer>,
    changing: bool,
    row_group: usize,
}

#[derive(Default)]
struct Shared {
    forms: Vec<Form>,
    procedures: Vec<Procedure>,
}

thread_local! {
    static WIZARD: RefCell<Option<Wizard>> = const { RefCell::new(None) };
    static SHARED: RefCell<Shared> = RefCell::new(Shared::default());
}

fn problem(vi: &str, en: &str) -> Problem {
    Problem { kind: ProblemKind::Empty, vi: vi.into(), en: en.into() }
}

pub(super) fn install(ui: &AppWindow) {
    SHARED.with(|s| {
        let mut s = s.borrow_mut();
        s.forms = crate::dossier::forms();
    });
    let kiosk = ui.global::<Kiosk>();
    macro_rules! on {
        ($setter:ident, |$ui:ident $(, $arg:ident)*| $body:expr) => {{
            let weak = ui.as_weak();
            kiosk.$setter(move |$($arg),*| {
                if let Some($ui) = weak.upgrade() {
                    $body
                }
            });
        }};
    }
    on!(on_dossier_start, |ui, id| start(&ui, &id));
    on!(on_dossier_continue, |ui| next(&ui));
    on!(on_dossier_back, |ui| back(&ui));
    on!(on_dossier_go, |ui, index| change(&ui, index));
    on!(on_dossier_key, |ui, key| type_key(&ui, &key));
    on!(on_dossier_choose, |ui, id| choose(&ui, &id));
    on!(on_dossier_drop_page, |ui| drop_page(&ui));
    on!(on_dossier_rows_turn, |ui, by| turn_rows(&ui, by));
}

/// The catalogue's procedures that have a form, for the "which procedure" page (and their facts for the intro).
pub(super) fn set_procedures(ui: &AppWindow, lookup: &crate::lookup::Lookup) {
    let rows: Vec<ProcedureRow> = SHARED.with(|s| {
        let mut s = s.borrow_mut();
        let with_form: Vec<Procedure> = lookup
            .catalogue
            .procedures
            .iter()
            .filter(|p| p.kiosk_submission && s.forms.iter().any(|f| f.procedure == p.id))
            .cloned()
            .collect();
        s.procedures = with_form;
        s.procedures
            .iter()
            .map(|p| ProcedureRow {
                id: p.id.as_str().into(),
                code: p.code.as_str().into(),
                name_vi: p.name_vi.as_str().into(),
                name_en: p.name_en.as_str().into(),
            })
            .collect()
    });
    ui.global::<Kiosk>().set_dossier_procedures(model(rows));
}

/// Forgets the dossier (answers, scanned pages, choices) and shows the list of procedures.
pub fn reset(ui: &AppWindow) {
    WIZARD.with(|w| *w.borrow_mut() = None);
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_dossier_step(DossierStep::Choose);
    for set in [
        Kiosk::set_dossier_name_vi,
        Kiosk::set_dossier_name_en,
        Kiosk::set_dossier_code,
        Kiosk::set_dossier_text,
        Kiosk::set_dossier_selected,
        Kiosk::set_dossier_question_vi,
        Kiosk::set_dossier_question_en,
        Kiosk::set_dossier_section_vi,
        Kiosk::set_dossier_section_en,
        Kiosk::set_dossier_help_vi,
        Kiosk::set_dossier_help_en,
        Kiosk::set_dossier_problem_vi,
        Kiosk::set_dossier_problem_en,
        Kiosk::set_dossier_reference,
        Kiosk::set_dossier_receipt_code,
        Kiosk::set_dossier_result_date,
    ] {
        set(&kiosk, "".into());
    }
    kiosk.set_dossier_page(0);
    kiosk.set_dossier_pages(0);
    kiosk.set_dossier_options(model(Vec::new()));
    kiosk.set_dossier_previews(ModelRc::from(Rc::new(VecModel::<slint::Image>::default())));
    kiosk.set_dossier_rows(model(Vec::new()));
    kiosk.set_dossier_rows_second(model(Vec::new()));
    kiosk.set_dossier_scanned(0);
    kiosk.set_dossier_scanning(false);
    kiosk.set_dossier_waiting(false);
    kiosk.set_dossier_print(PrintState::Idle);
}

fn start(ui: &AppWindow, id: &str) {
    let found = SHARED.with(|s| {
        let s = s.borrow();
        let form = s.forms.iter().find(|f| f.procedure == id)?.clone();
        let procedure = s.procedures.iter().find(|p| p.id == id)?.clone();
        Some((form, procedure))
    });
    let Some((form, procedure)) = found else { return };
    reset(ui);
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_dossier_name_vi(procedure.name_vi.as_str().into());
    kiosk.set_dossier_name_en(procedure.name_en.as_str().into());
    kiosk.set_dossier_code(procedure.code.as_str().into());
    kiosk.set_dossier_fee_vi(procedure.fee_vi.as_str().into());
    kiosk.set_dossier_fee_en(procedure.fee_en.as_str().into());
    kiosk.set_dossier_time_vi(procedure.time_vi.as_str().into());
    kiosk.set_dossier_time_en(procedure.time_en.as_str().into());
    kiosk.set_dossier_handled_by_vi(procedure.handled_by_vi.as_str().into());
    kiosk.set_dossier_handled_by_en(procedure.handled_by_en.as_str().into());
    kiosk.set_dossier_official_form(form.official_form.as_str().into());
    tracing::info!(procedure = %procedure.id, "dossier started");
    WIZARD.with(|w| {
        *w.borrow_mut() = Some(Wizard {
            form,
            procedure,
            answers: Answers::new(),
            choices: Choices::default(),
            scans: BTreeMap::new(),
            page: None,
            composer: None,
            changing: false,
            row_group: 0,
        })
    });
    kiosk.set_dossier_step(DossierStep::Intro);
}

fn set_problem(ui: &AppWindow, problem: Option<&Problem>) {
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_dossier_problem_vi(problem.map_or("", |p| p.vi.as_str()).into());
    kiosk.set_dossier_problem_en(problem.map_or("", |p| p.en.as_str()).into());
}

/// A date typed on the number pad, shown with its slashes as it grows: 0503 -> 05/03.
fn date_shown(digits: &str) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if (i == 2 || i == 4) && c.is_ascii_digit() {
            out.push('/');
        }
        out.push(c);
    }
    out
}

fn keys_for(kind: Kind) -> i32 {
    match kind {
        Kind::Name => 0,
        Kind::Text => 1,
        Kind::BirthDate | Kind::Date | Kind::Phone | Kind::PersonalNumber | Kind::Number => 2,
        Kind::Choice => 3,
    }
}

const DELIVERY_OPTIONS: [(&str, &str, &str); 2] = [
    ("counter", "Nhận tại bộ phận một cửa của cơ quan giải quyết", "At the office's one-stop counter"),
    (
        "post",
        "Gửi qua bưu chính công ích đến địa chỉ của tôi (cước phí tính riêng)",
        "By the public postal service to my address (postage extra)",
    ),
];

/// Shows `page` (None: the check page after a change that left nothing missing).
fn show(ui: &AppWindow, page: Page) {
    let kiosk = ui.global::<Kiosk>();
    set_problem(ui, None);
    let style = super::tone_style();
    WIZARD.with(|w| {
        let mut w = w.borrow_mut();
        let Some(w) = w.as_mut() else { return };
        let pages = dossier::pages(&w.form, &w.answers, &w.choices);
        let position = pages.iter().position(|p| *p == page).map_or(0, |i| i + 1);
        kiosk.set_dossier_page(position as i32);
        kiosk.set_dossier_pages(pages.len() as i32);
        kiosk.set_dossier_section_vi("".into());
        kiosk.set_dossier_section_en("".into());
        kiosk.set_dossier_optional(false);
        w.composer = None;
        match &page {
            Page::Question(id) => {
                let Some(field) = w.form.field(id).cloned() else { return };
                kiosk.set_dossier_section_vi(field.section_vi.as_str().into());
                kiosk.set_dossier_section_en(field.section_en.as_str().into());
                kiosk.set_dossier_question_vi(field.question_vi.as_str().into());
                kiosk.set_dossier_question_en(field.question_en.as_str().into());
                kiosk.set_dossier_help_vi(field.help_vi.as_str().into());
                kiosk.set_dossier_help_en(field.help_en.as_str().into());
                kiosk.set_dossier_optional(!field.required);
                kiosk.set_dossier_keys(keys_for(field.kind));
                let answer = w.answers.get(id).cloned().unwrap_or_default();
                if field.kind == Kind::Choice {
                    let options: Vec<DossierChoice> = field
                        .options
                        .iter()
                        .map(|o| DossierChoice { id: o.id.as_str().into(), vi: o.vi.as_str().into(), en: o.en.as_str().into() })
                        .collect();
                    kiosk.set_dossier_options(model(options));
                    kiosk.set_dossier_selected(answer.as_str().into());
                } else {
                    let (capitals, max) = match field.kind {
                        Kind::Name => (Capitals::Words, field.max.unwrap_or(60)),
                        Kind::BirthDate | Kind::Date => (Capitals::AsTyped, 8),
                        Kind::Phone => (Capitals::AsTyped, 13),
                        Kind::PersonalNumber => (Capitals::AsTyped, 12),
                        _ => (Capitals::AsTyped, field.max.unwrap_or(100)),
                    };
                    // Dates are typed as digits; the answer kept is dd/mm/yyyy.
                    let typed = if matches!(field.kind, Kind::BirthDate | Kind::Date) { answer.replace('/', "") } else { answer };
                    let composer = Composer::with_text(style, capitals, max, &typed);
                    w.composer = Some(composer);
                }
                kiosk.set_dossier_step(DossierStep::Question);
            }
            Page::Paper(id) => {
                let Some(paper) = w.form.documents.iter().find(|d| &d.id == id).cloned() else { return };
                kiosk.set_dossier_question_vi(paper.name_vi.as_str().into());
                kiosk.set_dossier_question_en(paper.name_en.as_str().into());
                kiosk.set_dossier_help_vi(paper.how_vi.as_str().into());
                kiosk.set_dossier_help_en(paper.how_en.as_str().into());
                kiosk.set_dossier_min_pages(paper.min_pages as i32);
                kiosk.set_dossier_max_pages(paper.max_pages as i32);
                kiosk.set_dossier_step(DossierStep::Paper);
            }
            Page::Delivery => {
                kiosk.set_dossier_question_vi("Ông/bà muốn nhận kết quả bằng cách nào?".into());
                kiosk.set_dossier_question_en("How would you like to receive the result?".into());
                kiosk.set_dossier_help_vi("Dịch vụ bưu chính công ích theo QĐ 45/2016/QĐ-TTg.".into());
                kiosk.set_dossier_help_en("The public postal service under Decision 45/2016/QD-TTg.".into());
                kiosk.set_dossier_keys(3);
                let options: Vec<DossierChoice> =
                    DELIVERY_OPTIONS.iter().map(|(id, vi, en)| DossierChoice { id: (*id).into(), vi: (*vi).into(), en: (*en).into() }).collect();
                kiosk.set_dossier_options(model(options));
                kiosk.set_dossier_selected(match w.choices.delivery {
                    Some(Delivery::AtTheCounter) => "counter".into(),
                    Some(Delivery::ByPost) => "post".into(),
                    None => "".into(),
                });
                kiosk.set_dossier_step(DossierStep::Question);
            }
            Page::DeliveryAddress => {
                kiosk.set_dossier_question_vi("Địa chỉ nhận kết quả qua bưu điện?".into());
                kiosk.set_dossier_question_en("The address for the post?".into());
                kiosk.set_dossier_help_vi("Số nhà, ngõ, đường phố, phường/xã. Nhân viên bưu điện sẽ gọi số điện thoại đã khai.".into());
                kiosk.set_dossier_help_en("House number, lane, street, ward. The postman calls the phone number given.".into());
                kiosk.set_dossier_keys(1);
                w.composer = Some(Composer::with_text(style, Capitals::AsTyped, 100, &w.choices.delivery_address));
                kiosk.set_dossier_step(DossierStep::Question);
            }
            Page::Check => {
                kiosk.set_dossier_step(DossierStep::Check);
            }
            Page::Consent => kiosk.set_dossier_step(DossierStep::Consent),
        }
        w.page = Some(page.clone());
        let text = w.composer.as_ref().map(Composer::text).unwrap_or_default();
        let shown = if matches!(&page, Page::Question(id) if w.form.field(id).is_some_and(|f| matches!(f.kind, Kind::BirthDate | Kind::Date))) {
            date_shown(&text)
        } else {
            text
        };
        kiosk.set_dossier_text(shown.into());
    });
    if page == Page::Check {
        show_rows(ui);
    }
    if let Page::Paper(_) = page {
        show_previews(ui);
    }
}

fn show_rows(ui: &AppWindow) {
    let kiosk = ui.global::<Kiosk>();
    WIZARD.with(|w| {
        let w = w.borrow();
        let Some(w) = w.as_ref() else { return };
        let pages = dossier::pages(&w.form, &w.answers, &w.choices);
        let rows: Vec<DossierRow> = pages
            .iter()
            .enumerate()
            .filter_map(|(index, page)| {
                let row = |label_vi: &str, label_en: &str, value_vi: String, value_en: String| DossierRow {
                    page: index as i32,
                    label_vi: label_vi.into(),
                    label_en: label_en.into(),
                    value_vi: value_vi.into(),
                    value_en: value_en.into(),
                };
                match page {
                    Page::Question(id) => {
                        let field = w.form.field(id)?;
                        let answer = w.answers.get(id).map(String::as_str).unwrap_or("");
                        let (vi, en) = if answer.is_empty() {
                            ("(để trống)".to_owned(), "(left empty)".to_owned())
                        } else {
                            (w.form.shown(field, answer, false), w.form.shown(field, answer, true))
                        };
                        Some(row(&field.label_vi, &field.label_en, vi, en))
                    }
                    Page::Paper(id) => {
                        let paper = w.form.documents.iter().find(|d| &d.id == id)?;
                        let n = w.scans.get(id).map_or(0, Vec::len);
                        Some(row(
                            &paper.name_vi,
                            &paper.name_en,
                            format!("{n} trang đã quét"),
                            format!("{n} pages scanned"),
                        ))
                    }
                    Page::Delivery => {
                        let chosen = match w.choices.delivery {
                            Some(Delivery::ByPost) => DELIVERY_OPTIONS[1],
                            _ => DELIVERY_OPTIONS[0],
                        };
                        Some(row("Nhận kết quả", "Receiving the result", chosen.1.into(), chosen.2.into()))
                    }
                    Page::DeliveryAddress => Some(row(
                        "Địa chỉ nhận qua bưu điện",
                        "Address for the post",
                        w.choices.delivery_address.clone(),
                        w.choices.delivery_address.clone(),
                    )),
                    Page::Check | Page::Consent => None,
                }
            })
            .collect();
        let groups = rows.len().div_ceil(ROWS_SHOWN).max(1);
        let group = w.row_group.min(groups - 1);
        kiosk.set_dossier_row_groups(groups as i32);
        kiosk.set_dossier_row_group(group as i32);
        let mut shown: Vec<DossierRow> = rows.into_iter().skip(group * ROWS_SHOWN).take(ROWS_SHOWN).collect();
        let second = shown.split_off(shown.len().div_ceil(2));
        kiosk.set_dossier_rows(model(shown));
        kiosk.set_dossier_rows_second(model(second));
    });
}

fn turn_rows(ui: &AppWindow, by: i32) {
    WIZARD.with(|w| {
        if let Some(w) = w.borrow_mut().as_mut() {
            w.row_group = w.row_group.saturating_add_signed(by as isize);
        }
    });
    show_rows(ui);
}

fn show_previews(ui: &AppWindow) {
    let kiosk = ui.global::<Kiosk>();
    let previews: Vec<slint::Image> = WIZARD.with(|w| {
        let w = w.borrow();
        let Some(w) = w.as_ref() else { return Vec::new() };
        let Some(Page::Paper(id)) = &w.page else { return Vec::new() };
        w.scans.get(id).map(|pages| pages.iter().map(|p| image(&p.preview)).collect()).unwrap_or_default()
    });
    kiosk.set_dossier_scanned(previews.len() as i32);
    // The last few pages (a long agreement would not fit): the count above says how many in all.
    let first = previews.len().saturating_sub(PREVIEWS_SHOWN);
    kiosk.set_dossier_preview_first(first as i32);
    kiosk.set_dossier_previews(ModelRc::from(Rc::new(VecModel::from(previews[first..].to_vec()))));
}

fn image(preview: &pipeline::Image) -> slint::Image {
    let mut buffer = slint::SharedPixelBuffer::<slint::Rgb8Pixel>::new(preview.width as u32, preview.height as u32);
    let pixels = buffer.make_mut_slice();
    for (i, pixel) in pixels.iter_mut().enumerate() {
        let at = i * preview.channels;
        *pixel = if preview.channels == 3 {
            slint::Rgb8Pixel { r: preview.pixels[at], g: preview.pixels[at + 1], b: preview.pixels[at + 2] }
        } else {
            let grey = preview.pixels[at];
            slint::Rgb8Pixel { r: grey, g: grey, b: grey }
        };
    }
    slint::Image::from_rgb8(buffer)
}

fn current(ui: &AppWindow) -> Option<Page> {
    let _ = ui;
    WIZARD.with(|w| w.borrow().as_ref().and_then(|w| w.page.clone()))
}

/// After this page: the next one, or (after a change) straight back to the check page unless something is now
/// missing.
fn advance(ui: &AppWindow) {
    let target = WIZARD.with(|w| {
        let mut w = w.borrow_mut();
        let w = w.as_mut()?;
        w.form.keep_asked(&mut w.answers);
        let pages = dossier::pages(&w.form, &w.answers, &w.choices);
        if w.changing {
            let missing = dossier::first_missing(&w.form, &w.answers, &w.choices);
            w.changing = missing != Page::Check;
            return Some(missing);
        }
        let at = w.page.as_ref().and_then(|p| pages.iter().position(|q| q == p)).map_or(0, |i| i + 1);
        pages.get(at).cloned()
    });
    if let Some(page) = target {
        show(ui, page);
    }
}

fn next(ui: &AppWindow) {
    let kiosk = ui.global::<Kiosk>();
    if kiosk.get_dossier_scanning() {
        return; // the pages being scanned belong to this paper
    }
    match kiosk.get_dossier_step() {
        DossierStep::Intro => {
            let first = WIZARD.with(|w| {
                w.borrow().as_ref().and_then(|w| dossier::pages(&w.form, &w.answers, &w.choices).first().cloned())
            });
            if let Some(first) = first {
                show(ui, first);
            }
            return;
        }
        DossierStep::Consent => {
            WIZARD.with(|w| {
                if let Some(w) = w.borrow_mut().as_mut() {
                    w.choices.consent = true;
                }
            });
            kiosk.invoke_dossier_send();
            return;
        }
        _ => {}
    }
    let Some(page) = current(ui) else { return };
    let checked: Result<(), Problem> = WIZARD.with(|w| {
        let mut w = w.borrow_mut();
        let Some(w) = w.as_mut() else { return Ok(()) };
        let typed = w.composer.as_ref().map(Composer::text).unwrap_or_default();
        match &page {
            Page::Question(id) => {
                let Some(field) = w.form.field(id).cloned() else { return Ok(()) };
                if field.kind == Kind::Choice {
                    return if w.answers.contains_key(id) {
                        Ok(())
                    } else {
                        Err(problem("Hãy chọn một câu trả lời.", "Please choose one answer."))
                    };
                }
                let answer = w.form.check_answer(&field, &typed, &w.answers, crate::clock::today())?;
                if answer.is_empty() {
                    w.answers.remove(id);
                } else {
                    w.answers.insert(id.clone(), answer);
                }
                Ok(())
            }
            Page::Paper(id) => {
                let need = w.form.documents.iter().find(|d| &d.id == id).map_or(1, |d| d.min_pages) as usize;
                if w.scans.get(id).map_or(0, Vec::len) >= need {
                    Ok(())
                } else {
                    Err(problem("Hãy quét đủ số trang cần thiết.", "Please scan the pages needed."))
                }
            }
            Page::Delivery => w
                .choices
                .delivery
                .map(|_| ())
                .ok_or_else(|| problem("Hãy chọn một cách nhận kết quả.", "Please choose one way.")),
            Page::DeliveryAddress => {
                w.choices.delivery_address = kiosk_core::visit::street(&typed)?;
                Ok(())
            }
            Page::Check => {
                let missing = dossier::first_missing(&w.form, &w.answers, &w.choices);
                if missing == Page::Check {
                    Ok(())
                } else {
                    Err(problem("Còn thiếu một câu trả lời hoặc giấy tờ.", "An answer or a paper is still missing."))
                }
            }
            Page::Consent => Ok(()),
        }
    });
    match checked {
        Ok(()) => advance(ui),
        Err(p) => {
            tracing::info!(problem = ?p.kind, "a dossier answer needs putting right");
            set_problem(ui, Some(&p));
        }
    }
}

fn back(ui: &AppWindow) {
    let kiosk = ui.global::<Kiosk>();
    if kiosk.get_dossier_scanning() {
        return; // the pages being scanned belong to this paper
    }
    match kiosk.get_dossier_step() {
        DossierStep::Choose => return kiosk.invoke_open(super::Screen::Home),
        DossierStep::Intro => return reset(ui),
        _ => {}
    }
    let target = WIZARD.with(|w| {
        let mut w = w.borrow_mut();
        let w = w.as_mut()?;
        let pages = dossier::pages(&w.form, &w.answers, &w.choices);
        if w.changing && dossier::first_missing(&w.form, &w.answers, &w.choices) == Page::Check {
            w.changing = false;
            return Some(Some(Page::Check));
        }
        let at = w.page.as_ref().and_then(|p| pages.iter().position(|q| q == p))?;
        Some(at.checked_sub(1).map(|i| pages[i].clone()))
    });
    match target {
        Some(Some(page)) => show(ui, page),
        Some(None) => {
            set_problem(ui, None);
            kiosk.set_dossier_pages(0);
            kiosk.set_dossier_step(DossierStep::Intro);
        }
        None => {}
    }
}

fn change(ui: &AppWindow, index: i32) {
    let page = WIZARD.with(|w| {
        let mut w = w.borrow_mut();
        let w = w.as_mut()?;
        w.changing = true;
        dossier::pages(&w.form, &w.answers, &w.choices).get(index as usize).cloned()
    });
    if let Some(page) = page {
        show(ui, page);
    }
}

fn type_key(ui: &AppWindow, key: &str) {
    let Some(key) = Key::from_name(key) else { return };
    let result = WIZARD.with(|w| {
        let mut w = w.borrow_mut();
        let w = w.as_mut()?;
        let is_date = matches!(&w.page, Some(Page::Question(id)) if w.form.field(id).is_some_and(|f| matches!(f.kind, Kind::BirthDate | Kind::Date)));
        let digits_only = ui.global::<Kiosk>().get_dossier_keys() == 2;
        if digits_only && matches!(key, Key::Char(c) if !c.is_ascii_digit()) {
            return None;
        }
        let composer = w.composer.as_mut()?;
        let pressed = composer.press(key);
        let text = composer.text();
        Some((pressed, if is_date { date_shown(&text) } else { text }))
    });
    let Some((pressed, text)) = result else { return };
    ui.global::<Kiosk>().set_dossier_text(text.into());
    match pressed {
        Pressed::NoVowel | Pressed::Full => {
            let (vi, en) = pressed.hint().unwrap_or_default();
            set_problem(ui, Some(&problem(vi, en)));
        }
        Pressed::Changed => set_problem(ui, None),
        Pressed::Ignored => {}
    }
}

fn choose(ui: &AppWindow, id: &str) {
    let Some(page) = current(ui) else { return };
    let chosen = WIZARD.with(|w| {
        let mut w = w.borrow_mut();
        let Some(w) = w.as_mut() else { return false };
        match &page {
            Page::Question(field_id) => {
                let valid = w.form.field(field_id).is_some_and(|f| f.options.iter().any(|o| o.id == id));
                if valid {
                    w.answers.insert(field_id.clone(), id.to_owned());
                }
                valid
            }
            Page::Delivery => {
                w.choices.delivery = match id {
                    "counter" => Some(Delivery::AtTheCounter),
                    "post" => Some(Delivery::ByPost),
                    _ => return false,
                };
                true
            }
            _ => false,
        }
    });
    if chosen {
        advance(ui);
    }
}

fn drop_page(ui: &AppWindow) {
    WIZARD.with(|w| {
        let mut w = w.borrow_mut();
        let Some(w) = w.as_mut() else { return };
        if let Some(Page::Paper(id)) = w.page.clone() {
            if let Some(pages) = w.scans.get_mut(&id) {
                pages.pop();
                w.choices.pages.insert(id, pages.len() as u32);
            }
        }
    });
    show_previews(ui);
}

/// What "Scan" does: `scan` gets whether the paper is an ID card and must scan off the UI thread, answering with
/// [`show_scanned`].
pub fn on_dossier_scan(ui: &AppWindow, scan: impl Fn(bool) + 'static) {
    let weak = ui.as_weak();
    ui.global::<Kiosk>().on_dossier_scan(move || {
        let Some(ui) = weak.upgrade() else { return };
        let kiosk = ui.global::<Kiosk>();
        if kiosk.get_dossier_scanning() || kiosk.get_dossier_scanned() >= kiosk.get_dossier_max_pages() {
            return;
        }
        let card = WIZARD.with(|w| {
            let w = w.borrow();
            let w = w.as_ref()?;
            let Some(Page::Paper(id)) = &w.page else { return None };
            w.form.documents.iter().find(|d| &d.id == id).map(|d| d.card)
        });
        let Some(card) = card else { return };
        set_problem(&ui, None);
        kiosk.set_dossier_scanning(true);
        scan(card);
    });
}

/// The scanner's answer for the paper on screen.
pub fn show_scanned(ui: &AppWindow, scanned: Result<Vec<pipeline::Page>, kiosk_drivers::scanner::ErrorKind>) {
    use kiosk_drivers::scanner::ErrorKind as E;
    ui.global::<Kiosk>().set_dossier_scanning(false);
    match scanned {
        Ok(pages) => WIZARD.with(|w| {
            let mut w = w.borrow_mut();
            let Some(w) = w.as_mut() else { return };
            let Some(Page::Paper(id)) = w.page.clone() else { return };
            let max = w.form.documents.iter().find(|d| d.id == id).map_or(1, |d| d.max_pages) as usize;
            let kept = w.scans.entry(id.clone()).or_default();
            kept.extend(pages);
            kept.truncate(max);
            let n = kept.len() as u32;
            w.choices.pages.insert(id, n);
        }),
        Err(kind) => {
            let (vi, en) = match kind {
                E::NoDocument => (
                    "Không thấy giấy trên mặt kính. Hãy đặt giấy úp xuống rồi bấm Quét.",
                    "Nothing is on the glass. Place the paper face down, then press Scan.",
                ),
                E::CoverOpen => (
                    "Nắp máy quét đang mở. Hãy đóng nắp rồi bấm Quét.",
                    "The scanner's lid is open. Close it, then press Scan.",
                ),
                E::Jammed => (
                    "Giấy bị kẹt. Hãy nhờ cán bộ tại quầy gỡ giấy; câu trả lời của ông/bà vẫn được giữ.",
                    "The paper is jammed. Please ask staff at the counter; your answers are kept.",
                ),
                E::Busy => (
                    "Máy quét đang bận. Hãy đợi một lát rồi bấm Quét.",
                    "The scanner is busy. Wait a moment, then press Scan.",
                ),
                _ => (
                    "Máy quét đang không hoạt động. Hãy nhờ cán bộ tại quầy; câu trả lời của ông/bà vẫn được giữ.",
                    "The scanner is not working. Please ask staff at the counter; your answers are kept.",
                ),
            };
            tracing::warn!(?kind, "a dossier scan failed");
            set_problem(ui, Some(&problem(vi, en)));
        }
    }
    show_previews(ui);
}

/// What the receipt and the portal need, once consent is given.
pub struct Finished {
    pub form: DossierForm,
    /// Every scanned page's JPEG, in the order of `form.papers`.
    pub pages: Vec<Vec<u8>>,
    pub receipt: crate::dossier::Receipt,
}

/// What "I agree: send" does: `send` gets the finished dossier and must save it off the UI thread, answering
/// with [`show_dossier_saved`] (then delivered or not) or [`show_dossier_failed`].
pub fn on_dossier_send(ui: &AppWindow, send: impl Fn(Finished, Language) + 'static) {
    let weak = ui.as_weak();
    ui.global::<Kiosk>().on_dossier_send(move || {
        let Some(ui) = weak.upgrade() else { return };
        let kiosk = ui.global::<Kiosk>();
        if kiosk.get_dossier_step() == DossierStep::Sending {
            return;
        }
        let language = current_language(&ui).unwrap_or(Language::Vietnamese);
        let finished = WIZARD.with(|w| {
            let w = w.borrow();
            let w = w.as_ref()?;
            let form = match dossier::finish(&w.form, &w.procedure.code, &w.answers, &w.choices, language.code()) {
                Some(form) => form,
                None => return Some(Err(dossier::first_missing(&w.form, &w.answers, &w.choices))),
            };
            let pages: Vec<Vec<u8>> = form
                .papers
                .iter()
                .flat_map(|(id, _)| w.scans.get(id).into_iter().flatten().map(|p| p.jpeg.clone()))
                .collect();
            let result = dossier::result_date(crate::clock::today(), w.form.result_working_days);
            let receipt = crate::dossier::Receipt {
                reference: String::new(),
                code: None,
                procedure_vi: w.procedure.name_vi.clone(),
                procedure_en: w.procedure.name_en.clone(),
                procedure_code: w.procedure.code.clone(),
                fee_vi: w.procedure.fee_vi.clone(),
                fee_en: w.procedure.fee_en.clone(),
                handled_by_vi: w.procedure.handled_by_vi.clone(),
                handled_by_en: w.procedure.handled_by_en.clone(),
                result_date: result.to_string(),
                delivery: form.delivery,
            };
            Some(Ok(Finished { form, pages, receipt }))
        });
        match finished {
            Some(Ok(finished)) => {
                kiosk.set_dossier_result_date(finished.receipt.result_date.as_str().into());
                kiosk.set_dossier_delivery(i32::from(finished.form.delivery == Delivery::ByPost));
                kiosk.set_dossier_pages(0);
                kiosk.set_dossier_step(DossierStep::Sending);
                send(finished, language);
            }
            Some(Err(missing)) => {
                WIZARD.with(|w| {
                    if let Some(w) = w.borrow_mut().as_mut() {
                        w.changing = true;
                    }
                });
                show(&ui, missing);
            }
            None => {}
        }
    });
}

fn showing(ui: &AppWindow, reference: &str) -> bool {
    let kiosk = ui.global::<Kiosk>();
    kiosk.get_dossier_step() == DossierStep::Saved && kiosk.get_dossier_reference() == reference
}

/// The dossier is in the outbox (`reference`: its short id). The answers and pages are dropped from the screen:
/// from here on they exist only sealed in the outbox.
pub fn show_dossier_saved(ui: &AppWindow, reference: &str) {
    WIZARD.with(|w| *w.borrow_mut() = None);
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_dossier_reference(reference.into());
    kiosk.set_dossier_receipt_code("".into());
    kiosk.set_dossier_waiting(true);
    kiosk.set_dossier_rows(model(Vec::new()));
    kiosk.set_dossier_rows_second(model(Vec::new()));
    kiosk.set_dossier_text("".into());
    kiosk.set_dossier_previews(ModelRc::from(Rc::new(VecModel::<slint::Image>::default())));
    kiosk.set_dossier_step(DossierStep::Saved);
}

pub fn show_dossier_delivered(ui: &AppWindow, reference: &str, code: &str) {
    if !showing(ui, reference) {
        return;
    }
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_dossier_receipt_code(code.into());
    kiosk.set_dossier_waiting(false);
    kiosk.set_dossier_print(PrintState::Printing);
}

pub fn show_dossier_undelivered(ui: &AppWindow, reference: &str) {
    if !showing(ui, reference) {
        return;
    }
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_dossier_waiting(false);
    kiosk.set_dossier_print(PrintState::Printing);
}

/// Saving failed (the disk is full or broken): nothing was sent; the answers stay for another try.
pub fn show_dossier_failed(ui: &AppWindow) {
    ui.global::<Kiosk>().set_dossier_step(DossierStep::Failed);
}

pub fn show_receipt_printed(ui: &AppWindow, reference: &str, printed: &crate::devices::Printed) {
    if !showing(ui, reference) {
        return;
    }
    ui.global::<Kiosk>().set_dossier_print(if printed.outcome.is_ok() {
        PrintState::Printed
    } else {
        PrintState::Failed
    });
}

/// True when no dossier is held (for tests of the wipe).
pub fn is_empty() -> bool {
    WIZARD.with(|w| w.borrow().is_none())
}

/// Goes through a temporary-residence dossier with sample answers (for the walkthrough's pictures), scanning
/// with `scan`, calling `save` with a name for each page. The saved page shows a sample reference and code.
pub fn walk(
    ui: &AppWindow,
    scan: &mut dyn FnMut(bool) -> Result<Vec<pipeline::Page>, kiosk_drivers::scanner::ErrorKind>,
    save: &mut dyn FnMut(&str) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let kiosk = ui.global::<Kiosk>();
    let typing = |keys: &str| {
        for c in keys.chars() {
            kiosk.invoke_dossier_key(if c == ' ' { "space".into() } else { c.to_string().into() });
        }
    };
    kiosk.invoke_open(super::Screen::Submit);
    save("dossier-choose")?;
    kiosk.invoke_dossier_start("dang-ky-tam-tru".into());
    save("dossier-intro")?;
    kiosk.invoke_dossier_continue();
    typing("hoangf vawn nam");
    save("dossier-name")?;
    kiosk.invoke_dossier_continue();
    typing("0209199");
    save("dossier-date")?;
    typing("0");
    kiosk.invoke_dossier_continue();
    save("dossier-choice")?;
    kiosk.invoke_dossier_choose("male".into());
    typing("001190123456");
    kiosk.invoke_dossier_continue();
    save("dossier-number-problem")?;
    kiosk.invoke_dossier_key("clear".into());
    typing("001090123456");
    kiosk.invoke_dossier_continue();
    typing("0862000111");
    kiosk.invoke_dossier_continue();
    typing("phongf 302 soos 15 ngox 80 chuaf lang");
    kiosk.invoke_dossier_continue();
    typing("ngoo thij mai");
    kiosk.invoke_dossier_continue();
    typing("31122027");
    kiosk.invoke_dossier_continue();
    for card in [false, true, true] {
        if card && kiosk.get_dossier_scanned() >= kiosk.get_dossier_min_pages() {
            kiosk.invoke_dossier_continue();
        }
        kiosk.set_dossier_scanning(true);
        show_scanned(ui, scan(card));
        if !card {
            save("dossier-scan")?;
        }
    }
    save("dossier-scan-card")?;
    kiosk.invoke_dossier_continue();
    save("dossier-delivery")?;
    kiosk.invoke_dossier_choose("counter".into());
    save("dossier-check")?;
    kiosk.invoke_dossier_continue();
    save("dossier-consent")?;
    // Saving needs the outbox: the picture shows the saved page with a sample reference and code.
    kiosk.set_dossier_result_date(dossier::result_date(crate::clock::today(), 3).to_string().into());
    show_dossier_saved(ui, "3FA2-91C0");
    show_dossier_delivered(ui, "3FA2-91C0", "SIM-261129-000002");
    kiosk.set_dossier_print(PrintState::Printed);
    save("dossier-saved")?;
    super::start_over(ui);
    Ok(())
}
