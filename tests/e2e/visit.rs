//! Asking for a home visit through the real UI (Slint's testing backend, by accessible label): names typed with
//! Telex and with the direct tone keys on the on-screen keyboard, a wrong phone number put right, a ward found
//! without accents, an answer changed from the check page; the request saved in a real outbox, forwarded to
//! the portal simulator on loopback, arriving with exactly the answers given; the confirmation printed by the
//! simulated printer and decoded; all through the kiosk as it starts (`App`); with the portal away, the calm "saved, will be sent" and the request
//! arriving once it is back; and leaving part-way wiping every answer.

use kiosk_app::ui::{self, AppWindow};
use kiosk_tests::portal_sim::{self, Faults, Sim};
use slint::{ComponentHandle, Model as _};

use crate::screens::{count, print_finished, slip_text, snapshot, start, start_kiosk, tap, type_text};

fn answer_text(app: &AppWindow) -> String {
    app.global::<ui::Kiosk>().get_visit_text().to_string()
}

/// Types on the on-screen keyboard key by key: each character is one key, '´' '`' '?' '~' '.' are the direct tone
/// keys (sắc, huyền, hỏi, ngã, nặng), ' ' is Space.
pub(crate) fn type_keys(app: &AppWindow, keys: &str) {
    for c in keys.chars() {
        match c {
            '´' => tap(app, "Dấu sắc"),
            '`' => tap(app, "Dấu huyền"),
            '?' => tap(app, "Dấu hỏi"),
            '~' => tap(app, "Dấu ngã"),
            '.' => tap(app, "Dấu nặng"),
            c => type_text(app, &c.to_string()),
        }
    }
}

#[test]
fn a_home_visit_request_typed_with_telex_reaches_the_portal_with_exactly_the_answers_and_prints() {
    let dir = kiosk_tests::scratch_dir("visit-delivered");
    let sim = Sim::open(&dir.join("portal.sqlite"), portal_sim::DEV_SECRET, Faults::default(), 5).expect("simulator");
    let running = portal_sim::spawn(sim.clone(), "127.0.0.1:0".parse().expect("address")).expect("listening");
    let kiosk = start_kiosk("visit-delivered-kiosk", 1080, 1920, &running.base_url());
    let app = kiosk.window();
    let k = app.global::<ui::Kiosk>();

    tap(app, "Đề nghị hỗ trợ tại nhà");
    snapshot(app, "visit-intro-vi-1080x1920");
    tap(app, "Bắt đầu");
    assert_eq!(count(app, "Ai cần được hỗ trợ tại nhà?"), 1);
    assert_eq!(count(app, "Câu 1/7"), 1, "progress");
    tap(app, "Người khác (tôi đề nghị giúp)");
    assert!(count(app, "Họ tên người cần hỗ trợ là gì?") >= 1, "the question, and the answer box named by it");
    assert_eq!(count(app, "Câu 2/8"), 1, "asking for someone else adds a question");

    // Continue with nothing typed: told what to do, not moved on.
    tap(app, "Tiếp tục");
    assert_eq!(k.get_visit_problem_text(), "Xin nhập họ và tên.");
    // Telex on the letter keys; capitals come by themselves.
    type_keys(app, "nguyeenx thij hoaf");
    assert_eq!(answer_text(app), "Nguyễn Thị Hòa");
    snapshot(app, "visit-name-vi-1080x1920");
    // The largest text and high contrast still fit the keyboard and the buttons on the screen.
    tap(app, "Cỡ chữ");
    tap(app, "Cỡ chữ");
    tap(app, "Tương phản");
    snapshot(app, "visit-name-extra-large-high-contrast-vi-1080x1920");
    tap(app, "Cỡ chữ");
    tap(app, "Tương phản");
    tap(app, "Tiếp tục");

    // The requester's name with the direct keys: ư ơ and the huyền key, no Telex.
    assert!(
        count(app, "Họ tên của Ông/Bà (người đề nghị) là gì?") >= 1,
        "the question, and the answer box named by it"
    );
    type_keys(app, "tr`");
    assert_eq!(k.get_visit_problem_text(), "Xin bấm chữ cái trước, rồi mới bấm dấu. Ví dụ: a rồi sắc thành á.");
    type_keys(app, "ương` văn minh");
    assert_eq!(answer_text(app), "Trường Văn Minh");
    assert_eq!(k.get_visit_problem_text(), "", "the hint goes once typing goes on");
    tap(app, "Tiếp tục");

    // A phone number: an old 11-digit one is recognised and the new one suggested.
    type_text(app, "01681234567");
    tap(app, "Tiếp tục");
    assert!(k.get_visit_problem_text().contains("0381234567"), "{}", k.get_visit_problem_text());
    snapshot(app, "visit-phone-problem-vi-1080x1920");
    tap(app, "Xóa hết");
    type_text(app, "0912345678");
    tap(app, "Tiếp tục");

    // The ward, without accents.
    assert_eq!(count(app, "Nhà ở phường, xã nào?"), 1);
    let first = k.get_visit_wards().row_data(0).expect("wards listed");
    assert_eq!(first.name, "Phường Hoàn Kiếm", "the kiosk's own ward is offered first");
    type_text(app, "cau giay");
    snapshot(app, "visit-ward-vi-1080x1920");
    tap(app, "Phường Cầu Giấy");

    assert!(count(app, "Số nhà và đường phố là gì?") >= 1, "the question, and the answer box named by it");
    type_keys(app, "soos 5 ngox 12 traanf thais toong");
    assert_eq!(answer_text(app), "số 5 ngõ 12 trần thái tông");
    tap(app, "Tiếp tục");

    assert_eq!(count(app, "Cần làm việc gì?"), 1);
    snapshot(app, "visit-need-vi-1080x1920");
    tap(app, "Ủy quyền nhận lương hưu (mẫu 13-HSB)");
    tap(app, "Buổi sáng");

    // Check your answers; change the phone number and come straight back.
    assert_eq!(count(app, "Kiểm tra lại câu trả lời"), 1);
    assert_eq!(k.get_visit_phone(), "0912 345 678");
    assert_eq!(k.get_visit_ward(), "Phường Cầu Giấy");
    snapshot(app, "visit-check-vi-1080x1920");
    tap(app, "Sửa: Số điện thoại");
    assert_eq!(answer_text(app), "0912345678", "the answer is there to change");
    tap(app, "Xóa");
    type_text(app, "9");
    tap(app, "Tiếp tục");
    assert_eq!(count(app, "Kiểm tra lại câu trả lời"), 1, "back to the check page");
    assert_eq!(k.get_visit_phone(), "0912 345 679");

    tap(app, "Gửi đề nghị");
    kiosk.settle("the request delivered and its slip printed", || print_finished(k.get_visit_sent().print));
    assert_eq!(count(app, "Phường đã nhận đề nghị"), 1);
    let code = k.get_visit_sent().code.to_string();
    assert!(kiosk_core::portal::valid_dossier_code(&code), "{code}");
    assert_eq!(k.get_visit_sent().print, ui::PrintState::Printed);
    assert!(k.get_visit_signature(), "a signature certification: sign in front of the team");
    snapshot(app, "visit-saved-vi-1080x1920");

    // The portal has exactly what was answered.
    let received = sim.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].kind, "home_visit");
    assert_eq!(received[0].procedure_code.as_deref(), Some("2.000884"));
    assert_eq!(received[0].dossier_code, code);
    let form: serde_json::Value = serde_json::from_slice(&received[0].form).expect("JSON form");
    assert_eq!(
        form,
        serde_json::json!({
            "kind": "home_visit",
            "for_relative": true,
            "person_name": "Nguyễn Thị Hòa",
            "requester_name": "Trường Văn Minh",
            "phone": "0912345679",
            "ward_code": "00167",
            "ward_name": "Phường Cầu Giấy",
            "street": "số 5 ngõ 12 trần thái tông",
            "procedure_id": "uy-quyen-nhan-luong-huu",
            "procedure_code": "2.000884",
            "when": "morning",
            "language": "vi",
        })
    );

    // The confirmation: the code, what happens next, and no street or whole phone number on the paper.
    let jobs = kiosk.printer().jobs();
    assert_eq!(jobs.len(), 1);
    let slip = slip_text(&jobs[0]);
    assert!(slip.contains("ĐỀ NGHỊ HỖ TRỢ TẠI NHÀ") && slip.contains(&code), "{slip}");
    assert!(slip.contains("…679") && slip.contains("KHÔNG ký trước"), "{slip}");
    assert!(!slip.contains("0912345679") && !slip.contains("trần thái tông"), "{slip}");
    assert!(slip.contains("63/KH-UBND"), "the source is on the paper: {slip}");

    tap(app, "Xong");
    assert_eq!(k.get_screen(), ui::Screen::Home);
    assert!(ui::visit::is_empty(app), "every answer is gone");
    assert_eq!(k.get_visit_name(), "");
    assert_eq!(k.get_visit_sent().code, "");
    drop(kiosk);
}

#[test]
fn with_the_portal_away_the_request_is_saved_calmly_and_arrives_when_it_is_back() {
    let dir = kiosk_tests::scratch_dir("visit-away");
    let sim = Sim::open(&dir.join("portal.sqlite"), portal_sim::DEV_SECRET, Faults::default(), 6).expect("simulator");
    let running = portal_sim::spawn(sim, "127.0.0.1:0".parse().expect("address")).expect("listening");
    let address = running.address;
    let kiosk = start_kiosk("visit-away-kiosk", 1920, 1080, &running.base_url());
    let app = kiosk.window();
    let sim = running.stop();
    let k = app.global::<ui::Kiosk>();

    tap(app, "English");
    tap(app, "Ask for a home visit");
    snapshot(app, "visit-intro-en-1920x1080");
    tap(app, "Start");
    tap(app, "Me");
    assert!(count(app, "What is your full name?") >= 1, "the question, and the answer box named by it");
    type_keys(app, "ddawngj vawn uwng");
    assert_eq!(answer_text(app), "Đặng Văn Ưng");
    snapshot(app, "visit-name-en-1920x1080");
    tap(app, "Continue");
    type_text(app, "02438251234");
    tap(app, "Continue");
    type_text(app, "ha dong");
    snapshot(app, "visit-ward-en-1920x1080");
    tap(app, "Phường Hà Đông");
    type_keys(app, "thoon ddoaif");
    tap(app, "Continue");
    tap(app, "Something else");
    tap(app, "Any time");
    snapshot(app, "visit-check-en-1920x1080");
    tap(app, "Send the request");
    kiosk.settle("the request saved and its slip printed", || print_finished(k.get_visit_sent().print));

    assert_eq!(count(app, "Your request is saved"), 1);
    assert_eq!(k.get_visit_sent().code, "", "no code: the portal is away");
    let reference = k.get_visit_sent().reference.to_string();
    assert_eq!(reference.len(), 9, "{reference}");
    assert_eq!(
        count(
            app,
            "The city's system cannot be reached just now. Your request is kept safely on this kiosk and will be sent by itself as soon as the connection is back. You do not need to do anything more."
        ),
        1
    );
    assert!(!k.get_visit_signature());
    snapshot(app, "visit-saved-away-en-1920x1080");
    let slip = slip_text(&kiosk.printer().jobs()[0]);
    assert!(slip.contains("HOME VISIT REQUEST") && slip.contains(&reference), "{slip}");
    assert!(slip.contains("sent by itself"), "{slip}");
    tap(app, "Done");

    // The portal comes back where it was: the kiosk's own forwarder delivers what waited.
    let _running = portal_sim::spawn(sim.clone(), address).expect("back on the same address");
    kiosk.app.forwarder.wake();
    kiosk.settle("the forwarder to deliver the request", || sim.received().len() == 1);
    let received = sim.received();
    assert_eq!(received.len(), 1);
    let form: serde_json::Value = serde_json::from_slice(&received[0].form).expect("JSON form");
    assert_eq!(form["person_name"], "Đặng Văn Ưng");
    assert_eq!(form["phone"], "02438251234");
    assert_eq!(form["street"], "thôn đoài");
    assert_eq!(form["procedure_id"], serde_json::Value::Null);
    assert_eq!(form["when"], "any_time");
    assert_eq!(form["language"], "en");
    assert!(
        kiosk_app::outbox::resident::short_reference(&received[0].id) == reference,
        "the reference names the submission"
    );
}

/// Leaving at any question (the header's "Start again") leaves no answer in the screen's state or properties.
#[test]
fn leaving_at_any_question_wipes_every_answer() {
    let app = start(1080, 1920);
    let k = app.global::<ui::Kiosk>();
    let steps: &[&dyn Fn(&AppWindow)] = &[
        &|app| tap(app, "Người khác (tôi đề nghị giúp)"),
        &|app| {
            type_keys(app, "lee thij lan");
            tap(app, "Tiếp tục");
        },
        &|app| {
            type_keys(app, "lee vawn hai");
            tap(app, "Tiếp tục");
        },
        &|app| {
            type_text(app, "0987654321");
            tap(app, "Tiếp tục");
        },
        &|app| {
            type_text(app, "yen hoa");
            tap(app, "Phường Yên Hòa");
        },
        &|app| {
            type_keys(app, "12 ngox 3");
            tap(app, "Tiếp tục");
        },
        &|app| tap(app, "Việc khác"),
        &|app| tap(app, "Buổi chiều"),
    ];
    for leave_after in 0..=steps.len() {
        tap(&app, "Đề nghị hỗ trợ tại nhà");
        tap(&app, "Bắt đầu");
        for step in &steps[..leave_after] {
            step(&app);
        }
        // Something typed but not yet confirmed on the page where the resident leaves.
        if [1, 2, 5].contains(&leave_after) {
            type_keys(&app, "abc");
        }
        tap(&app, "Làm lại");
        assert_eq!(k.get_screen(), ui::Screen::Home, "after {leave_after} answers");
        assert!(ui::visit::is_empty(&app), "after {leave_after} answers");
        for value in [
            k.get_visit_text(),
            k.get_visit_name(),
            k.get_visit_requester(),
            k.get_visit_phone(),
            k.get_visit_ward(),
            k.get_visit_street(),
            k.get_visit_need_vi(),
        ] {
            assert_eq!(value, "", "after {leave_after} answers");
        }
        assert_eq!(k.get_visit_wards().row_count(), 0);
    }
}
