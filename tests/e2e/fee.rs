//! A dossier's fee paid by VietQR: after a dossier is delivered the screen and the receipt show the bank-transfer
//! code for the exact fee into the account the portal names, with the dossier code as the transfer's content;
//! both codes are read back (from the screen's pixels and from the printed bytes) and parsed. The portal
//! simulator then records a payment: too little, and the status screen shows what is still due with a code for
//! it; the rest, and it shows the fee paid. With the portal away, the receipt says where to pay instead and shows
//! no code, and the status screen shows the code once the portal has the dossier.

use kiosk_app::ui::{self, AppWindow, FeeState};
use kiosk_core::vietqr::{self, Beneficiary, Initiation};
use kiosk_tests::portal_sim::{self, Faults, Sim};
use slint::ComponentHandle;

use crate::dossier::qr_codes;
use crate::screens::{
    count, enqueue_synthetic_dossier, print_finished, slip_text, snapshot, start_kiosk, tap, type_text, Running,
};
use crate::visit::type_keys;

/// The QR codes a phone's camera finds on the window as drawn now.
fn qr_codes_on_screen(app: &AppWindow) -> Vec<String> {
    let shot = app.window().take_snapshot().expect("snapshot");
    let (width, height) = (shot.width() as usize, shot.height() as usize);
    let pixels = shot.as_slice();
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        let p = pixels[y * width + x];
        ((u32::from(p.r) * 77 + u32::from(p.g) * 150 + u32::from(p.b) * 29) >> 8) as u8
    });
    image.detect_grids().into_iter().filter_map(|grid| grid.decode().ok().map(|(_, text)| text)).collect()
}

/// The payment codes among `codes`, parsed.
fn transfers(codes: &[String]) -> Vec<vietqr::Transfer> {
    codes.iter().filter_map(|code| vietqr::parse(code).ok()).collect()
}

fn assert_pays(transfer: &vietqr::Transfer, amount: u64, dossier: &str) {
    let account = portal_sim::sim_account();
    assert_eq!(transfer.bin, account.bank_bin);
    assert_eq!(transfer.beneficiary, Beneficiary::Account(account.account));
    assert_eq!(transfer.amount, Some(amount));
    assert_eq!(transfer.initiation, Initiation::Dynamic);
    assert_eq!(transfer.note.as_deref(), Some(dossier), "the dossier code is the transfer's content");
}

/// A signature-certification dossier (10.000 đồng) through the UI, up to "send".
fn send_signature_dossier(kiosk: &Running) {
    let app = kiosk.window();
    let k = app.global::<ui::Kiosk>();
    tap(app, "Nộp hồ sơ");
    tap(app, "Chứng thực chữ ký trong các giấy tờ, văn bản");
    tap(app, "Bắt đầu");
    for (keys, typed) in
        [("nguyeenx vawn an", false), ("001090123456", true), ("0912345678", true), ("hop ddoongf", false)]
    {
        if typed {
            type_text(app, keys);
        } else {
            type_keys(app, keys);
        }
        tap(app, "Tiếp tục");
    }
    // The paper (one page), then the ID card (front and back).
    for pages in [1, 2] {
        for page in 0..pages {
            tap(app, if page == 0 { "Quét" } else { "Quét trang tiếp theo" });
            kiosk.settle("the scanned page", || !k.get_dossier_scanning());
        }
        tap(app, "Tiếp tục");
    }
    if count(app, "Nhận trực tiếp tại quầy của cơ quan giải quyết") == 1 {
        tap(app, "Nhận trực tiếp tại quầy của cơ quan giải quyết");
    }
    tap(app, "Tiếp tục: đồng ý xử lý dữ liệu");
    tap(app, "Tôi đồng ý – Gửi hồ sơ");
    kiosk.settle("the dossier sent and its receipt printed", || print_finished(k.get_dossier_sent().print));
}

/// Checks `code` on the status screen and waits for the portal's answer.
fn check(kiosk: &Running, code: &str) {
    let app = kiosk.window();
    let k = app.global::<ui::Kiosk>();
    if k.get_screen() != ui::Screen::Track {
        tap(app, "Tra cứu tình trạng hồ sơ");
    }
    tap(app, if count(app, "Tra cứu mã khác") == 1 { "Tra cứu mã khác" } else { "Xóa hết" });
    type_text(app, code);
    tap(app, "Tra cứu");
    kiosk.settle("the portal's answer", || k.get_track_step() != ui::TrackStep::Checking);
}

#[test]
fn a_fee_shown_as_vietqr_then_underpaid_then_paid() {
    let dir = kiosk_tests::scratch_dir("fee-vietqr");
    let sim = Sim::open(&dir.join("portal.sqlite"), portal_sim::DEV_SECRET, Faults::default(), 21).expect("simulator");
    let running = portal_sim::spawn(sim.clone(), "127.0.0.1:0".parse().expect("address")).expect("listening");
    let kiosk = start_kiosk("fee-vietqr-kiosk", 1080, 1920, &running.base_url());
    let app = kiosk.window();
    let k = app.global::<ui::Kiosk>();

    send_signature_dossier(&kiosk);
    let code = k.get_dossier_sent().code.to_string();
    assert!(!code.is_empty(), "delivered");
    assert_eq!(k.get_dossier_sent().fee.state, FeeState::Owed);
    assert_eq!(count(app, "Cần nộp: 10.000 đồng"), 1);
    assert_eq!(count(app, "Mã QR để nộp 10.000 đồng"), 1);
    assert_eq!(count(app, &format!("Nội dung chuyển khoản: {code}")), 1);
    snapshot(app, "fee-owed-vi-1080x1920");
    let on_screen = transfers(&qr_codes_on_screen(app));
    assert_eq!(on_screen.len(), 1, "one payment code on screen");
    assert_pays(&on_screen[0], 10_000, &code);

    // The receipt: the dossier code's QR and the payment's, which pays the same.
    let receipt = kiosk.printer().jobs().last().expect("a receipt").clone();
    let printed = qr_codes(&receipt);
    assert_eq!(printed.first(), Some(&code));
    let paper = transfers(&printed);
    assert_eq!(paper.len(), 1, "{printed:?}");
    assert_pays(&paper[0], 10_000, &code);
    let slip = slip_text(&receipt);
    assert!(slip.contains("Cần nộp: 10.000 đồng") && slip.contains("Chủ tài khoản: PORTAL SIM"), "{slip}");
    tap(app, "Xong");

    // Too little arrives: what is still due, and a code for exactly that.
    sim.pay(&code, 7_000);
    check(&kiosk, &code);
    assert_eq!(k.get_track_fee().state, FeeState::Owed);
    assert_eq!(count(app, "Còn phải nộp: 3.000 đồng (đã nộp 7.000 trong số 10.000 đồng)"), 1);
    snapshot(app, "fee-underpaid-vi-1080x1920");
    let due = transfers(&qr_codes_on_screen(app));
    assert_eq!(due.len(), 1);
    assert_pays(&due[0], 3_000, &code);

    // The rest arrives: paid, and no code any more.
    sim.pay(&code, 3_000);
    check(&kiosk, &code);
    assert_eq!(k.get_track_fee().state, FeeState::Paid);
    assert_eq!(count(app, "Đã nộp đủ: 10.000 đồng. Cảm ơn Ông/Bà."), 1);
    assert!(transfers(&qr_codes_on_screen(app)).is_empty(), "nothing left to pay");

    // Paid twice over: the screen says so and where to get it back.
    sim.pay(&code, 10_000);
    check(&kiosk, &code);
    assert_eq!(k.get_track_fee().state, FeeState::Overpaid);
    assert_eq!(
        count(
            app,
            "Ông/Bà đã nộp thừa 10.000 đồng (số phải nộp: 10.000 đồng). Mời Ông/Bà mang mã hồ sơ đến quầy tiếp nhận để hỏi cách nhận lại."
        ),
        1
    );
}

#[test]
fn offline_the_receipt_says_where_to_pay_and_the_code_comes_with_the_status() {
    let dir = kiosk_tests::scratch_dir("fee-offline");
    let sim = Sim::open(&dir.join("portal.sqlite"), portal_sim::DEV_SECRET, Faults::default(), 22).expect("simulator");
    let running = portal_sim::spawn(sim.clone(), "127.0.0.1:0".parse().expect("address")).expect("listening");
    let address = running.address;
    let kiosk = start_kiosk("fee-offline-kiosk", 1920, 1080, &running.base_url());
    let app = kiosk.window();
    let k = app.global::<ui::Kiosk>();

    let sim = running.stop();
    send_signature_dossier(&kiosk);
    assert_eq!(k.get_dossier_sent().code, "", "not delivered");
    assert_eq!(k.get_dossier_sent().fee.state, FeeState::Unknown);
    let receipt = kiosk.printer().jobs().last().expect("a receipt").clone();
    assert!(transfers(&qr_codes(&receipt)).is_empty(), "no payment code without the portal's account");
    let slip = slip_text(&receipt);
    assert!(slip.contains("Nếu thủ tục có thu phí, lệ phí: nộp tại quầy"), "{slip}");
    assert!(transfers(&qr_codes_on_screen(app)).is_empty());
    snapshot(app, "fee-offline-vi-1920x1080");
    tap(app, "Xong");

    // A free procedure says so. (Enqueued directly, delivered by the forwarder.)
    let _running = portal_sim::spawn(sim.clone(), address).expect("back on the same address");
    let free = enqueue_synthetic_dossier(&kiosk, "1.001193");
    let outbox = kiosk.app.outbox.clone();
    kiosk.settle("both dossiers delivered", || {
        outbox.dossier_code(&free).expect("readable").is_some() && sim.received().len() == 2
    });
    let free_code = outbox.dossier_code(&free).expect("code").expect("acknowledged");
    check(&kiosk, &free_code);
    assert_eq!(k.get_track_fee().state, FeeState::Free);
    assert_eq!(count(app, "Hồ sơ này không phải nộp phí, lệ phí."), 1);

    // The signature dossier, delivered after the portal came back: its status carries the code to pay with.
    let signature =
        sim.received().into_iter().find(|r| r.procedure_code.as_deref() == Some("2.000884")).expect("arrived");
    check(&kiosk, &signature.dossier_code);
    assert_eq!(k.get_track_fee().state, FeeState::Owed);
    let due = transfers(&qr_codes_on_screen(app));
    assert_eq!(due.len(), 1);
    assert_pays(&due[0], 10_000, &signature.dossier_code);
    snapshot(app, "fee-track-owed-vi-1920x1080");
}
