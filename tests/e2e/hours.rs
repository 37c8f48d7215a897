//! The service point's opening hours on the real kiosk (Slint's testing backend, simulated devices): on a day
//! the point is closed, the home screen's queue tile and the queue screen say when numbers are given again, no
//! walk-in number is issued or printed even when asked for directly, a booked time is still asked for, and
//! the help lines of the configuration are on the home screen. (The rule itself, at fixed times such as 22:35,
//! is tested in kiosk-core's `hours`.)

use kiosk_app::ui;
use kiosk_core::hours::{parse_period, Hours};
use slint::ComponentHandle as _;

use crate::screens::{count, start_kiosk_with, tap, NO_PORTAL};

const WEEKDAYS_VI: [&str; 7] = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"];

#[test]
fn on_a_closed_day_no_number_is_given_and_the_kiosk_says_when_numbers_come_back() {
    let (today, _) = kiosk_app::clock::local_minute();
    let open = vec![parse_period("08:00-17:00").expect("period")];
    let hours = Hours {
        week: std::array::from_fn(|_| open.clone()),
        last_ticket_minutes: 30,
        // Closed today (a holiday), whatever the hour this runs at.
        closed: [today].into_iter().collect(),
    };
    let kiosk = start_kiosk_with("hours-closed", 1080, 1920, NO_PORTAL, None, |config| config.hours = Some(hours));
    let app = kiosk.window();
    let k = app.global::<ui::Kiosk>();
    assert!(k.get_numbers_closed());
    let (_, month, day) = kiosk_core::hours::date_of(today + 1);
    let weekday = WEEKDAYS_VI[kiosk_core::hours::weekday(today + 1)];
    let again = format!("Ngày mai, {weekday} {day:02}/{month:02}, số thứ tự được cấp lại từ 08:00.");
    assert_eq!(k.get_numbers_again_vi().as_str(), again);
    let tile: Vec<_> = i_slint_backend_testing::ElementHandle::find_by_accessible_label(app, "Lấy số thứ tự")
        .filter_map(|tile| tile.accessible_description())
        .collect();
    assert_eq!(tile, [again.as_str()], "the queue tile on the home screen says it");
    // The help lines of the example configuration.
    assert_eq!(count(app, "Tổng đài 1022 của thành phố Hà Nội: 1022"), 1);

    tap(app, "Lấy số thứ tự");
    assert_eq!(count(app, "Bây giờ các quầy không cấp số thứ tự."), 1);
    assert_eq!(count(app, &again), 1, "the queue screen says when");
    // Asked for anyway (the minute the point closed while a resident was choosing): no number, nothing printed.
    let printed = kiosk.printer().jobs().len();
    k.invoke_take_ticket("HT".into(), ui::Priority::None);
    kiosk.settle("the refusal", || k.get_ticket_step() == ui::TicketStep::ChooseService);
    std::thread::sleep(std::time::Duration::from_millis(300));
    kiosk.app.run_posted();
    assert_eq!(k.get_ticket_step(), ui::TicketStep::ChooseService);
    assert_eq!(kiosk.printer().jobs().len(), printed, "no ticket printed");
    let waiting = kiosk.app.queue.read(|q| q.waiting(&["HT".to_owned()], chrono::Utc::now().timestamp()).len());
    assert_eq!(waiting, 0, "no number in the queue");

    // A booked time still gives a number: choosing a service asks for the booking code at once.
    tap(app, "Hộ tịch");
    assert_eq!(k.get_ticket_step(), ui::TicketStep::BookingCode);

    // English says the same.
    ui::start_over(app);
    assert!(k.get_numbers_again_en().as_str().starts_with("Queue numbers are given again tomorrow, "));
}
