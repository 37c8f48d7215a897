//! The dossier wizard through the real UI (Slint's testing backend, by accessible label), for three procedures:
//! names typed with Telex on the on-screen keyboard, dates and numbers on the number pad, answers checked as
//! typed (a personal number that disagrees with the sex given, put right), papers scanned with the simulated
//! scanner (one scanned again), the check page with a change, consent, and the dossier saved in a real outbox,
//! forwarded to the portal simulator on loopback, arriving with exactly the answers and pages; the receipt
//! decoded from the simulated printer with its QR code read back to the dossier code. And leaving at every step
//! leaves nothing behind, in the screen's state or on disk.

use kiosk_app::ui::{self, AppWindow};
use kiosk_tests::portal_sim::{self, Faults, Sim};
use slint::ComponentHandle;

use crate::screens::{
    count, kiosk_config_profile, print_finished, slip_text, snapshot, start_kiosk, tap, type_text, Running,
};
use crate::visit::type_keys;

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A finished page exactly as the kiosk's scanner gives it for one paper (the simulated scanner and the page
/// pipeline are deterministic): what the portal must receive, byte for byte, for each page scanned.
fn scanned_page(card: bool) -> Vec<u8> {
    let config = kiosk_app::load_config(&kiosk_tests::example_config()).expect("valid");
    let mut devices = kiosk_app::devices::Devices::open(&config.devices);
    let mut pages = kiosk_app::devices::scanner::scan_paper(&mut devices, card).expect("scanned");
    pages.remove(0).jpeg
}

/// The QR codes on a printed job, read from the paper as a phone would.
pub(crate) fn qr_codes(job: &[u8]) -> Vec<String> {
    let profile = kiosk_config_profile();
    let face = kiosk_app::printing::typeface();
    let printed = kiosk_drivers::printer::decode::paper(job, &profile, face).expect("decodes");
    let picture = kiosk_drivers::printer::decode::render(&printed, &profile, face);
    let width = picture.width as usize;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, picture.height as usize, |x, y| {
        if picture.dots[y * width + x] {
            0
        } else {
            255
        }
    });
    image.detect_grids().into_iter().filter_map(|grid| grid.decode().ok().map(|(_, text)| text)).collect()
}

/// Today and a day `months` calendar months later, as typed on the number pad (ddmmyyyy) and as stored
/// (dd/mm/yyyy): the authorisation's dates follow the real clock, which the kiosk checks them against.
fn authorisation_dates(months: u32) -> ((String, String), (String, String)) {
    let today = chrono::Local::now().date_naive();
    let end = today.checked_add_months(chrono::Months::new(months)).expect("a date");
    let both = |d: chrono::NaiveDate| (d.format("%d%m%Y").to_string(), d.format("%d/%m/%Y").to_string());
    (both(today), both(end))
}

fn text(app: &AppWindow) -> String {
    app.global::<ui::Kiosk>().get_dossier_text().to_string()
}

fn problem(app: &AppWindow) -> String {
    app.global::<ui::Kiosk>().get_dossier_problem_text().to_string()
}

fn continue_(app: &AppWindow) {
    let english = ui::current_language(app) == Some(kiosk_core::config::Language::English);
    tap(app, if english { "Continue" } else { "Tiếp tục" });
}

/// Types on the number pad and continues.
fn number(app: &AppWindow, digits: &str) {
    type_text(app, digits);
    continue_(app);
}

fn letters(app: &AppWindow, keys: &str) {
    type_keys(app, keys);
    continue_(app);
}

/// A temporary-residence dossier in English, answered up to its first paper (the rental agreement).
pub(crate) fn to_the_rental_agreement(app: &AppWindow) {
    tap(app, "English");
    tap(app, "Submit a dossier");
    tap(app, "Registering a temporary address");
    tap(app, "Start");
    letters(app, "hoangf vawn nam");
    number(app, "02091990");
    tap(app, "Male");
    number(app, "001090123456");
    number(app, "0862000111");
    // Item 6, the e-mail address: on the e-mail keyboard letters are typed as they are (no Telex: "ss" stays
    // "ss"), and the shape is checked before going on.
    assert_eq!(count(app, "@gmail.com"), 1, "the e-mail keyboard");
    type_text(app, "nam.hvss");
    continue_(app);
    assert_eq!(
        problem(app),
        "An e-mail address looks like name@gmail.com: one @, a name before it, and after it a domain with a dot."
    );
    tap(app, "@gmail.com");
    assert_eq!(text(app), "nam.hvss@gmail.com");
    continue_(app);
    tap(app, "A new household: I am its head");
    letters(app, "phongf 302 soos 15 ngox 80 chuaf lang");
    number(app, "31122027");
    tap(app, "No, only one person");
    letters(app, "ngoo thij mai");
    // The owner's number is not known: left empty.
    continue_(app);
    tap(app, "Yes, the owner signed the rental or lending agreement");
    tap(app, "No");
}

/// Taps a scan button and waits for the device thread to bring the page (or say why not).
fn scan_with(kiosk: &Running, label: &str) {
    let k = kiosk.window().global::<ui::Kiosk>();
    tap(kiosk.window(), label);
    kiosk.settle("the scanned page", || !k.get_dossier_scanning());
}

pub(crate) fn scan(kiosk: &Running, times: usize) {
    let app = kiosk.window();
    let english = ui::current_language(app) == Some(kiosk_core::config::Language::English);
    for n in 0..times {
        let first = app.global::<ui::Kiosk>().get_dossier_scanned() == 0;
        scan_with(
            kiosk,
            match (english, first && n == 0) {
                (false, true) => "Quét",
                (false, false) => "Quét trang tiếp theo",
                (true, true) => "Scan",
                (true, false) => "Scan the next page",
            },
        );
    }
}

/// Waits for the dossier to be sent and its receipt printed; then the dossier as the portal received it (its
/// pages byte-identical to the scanner's, for papers of the kinds given, in order), and its receipt's text and QR
/// codes.
fn arrived(sim: &Sim, kiosk: &Running, cards: &[bool]) -> (serde_json::Value, String, Vec<String>) {
    let app = kiosk.window();
    let k = app.global::<ui::Kiosk>();
    kiosk.settle("the dossier sent and its receipt printed", || print_finished(k.get_dossier_sent().print));
    assert_eq!(count(app, "Cơ quan đã nhận hồ sơ"), 1);
    let code = k.get_dossier_sent().code.to_string();
    let received = sim.received();
    let last = received.last().expect("received");
    assert_eq!(last.kind, "dossier");
    assert_eq!(last.dossier_code, code);
    let scanned: Vec<Vec<u8>> = cards.iter().map(|card| scanned_page(*card)).collect();
    assert_eq!(last.pages, scanned, "the pages arrive byte-identical, in order");
    assert!(last.pages.iter().all(|p| p.starts_with(&[0xFF, 0xD8])), "JPEG pages");
    let form: serde_json::Value = serde_json::from_slice(&last.form).expect("JSON");
    let jobs = kiosk.printer().jobs();
    let receipt = jobs.last().expect("a receipt printed");
    let qr = qr_codes(receipt);
    assert_eq!(qr.first(), Some(&code), "the receipt's first QR scans back to the dossier code");
    assert!(qr[1..].iter().all(|payment| kiosk_core::vietqr::parse(payment).is_ok()), "then a fee's VietQR: {qr:?}");
    let slip = slip_text(receipt);
    assert!(slip.contains("PHIẾU BIÊN NHẬN CỦA KI-ỐT") && slip.contains(&code), "{slip}");
    (form, slip, qr)
}

#[test]
fn a_pension_authorisation_typed_with_telex_and_two_id_cards_reaches_the_portal() {
    let dir = kiosk_tests::scratch_dir("dossier-13hsb");
    let sim = Sim::open(&dir.join("portal.sqlite"), portal_sim::DEV_SECRET, Faults::default(), 7).expect("simulator");
    let running = portal_sim::spawn(sim.clone(), "127.0.0.1:0".parse().expect("address")).expect("listening");
    let kiosk = start_kiosk("dossier-pension-kiosk", 1080, 1920, &running.base_url());
    let app = kiosk.window();

    // From the procedure's page, as most residents will come.
    tap(app, "Tra cứu thủ tục");
    type_text(app, "luong huu");
    tap(app, "Ủy quyền nhận lương hưu (mẫu 13-HSB)");
    tap(app, "Nộp hồ sơ tại đây");
    snapshot(app, "dossier-intro-vi-1080x1920");
    tap(app, "Bắt đầu");
    assert!(count(app, "Họ tên người hưởng lương hưu là gì?") >= 1);
    letters(app, "nguyeenx thij hoaf");
    // A date of birth on the number pad, shown with its slashes.
    type_text(app, "0503");
    assert_eq!(text(app), "05/03");
    type_text(app, "1948");
    snapshot(app, "dossier-date-vi-1080x1920");
    tap(app, "Tiếp tục");
    tap(app, "Nữ");
    // A number whose century digit says "man": the check says so.
    number(app, "001048012345");
    assert!(problem(app).contains("giới tính"), "{}", problem(app));
    tap(app, "Xóa hết");
    number(app, "001148012345");
    // The social-insurance number may be left empty.
    tap(app, "Tiếp tục");
    tap(app, "Lương hưu hằng tháng");
    number(app, "0912345678");
    letters(app, "soos 5 ngox 12 traanf thais toong");
    letters(app, "traanf vawn minh");
    number(app, "20101975");
    number(app, "001075012345");
    number(app, "0987654321");
    letters(app, "soos 7 phoos huees");
    // What the authority covers, from today for six months (within the 12-month limit).
    tap(app, "Nhận thay lương hưu, trợ cấp hằng tháng");
    let ((from, from_stored), (until, until_stored)) = authorisation_dates(6);
    number(app, &from);
    number(app, &until);

    // Two ID cards, front and back, on the simulated scanner.
    assert!(count(app, "Quét: Thẻ căn cước của người hưởng lương hưu") >= 1);
    scan(&kiosk, 2);
    assert_eq!(count(app, "Đã quét 2/2 trang."), 1);
    snapshot(app, "dossier-scan-vi-1080x1920");
    tap(app, "Tiếp tục");
    scan(&kiosk, 2);
    tap(app, "Tiếp tục");
    tap(app, "Nhận trực tiếp tại quầy của cơ quan giải quyết");

    // The check page, four parts long.
    assert_eq!(count(app, "Kiểm tra lại câu trả lời"), 1);
    assert_eq!(count(app, "Câu trả lời, phần 1/4"), 1);
    snapshot(app, "dossier-check-vi-1080x1920");
    for _ in 0..3 {
        tap(app, "Các câu tiếp theo");
    }
    assert_eq!(count(app, "Câu trả lời, phần 4/4"), 1);
    tap(app, "Tiếp tục: đồng ý xử lý dữ liệu");
    assert_eq!(count(app, "Dữ liệu cá nhân của Ông/Bà"), 1);
    snapshot(app, "dossier-consent-vi-1080x1920");
    tap(app, "Tôi đồng ý – Gửi hồ sơ");
    snapshot(app, "dossier-saved-vi-1080x1920");

    let (form, slip, _) = arrived(&sim, &kiosk, &[true, true, true, true]);
    assert_eq!(form["procedure_id"], "uy-quyen-nhan-luong-huu");
    assert_eq!(form["procedure_code"], "2.000884");
    assert_eq!(
        form["answers"],
        serde_json::json!({
            "principal_name": "Nguyễn Thị Hòa",
            "principal_birth_date": "05/03/1948",
            "principal_sex": "female",
            "principal_number": "001148012345",
            "benefit": "pension",
            "principal_phone": "0912345678",
            "principal_address": "số 5 ngõ 12 trần thái tông",
            "agent_name": "Trần Văn Minh",
            "agent_birth_date": "20/10/1975",
            "agent_number": "001075012345",
            "agent_phone": "0987654321",
            "agent_address": "số 7 phố huế",
            "authority": "collect",
            "valid_from": from_stored,
            "valid_until": until_stored,
        })
    );
    assert_eq!(form["papers"], serde_json::json!([["principal_card", 2], ["agent_card", 2]]));
    assert_eq!(form["delivery"], "at_the_counter");
    assert!(slip.contains("10.000"), "the fee: {slip}");
    assert!(!slip.contains("Nguyễn Thị Hòa") && !slip.contains("001148012345"), "no answers on the receipt: {slip}");

    tap(app, "Xong");
    assert!(ui::dossier::is_empty(app));
}

/// A pension authorisation for longer than the law allows (13 months): the end date is refused with a message
/// that says the limit, the start and the last day allowed, in English and in Vietnamese; typing that day lets
/// the resident go on.
#[test]
fn a_pension_authorisation_past_twelve_months_is_refused_until_it_is_put_right() {
    let dir = kiosk_tests::scratch_dir("dossier-13hsb-limit");
    let sim = Sim::open(&dir.join("portal.sqlite"), portal_sim::DEV_SECRET, Faults::default(), 11).expect("simulator");
    let running = portal_sim::spawn(sim.clone(), "127.0.0.1:0".parse().expect("address")).expect("listening");
    let kiosk = start_kiosk("dossier-pension-limit-kiosk", 1080, 1920, &running.base_url());
    let app = kiosk.window();

    tap(app, "English");
    tap(app, "Submit a dossier");
    tap(app, "Letting someone collect your pension (form 13-HSB)");
    tap(app, "Start");
    letters(app, "nguyeenx thij hoaf");
    number(app, "05031948");
    tap(app, "Female");
    number(app, "001148012345");
    continue_(app);
    tap(app, "Monthly pension");
    number(app, "0912345678");
    letters(app, "soos 5 ngox 12 traanf thais toong");
    letters(app, "traanf vawn minh");
    number(app, "20101975");
    number(app, "001075012345");
    number(app, "0987654321");
    letters(app, "soos 7 phoos huees");
    tap(app, "Collect the monthly pension or allowance");
    let ((from, from_shown), (latest, latest_shown)) = authorisation_dates(12);
    number(app, &from);
    assert!(count(app, "Until what date does the authority last?") >= 1);

    // Thirteen months: refused, and the message says the limit, the start and the last day allowed.
    let (_, (too_late, _)) = authorisation_dates(13);
    number(app, &too_late);
    let said = problem(app);
    assert!(said.contains("The limit is 12 months"), "{said}");
    assert!(said.contains(&from_shown) && said.contains(&latest_shown), "{said}");
    assert!(count(app, "Until what date does the authority last?") >= 1, "still on the end date");
    snapshot(app, "dossier-authorisation-too-long-en-1080x1920");
    // The same in Vietnamese.
    tap(app, "Tiếng Việt");
    let said = problem(app);
    assert!(said.contains("Thời hạn tối đa là 12 tháng") && said.contains(&latest_shown), "{said}");
    tap(app, "English");

    // The last day allowed is taken: on to the first ID card.
    tap(app, "Clear");
    number(app, &latest);
    assert_eq!(problem(app), "");
    assert!(count(app, "Scan: The pension holder's ID card") >= 1);
}

#[test]
fn a_birth_registration_with_a_conditional_question_and_delivery_by_post() {
    let dir = kiosk_tests::scratch_dir("dossier-birth");
    let sim = Sim::open(&dir.join("portal.sqlite"), portal_sim::DEV_SECRET, Faults::default(), 8).expect("simulator");
    let running = portal_sim::spawn(sim.clone(), "127.0.0.1:0".parse().expect("address")).expect("listening");
    let kiosk = start_kiosk("dossier-birth-kiosk", 1920, 1080, &running.base_url());
    let app = kiosk.window();

    tap(app, "Nộp hồ sơ");
    assert_eq!(count(app, "Ông/Bà nộp hồ sơ cho thủ tục nào?"), 1);
    snapshot(app, "dossier-choose-vi-1920x1080");
    tap(app, "Đăng ký khai sinh");
    tap(app, "Bắt đầu");
    letters(app, "ddawngj thij lan");
    number(app, "001190123456");
    number(app, "0912000111");
    tap(app, "Người thân khác");
    // Asked only because "another relative" was chosen.
    assert!(count(app, "Cụ thể là quan hệ gì?") >= 1);
    letters(app, "coo ruootj");
    // The child, in the template's order: name, date of birth, sex, ethnic group, nationality, place of birth,
    // home town.
    letters(app, "ddawngj minh khang");
    number(app, "20112026");
    tap(app, "Nam");
    letters(app, "kinh");
    tap(app, "Việt Nam");
    letters(app, "beenhj vieenj phuj sanr haf nooij");
    letters(app, "nam ddinhj");
    // The mother: name, date of birth, ethnic group, nationality, where she lives, then her number.
    letters(app, "nguyeenx thuy linh");
    number(app, "12041995");
    letters(app, "kinh");
    tap(app, "Việt Nam");
    letters(app, "soos 9 ngox 4 kim max");
    number(app, "001195000111");
    tap(app, "Không");
    // Two copies of the birth certificate.
    number(app, "2");
    // No father questions: straight to the birth certificate.
    assert!(count(app, "Quét: Giấy chứng sinh") >= 1);
    snapshot(app, "dossier-scan-vi-1920x1080");
    scan(&kiosk, 1);
    tap(app, "Tiếp tục");
    tap(app, "Gửi qua bưu chính công ích đến địa chỉ của tôi (cước phí tính riêng)");
    letters(app, "soos 9 ngox 4 kim max");
    snapshot(app, "dossier-check-vi-1920x1080");
    tap(app, "Tiếp tục: đồng ý xử lý dữ liệu");
    tap(app, "Tôi đồng ý – Gửi hồ sơ");

    let (form, slip, _) = arrived(&sim, &kiosk, &[false]);
    assert_eq!(form["procedure_code"], "1.001193");
    assert_eq!(form["answers"]["relationship"], "other");
    assert_eq!(form["answers"]["relationship_other"], "cô ruột");
    assert_eq!(form["answers"]["child_name"], "Đặng Minh Khang");
    assert_eq!(form["answers"]["child_birth_place"], "bệnh viện phụ sản hà nội");
    assert_eq!(form["answers"]["child_nationality"], "vn");
    assert_eq!(form["answers"]["child_hometown"], "nam định");
    assert_eq!(form["answers"]["mother_ethnicity"], "kinh");
    assert_eq!(form["answers"]["mother_nationality"], "vn");
    assert_eq!(form["answers"]["mother_address"], "số 9 ngõ 4 kim mã");
    assert_eq!(form["answers"]["father_known"], "no");
    assert!(form["answers"].get("father_name").is_none());
    assert!(form["answers"].get("parents_married").is_none(), "asked only when the father is named");
    assert_eq!(form["answers"]["copies"], "2");
    assert_eq!(form["papers"], serde_json::json!([["birth_certificate", 1]]));
    assert_eq!(form["delivery"], "by_post");
    assert_eq!(form["delivery_address"], "số 9 ngõ 4 kim mã");
    assert!(slip.contains("bưu chính công ích"), "{slip}");
    assert!(slip.contains("Hồ sơ này không phải nộp phí, lệ phí."), "registered on time, no fee: {slip}");
}

#[test]
fn a_temporary_residence_dossier_with_a_rescan_and_a_change_from_the_check_page() {
    let dir = kiosk_tests::scratch_dir("dossier-residence");
    let sim = Sim::open(&dir.join("portal.sqlite"), portal_sim::DEV_SECRET, Faults::default(), 9).expect("simulator");
    let running = portal_sim::spawn(sim.clone(), "127.0.0.1:0".parse().expect("address")).expect("listening");
    let kiosk = start_kiosk("dossier-residence-kiosk", 1080, 1920, &running.base_url());
    let app = kiosk.window();
    let k = app.global::<ui::Kiosk>();

    to_the_rental_agreement(app);
    // The rental agreement: two pages, the second scanned again.
    scan(&kiosk, 2);
    assert_eq!(k.get_dossier_scanned(), 2);
    scan_with(&kiosk, "Scan the last page again");
    assert_eq!(k.get_dossier_scanned(), 2, "the last page replaced, not added");
    tap(app, "Continue");
    scan(&kiosk, 2);
    tap(app, "Continue");
    tap(app, "At the office's one-stop counter");
    snapshot(app, "dossier-check-en-1080x1920");
    // Change the phone number from the check page and come straight back.
    tap(app, "Change: Phone");
    assert_eq!(text(app), "0862000111");
    tap(app, "Delete");
    number(app, "9");
    assert_eq!(count(app, "Check your answers"), 1);
    tap(app, "Continue to consent");
    tap(app, "I agree: send my dossier");

    kiosk.settle("the dossier sent and its receipt printed", || print_finished(k.get_dossier_sent().print));
    assert_eq!(count(app, "Your dossier has been received"), 1);
    let received = sim.received();
    let form: serde_json::Value = serde_json::from_slice(&received[0].form).expect("JSON");
    assert_eq!(form["answers"]["phone"], "0862000119");
    assert_eq!(form["answers"]["name"], "Hoàng Văn Nam");
    assert_eq!(form["papers"], serde_json::json!([["lawful_residence", 2], ["id_card", 2]]));
    assert_eq!(form["language"], "en");
    assert_eq!(received[0].pages.len(), 4);
    let scanned: Vec<Vec<u8>> = [false, false, true, true].into_iter().map(scanned_page).collect();
    assert_eq!(received[0].pages, scanned, "the pages arrive byte-identical, in order");
    // The dossier code, then the fee's payment code (7.000 đồng online).
    let code = k.get_dossier_sent().code.to_string();
    let qr = qr_codes(kiosk.printer().jobs().last().expect("receipt"));
    assert_eq!(qr.first(), Some(&code));
    let payment = kiosk_core::vietqr::parse(&qr[1]).expect("a VietQR payload");
    assert_eq!((payment.amount, payment.note.as_deref()), (Some(7_000), Some(code.as_str())));
}

/// Leaving at every page (the header's "Start again", or walking away until the idle timeout) drops the answers
/// and scanned pages from the screen's state and properties, and writes nothing: the outbox stays empty, no page
/// file exists.
#[test]
fn leaving_at_any_page_leaves_nothing_behind() {
    let dir = kiosk_tests::scratch_dir("dossier-abandon");
    let sim = Sim::open(&dir.join("portal.sqlite"), portal_sim::DEV_SECRET, Faults::default(), 10).expect("simulator");
    let running = portal_sim::spawn(sim.clone(), "127.0.0.1:0".parse().expect("address")).expect("listening");
    let kiosk = start_kiosk("dossier-abandon-kiosk", 1080, 1920, &running.base_url());
    let app = kiosk.window();
    let k = app.global::<ui::Kiosk>();
    type Step = Box<dyn Fn(&Running)>;
    let steps: Vec<Step> = vec![
        Box::new(|kiosk| letters(kiosk.window(), "chuwsng")),
        Box::new(|kiosk| number(kiosk.window(), "001090123456")),
        Box::new(|kiosk| number(kiosk.window(), "0912345678")),
        Box::new(|kiosk| letters(kiosk.window(), "giaays uyr quyeenf")),
        Box::new(|kiosk| {
            scan(kiosk, 1);
            tap(kiosk.window(), "Tiếp tục");
        }),
        Box::new(|kiosk| {
            scan(kiosk, 2);
            tap(kiosk.window(), "Tiếp tục");
        }),
        Box::new(|kiosk| tap(kiosk.window(), "Nhận trực tiếp tại quầy của cơ quan giải quyết")),
        Box::new(|kiosk| tap(kiosk.window(), "Tiếp tục: đồng ý xử lý dữ liệu")),
    ];
    for leave_after in 0..=steps.len() {
        tap(app, "Nộp hồ sơ");
        tap(app, "Chứng thực chữ ký trong các giấy tờ, văn bản");
        tap(app, "Bắt đầu");
        for step in &steps[..leave_after] {
            step(&kiosk);
        }
        // Something typed but not confirmed on the page being left.
        match leave_after {
            0 | 3 => type_keys(app, "abc"),
            1 | 2 => type_text(app, "12"),
            _ => {}
        }
        if leave_after == 4 || leave_after == 5 {
            scan(&kiosk, 1);
        }
        if leave_after == 5 {
            // Walking away with the card on the glass: the idle timeout and its prompt run out.
            crate::screens::wait_seconds(90 + 30 + 2); // the example config: 90 s quiet, a 30 s prompt
        } else {
            tap(app, "Làm lại");
        }
        assert!(ui::dossier::is_empty(app), "after {leave_after} pages");
        assert_eq!(k.get_screen(), ui::Screen::Home);
        for value in
            [k.get_dossier_text(), k.get_dossier_selected(), k.get_dossier_name_vi(), k.get_dossier_problem_text()]
        {
            assert_eq!(value, "", "after {leave_after} pages");
        }
        assert_eq!(slint::Model::row_count(&k.get_dossier_previews()), 0);
        assert_eq!(slint::Model::row_count(&k.get_dossier_rows()), 0);
        assert_eq!(slint::Model::row_count(&k.get_dossier_rows_second()), 0);
    }
    assert!(sim.received().is_empty(), "nothing was sent");
    let pages: Vec<_> = std::fs::read_dir(kiosk.dir.join("outbox").join("pages")).expect("pages dir").collect();
    assert!(pages.is_empty(), "no page file on disk");
    assert_eq!(kiosk.app.outbox.summary(now()).expect("summary").waiting(), 0, "nothing in the outbox");
}

#[test]
fn a_scan_that_answers_after_start_over_never_lands_in_the_next_resident_s_dossier() {
    let dir = kiosk_tests::scratch_dir("dossier-late-scan");
    let sim = Sim::open(&dir.join("portal.sqlite"), portal_sim::DEV_SECRET, Faults::default(), 9).expect("simulator");
    let running = portal_sim::spawn(sim.clone(), "127.0.0.1:0".parse().expect("address")).expect("listening");
    let kiosk = start_kiosk("dossier-late-scan-kiosk", 1080, 1920, &running.base_url());
    let app = kiosk.window();
    let k = app.global::<ui::Kiosk>();
    to_the_rental_agreement(app);
    scan(&kiosk, 1);
    assert_eq!(k.get_dossier_scanned(), 1);
    // The first resident walks away; the next one reaches the same paper page.
    ui::start_over(app);
    to_the_rental_agreement(app);
    assert_eq!(k.get_dossier_scanned(), 0);
    // The answer to a scan asked for before "start over" (request 1, long answered) arrives now.
    let config = kiosk_app::load_config(&kiosk_tests::example_config()).expect("config");
    let mut devices = kiosk_app::devices::Devices::open(&config.devices);
    let late = kiosk_app::devices::scanner::scan_paper(&mut devices, false);
    assert!(late.as_ref().is_ok_and(|pages| !pages.is_empty()), "the simulated scanner gives a page");
    ui::dossier::show_scanned(app, 1, late);
    assert_eq!(k.get_dossier_scanned(), 0, "another resident's page is not taken into this dossier");
    // This resident's own scan is taken.
    scan(&kiosk, 1);
    assert_eq!(k.get_dossier_scanned(), 1);
}

/// The city's system does not answer: the dossier is kept, and the saved page offers a paper for the counter.
/// Printed, it carries the answers in Vietnamese for the officer, the papers scanned, and codes that read back
/// (through the paper, as a counter's scanner would) to the answers, the kiosk, and the dossier waiting in the
/// outbox. Leaving drops the paper with the answers.
#[test]
fn with_the_portal_away_a_paper_for_the_counter_gives_back_the_answers() {
    let kiosk = start_kiosk("dossier-counter-paper", 1080, 1920, crate::screens::NO_PORTAL);
    let app = kiosk.window();
    let k = app.global::<ui::Kiosk>();
    to_the_rental_agreement(app);
    scan(&kiosk, 1);
    tap(app, "Continue");
    scan(&kiosk, 2);
    tap(app, "Continue");
    tap(app, "At the office's one-stop counter");
    tap(app, "Continue to consent");
    tap(app, "I agree: send my dossier");
    kiosk.settle("the dossier kept and its receipt printed", || print_finished(k.get_dossier_sent().print));
    assert_eq!(count(app, "Your dossier is saved"), 1);
    assert!(k.get_dossier_sent().code.is_empty(), "no code: the portal is away");
    kiosk.settle("the paper offered", || k.get_dossier_intake_offered());
    let reference = k.get_dossier_sent().reference.to_string();
    let receipts = kiosk.printer().jobs().len();
    snapshot(app, "dossier-saved-counter-paper-en-1080x1920");

    tap(app, "Print a paper for the counter");
    kiosk.settle("the paper printed", || print_finished(k.get_dossier_intake_print()));
    assert_eq!(k.get_dossier_intake_print(), ui::PrintState::Printed);
    assert_eq!(
        count(app, "Take the paper for the counter from the printer. It holds your personal details: keep it safe."),
        1
    );
    let jobs = kiosk.printer().jobs();
    assert_eq!(jobs.len(), receipts + 1);
    let paper = jobs.last().expect("the paper");
    let text = slip_text(paper);
    for expected in [
        "PAPER FOR THE COUNTER",
        reference.as_str(),
        "Thông tin người dân đã khai",
        "Hoàng Văn Nam",
        "0862000111",
        "Email: nam.hvss@gmail.com",
        "Giấy tờ đã quét tại ki-ốt",
        "- Thẻ căn cước: 2 trang",
        "(Held dossiers, Read a",
    ] {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }
    let codes = qr_codes(paper);
    assert!(!codes.is_empty() && codes.iter().all(|c| c.starts_with("HCC1:")), "{codes:?}");
    let intake = kiosk_core::intake::decode(&codes.join("\n")).expect("the codes read back whole");
    let config = kiosk_app::load_config(&kiosk_tests::example_config()).expect("example config is valid");
    assert_eq!(intake.kiosk, config.kiosk.id);
    assert_eq!(kiosk_app::outbox::resident::short_reference(&intake.id), reference);
    let answers = &intake.form["answers"];
    assert_eq!((answers["name"].as_str(), answers["phone"].as_str()), (Some("Hoàng Văn Nam"), Some("0862000111")));
    assert_eq!(answers["email"].as_str(), Some("nam.hvss@gmail.com"));
    assert_eq!(intake.form["papers"], serde_json::json!([["lawful_residence", 1], ["id_card", 2]]));
    assert_eq!(
        (intake.form["procedure_code"].as_str(), intake.form["delivery"].as_str()),
        (Some("1.004194"), Some("at_the_counter"))
    );
    let state = kiosk.app.outbox.state(&intake.id).expect("outbox");
    assert_eq!(state, Some(kiosk_core::outbox::State::Queued), "the dossier the paper names waits in the outbox");

    // Printed again on request; then the resident leaves and the paper (with the answers) goes with them.
    tap(app, "Print it again");
    kiosk.settle("printed again", || print_finished(k.get_dossier_intake_print()));
    assert_eq!(kiosk.printer().jobs().len(), receipts + 2);
    tap(app, "Done");
    assert!(!k.get_dossier_intake_offered() && ui::dossier::is_empty(app));
    assert_eq!(count(app, "Print a paper for the counter"), 0);
}
