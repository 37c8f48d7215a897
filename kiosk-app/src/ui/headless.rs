//! Drawing the kiosk without a display: Slint's software renderer into memory, saved as PNG.
//!
//! Used by `kiosk --walkthrough DIR` (what the run command shows on a machine with no screen, and the source of
//! the README's pictures) and by the tests. Must not do: open windows or devices.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use anyhow::Context as _;
use kiosk_core::config::Config;
use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};
use slint::{ComponentHandle, PhysicalSize, Rgb8Pixel};

use crate::devices::{Devices, PortalReach, Report};
use crate::ui;

/// The two screen shapes a kiosk comes in.
pub const SIZES: [(u32, u32); 2] = [(1080, 1920), (1920, 1080)];

struct HeadlessPlatform {
    window: Rc<MinimalSoftwareWindow>,
}

impl Platform for HeadlessPlatform {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, slint::PlatformError> {
        Ok(self.window.clone())
    }
}

/// Writes 8-bit RGB or RGBA pixels as a PNG file.
pub fn write_png(path: &Path, width: u32, height: u32, channels: u8, pixels: &[u8]) -> anyhow::Result<()> {
    let color = match channels {
        3 => png::ColorType::Rgb,
        4 => png::ColorType::Rgba,
        other => anyhow::bail!("{other} channels is not RGB or RGBA"),
    };
    let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut encoder = png::Encoder::new(BufWriter::new(file), width, height);
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().with_context(|| format!("writing {}", path.display()))?;
    writer.write_image_data(pixels).with_context(|| format!("writing {}", path.display()))?;
    writer.finish().with_context(|| format!("finishing {}", path.display()))?;
    Ok(())
}

/// Renders the window as it is now into an RGB buffer of its size.
fn render(window: &MinimalSoftwareWindow, (width, height): (u32, u32)) -> Vec<u8> {
    slint::platform::update_timers_and_animations();
    let mut buffer = vec![Rgb8Pixel::default(); (width * height) as usize];
    window.request_redraw();
    window.draw_if_needed(|renderer| {
        renderer.render(&mut buffer, width as usize);
    });
    buffer.iter().flat_map(|pixel| [pixel.r, pixel.g, pixel.b]).collect()
}

/// Draws the screen, letting it scroll to all of its content first (ui::fit_screen).
fn render_fitted(window: &MinimalSoftwareWindow, app: &ui::AppWindow, size: (u32, u32)) -> Vec<u8> {
    let mut pixels = render(window, size);
    for _ in 0..3 {
        if !ui::fit_screen(app) {
            break;
        }
        pixels = render(window, size);
    }
    pixels
}

/// Goes through the home screen and every task screen, in every configured language and both screen shapes,
/// saving one PNG per view in `out_dir`, and the technician's PIN pad and screen. Simulated devices are checked
/// and tested for real, so the technician screen shows what they report (and, with faults set on the simulators,
/// what residents are told). Returns the files written.
///
/// Sets Slint's platform for this process: call it once, from the main thread, before any other Slint use.
pub fn walkthrough(config: &Config, out_dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    slint::platform::set_platform(Box::new(HeadlessPlatform { window: window.clone() }))
        .map_err(|e| anyhow::anyhow!("setting the headless platform: {e}"))?;
    // The screens as they are while the service point is open, whatever the hour this runs at; the closed
    // queue screen is drawn on its own below, at a fixed evening.
    let mut open = config.clone();
    let hours = open.hours.take();
    let app = ui::build(&open).context("building the kiosk UI")?;
    app.show().context("showing the kiosk UI")?;

    let mut devices = Devices::open(&config.devices);
    let (printer, scanner, pager) = devices.check();
    let (host, port) = config.portal.host_port();
    let portal = if crate::devices::portal_reachable(&host, port, std::time::Duration::from_secs(2)) {
        PortalReach::Reachable
    } else {
        PortalReach::Unreachable
    };
    ui::apply_report(&app, &Report { printer, scanner, pager, portal });

    let (issued, called) = sample_queue(config, out_dir)?;

    let mut written = Vec::new();
    let mut spoken_text = String::from(
        "# What the speaker button reads on each screen\n\nWritten by `kiosk --walkthrough` (the sample screens, \
         as kiosk-core's speech module prepares them for espeak-ng).\n\n",
    );
    let mut measures = String::from(
        "# Touch targets and contrast, measured on every screen\n\nWritten by `kiosk --walkthrough`: the smallest \
         touch target from the element geometry (logical px), and the lowest contrast of a text or a button's \
         caption against what is behind it, measured from the rendered pixels (WCAG ratio), in the normal theme \
         and the high-contrast one.\n\n| screen | language | shape | smallest target | lowest contrast | \
         lowest contrast, high contrast |\n|---|---|---|---|---|---|\n",
    );
    let mut fit = String::from(
        "# Does every text fit, at every text size?\n\nWritten by `kiosk --walkthrough`: each screen drawn at 150 % \
         and 200 % text (and 100 %), every text checked against the room Slint's text layout says it needs (cut \
         at the side or bottom, shortened with …, outside its parent or the window, overlapping another text). \
         The 200 % renders, in high contrast, are in `large/`.\n\n| screen | language | shape | result |\n\
         |---|---|---|---|\n",
    );
    let large_dir = out_dir.join("large");
    std::fs::create_dir_all(&large_dir).with_context(|| format!("creating {}", large_dir.display()))?;
    for size in SIZES {
        window.set_size(PhysicalSize::new(size.0, size.1));
        for &language in &config.ui.languages {
            ui::select_language(&app, language);
            let mut views = vec![ui::Screen::Home];
            // The home visit, the booking and the dossier wizard have their own walks through every page, below.
            let walked = [ui::Screen::Visit, ui::Screen::Submit, ui::Screen::Booking];
            views.extend(ui::TASK_SCREENS.into_iter().filter(|s| !walked.contains(s)));
            let mut save = |slug: &str| -> anyhow::Result<()> {
                let pixels = render_fitted(&window, &app, size);
                let path = out_dir.join(format!("{slug}-{}-{}x{}.png", language.code(), size.0, size.1));
                write_png(&path, size.0, size.1, 3, &pixels)?;
                written.push(path);
                // Whether every text fits, at the normal size first (the view just drawn).
                let mut misfits: Vec<String> =
                    ui::layout_check::faults(&app, size).into_iter().map(|f| format!("100% {f}")).collect();
                // The smallest touch target, and the lowest text contrast measured from the pixels, in the normal
                // theme and (portrait) the high-contrast one.
                let target = ui::measure::smallest_target(&app, size);
                let normal = ui::measure::lowest_contrast(&app, &pixels, size);
                let high = if size == SIZES[0] {
                    let kiosk = app.global::<ui::Kiosk>();
                    kiosk.set_high_contrast(true);
                    let pixels = render_fitted(&window, &app, size);
                    let high = ui::measure::lowest_contrast(&app, &pixels, size);
                    kiosk.set_high_contrast(false);
                    high
                } else {
                    None
                };
                let cell = |c: &Option<ui::measure::Contrast>| {
                    c.as_ref().map_or("–".to_owned(), |c| format!("{:.1} ({})", c.ratio, short(&c.label)))
                };
                measures.push_str(&format!(
                    "| {slug} | {} | {}x{} | {} | {} | {} |\n",
                    language.code(),
                    size.0,
                    size.1,
                    target.as_ref().map_or("–".to_owned(), |t| format!(
                        "{:.0}×{:.0} ({})",
                        t.width,
                        t.height,
                        short(&t.label)
                    )),
                    cell(&normal),
                    cell(&high),
                ));
                // At every text size, every text fits; the largest is drawn in high contrast too (for the docs).
                let kiosk = app.global::<ui::Kiosk>();
                for text_size in [1, 2] {
                    kiosk.set_text_size(text_size);
                    render_fitted(&window, &app, size);
                    misfits.extend(
                        ui::layout_check::faults(&app, size)
                            .into_iter()
                            .map(|f| format!("{}% {f}", ui::TEXT_SIZES[text_size as usize])),
                    );
                }
                kiosk.set_high_contrast(true);
                let pixels = render_fitted(&window, &app, size);
                let path = large_dir.join(format!("{slug}-{}-{}x{}.png", language.code(), size.0, size.1));
                write_png(&path, size.0, size.1, 3, &pixels)?;
                written.push(path);
                kiosk.set_high_contrast(false);
                kiosk.set_text_size(0);
                // Back to the normal view, drawn, so the next step starts from it (its scroll height reset).
                render_fitted(&window, &app, size);
                fit.push_str(&format!(
                    "| {slug} | {} | {}x{} | {} |\n",
                    language.code(),
                    size.0,
                    size.1,
                    if misfits.is_empty() { "fits".to_owned() } else { misfits.join("<br>").replace('|', "/") }
                ));
                // What the speaker button says on this screen (once, in the portrait shape).
                if size == SIZES[0] {
                    let words = ui::read_aloud::screen_words(&app);
                    let spoken = kiosk_core::speech::prepare(&words, language);
                    spoken_text.push_str(&format!("## {slug} ({})\n\n{spoken}\n\n", language.code()));
                }
                Ok(())
            };
            for screen in views {
                ui::open(&app, screen);
                save(ui::screen_slug(screen))?;
                if screen == ui::Screen::Lookup {
                    ui::lookup_type(&app, "chung thuc");
                    save("lookup-results")?;
                    ui::show_procedure(&app, "chung-thuc-chu-ky");
                    save("lookup-procedure")?;
                }
                if screen == ui::Screen::Queue {
                    ui::show_ticket_step(&app, ui::TicketStep::ChoosePriority);
                    save("queue-priority")?;
                    ui::show_ticket_step(&app, ui::TicketStep::BookingCode);
                    ui::show_arrival_code(&app, "LH-261207-000001", &crate::booking::Verdict::Given("HT-004".into()));
                    save("queue-booking-code")?;
                    ui::show_ticket(&app, &issued);
                    save("queue-ticket")?;
                }
            }
            ui::visit::walk(&app, &mut save)?;
            ui::select_language(&app, language);
            ui::booking::walk(&app, &mut save)?;
            ui::select_language(&app, language);
            ui::dossier::walk(&app, &mut |card| crate::devices::scanner::scan_paper(&mut devices, card), &mut save)?;
            ui::select_language(&app, language);
            ui::technician::walk(&app, &mut devices, portal, &mut save)?;
            ui::select_language(&app, language);
            ui::go_home(&app);
            ui::show_now_serving(&app, &called);
            save("home-now-serving")?;
            ui::show_now_serving(&app, &[]);
            // Outside opening hours: 22:35 on a Monday evening.
            if let Some(hours) = &hours {
                ui::hours::show_sample_evening(&app, hours);
                save("home-closed")?;
                ui::open(&app, ui::Screen::Queue);
                save("queue-closed")?;
                ui::hours::forget(&app);
                ui::go_home(&app);
            }
        }
    }
    app.hide().context("hiding the kiosk UI")?;
    let report = out_dir.join("measures.md");
    std::fs::write(&report, measures).with_context(|| format!("writing {}", report.display()))?;
    written.push(report);
    let fit_report = out_dir.join("fit.md");
    std::fs::write(&fit_report, fit).with_context(|| format!("writing {}", fit_report.display()))?;
    written.push(fit_report);
    let transcript = out_dir.join("read-aloud.md");
    std::fs::write(&transcript, spoken_text).with_context(|| format!("writing {}", transcript.display()))?;
    written.push(transcript);

    written.extend(print_samples(config, &mut devices, &issued, out_dir)?);
    Ok(written)
}

/// A label short enough for a table cell.
fn short(label: &str) -> String {
    let one_line = label.replace(['\n', '|'], " ");
    if one_line.chars().count() > 30 {
        format!("{}…", one_line.chars().take(29).collect::<String>())
    } else {
        one_line
    }
}

/// A real ticket, issued into a throwaway queue (never the kiosk's own) after three others, and one of them
/// called to counter 1: for the queue screens, the "now serving" bar and the printed ticket.
fn sample_queue(config: &Config, out_dir: &Path) -> anyhow::Result<(crate::tickets::Issued, Vec<(String, u16)>)> {
    let scratch = out_dir.join(".walkthrough-queue.sqlite");
    let _ = std::fs::remove_file(&scratch);
    let store = crate::queue_store::QueueStore::open(&scratch, config.queue.setup(), crate::clock::now().0)?;
    let service = config.queue.services[0].code.clone();
    let issue =
        || crate::tickets::issue(&store, config, &service, kiosk_core::queue::Priority::None, crate::clock::now());
    for _ in 0..3 {
        issue()?;
    }
    let issued = issue()?;
    let services = config.queue.setup().services;
    let (day, now) = crate::clock::now();
    store.run(|q| q.call_next(1, &services, day, now))??;
    let called: Vec<(String, u16)> = store.read(|q| q.now_serving().iter().map(|t| (t.label(), 1)).collect());
    drop(store);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", scratch.display()));
    }
    Ok((issued, called))
}

/// The standard slips, printed through the configured printer (the simulated one in the demo) and drawn from the
/// bytes the printer received, as `printed-NAME.png`.
fn print_samples(
    config: &Config,
    devices: &mut Devices,
    issued: &crate::tickets::Issued,
    out_dir: &Path,
) -> anyhow::Result<Vec<PathBuf>> {
    let face = crate::printing::typeface();
    let profile = devices.printer_profile().clone();
    let mut written = Vec::new();
    for (name, document) in sample_slips(config, issued)? {
        let encoded = kiosk_drivers::printer::encode::encode(&document, &profile, face);
        // A character the configured printer cannot print comes out as `?`: the wording must change instead.
        anyhow::ensure!(
            encoded.substituted.is_empty(),
            "the sample {name} slip has characters this printer cannot print: {:?}",
            encoded.substituted
        );
        let job = encoded.bytes;
        let received = match (devices.print(&job), &devices.simulators.printer) {
            (Ok(_), Some(simulated)) => simulated.jobs().last().cloned().unwrap_or_default(),
            // A real printer printed it (or failed): draw what was sent.
            (Ok(_), None) => job,
            (Err(error), _) => {
                tracing::warn!(%error, slip = name, "printing a sample slip failed");
                continue;
            }
        };
        let path = out_dir.join(format!("printed-{name}.png"));
        crate::printing::paper_png(&received, &profile, face, &path)?;
        written.push(path);
    }
    Ok(written)
}

/// Every kind of slip with sample content (marked as samples by their codes), in the first language.
/// The fee on the sample receipt and saved page: BIN 970499 is no bank's (the State Bank has issued
/// 970400-970470), so a phone that scans the sample moves no money.
pub(crate) fn sample_fee() -> kiosk_core::portal::Fee {
    kiosk_core::portal::Fee {
        amount_vnd: 7_000,
        paid_vnd: 0,
        pay_to: Some(kiosk_core::portal::PayTo {
            bank_bin: "970499".into(),
            bank_name: "Ngân hàng mẫu".into(),
            account: "0001234567".into(),
            account_name: "MAU - KHONG CO THAT".into(),
        }),
    }
}

/// A booking slip's sample: its code is marked as a sample, its place is no real one.
fn sample_booking() -> crate::booking::Slip {
    crate::booking::Slip {
        reference: "3FA2-91C0".into(),
        code: Some("LH-261207-000001".into()),
        slot: kiosk_core::portal::Slot {
            id: "2026-12-07T17:30".into(),
            date: "2026-12-07".into(),
            start: "17:30".into(),
            end: "18:30".into(),
            free: 2,
        },
        place_vi: "Điểm phục vụ mẫu".into(),
        place_en: "Sample service point".into(),
        address: "Nhà văn hóa mẫu".into(),
        need_vi: "Đăng ký tạm trú".into(),
        need_en: "Registering a temporary address".into(),
        bring_vi: vec!["Căn cước".into()],
        bring_en: vec!["Citizen identity card".into()],
        phone_tail: "678".into(),
    }
}

fn sample_slips(
    config: &Config,
    issued: &crate::tickets::Issued,
) -> anyhow::Result<Vec<(&'static str, kiosk_drivers::printer::document::Document)>> {
    let language = config.ui.languages[0];
    let lookup = crate::lookup::Lookup::bundled();
    let procedure = lookup.procedure("chung-thuc-chu-ky").context("the bundled catalogue's signature procedure")?;
    let visit = crate::visit::Confirmation {
        reference: "3FA2-91C0".into(),
        code: Some("SIM-261129-000001".into()),
        ward: "Phường Cầu Giấy".into(),
        need_vi: "Ủy quyền nhận lương hưu (mẫu 13-HSB)".into(),
        need_en: "Letting someone collect your pension (form 13-HSB)".into(),
        when: kiosk_core::visit::When::Morning,
        phone_tail: "678".into(),
        signature: true,
    };
    let receipt = crate::dossier::Receipt {
        reference: "3FA2-91C0".into(),
        code: Some("SIM-261129-000002".into()),
        procedure_vi: "Đăng ký tạm trú".into(),
        procedure_en: "Registering a temporary address".into(),
        procedure_code: "1.004194".into(),
        fee_vi: "15.000 đồng nếu nộp trực tiếp; 7.000 đồng nếu nộp trực tuyến".into(),
        fee_en: "15,000 dong in person; 7,000 dong online".into(),
        handled_by_vi: "Công an phường, xã".into(),
        handled_by_en: "The ward police".into(),
        result_date: "02/12/2026".into(),
        delivery: kiosk_core::dossier::Delivery::AtTheCounter,
        fee: Some(sample_fee()),
    };
    // The walkthrough's temporary-residence dossier (ui::dossier::walk), as the paper for the counter holds it.
    let intake = kiosk_core::intake::Intake {
        kiosk: config.kiosk.id.clone(),
        id: "0193a1b2-3c4d-7e8f-9a0b-3fa291c00001".into(),
        form: serde_json::json!({
            "kind": "dossier", "procedure_id": "dang-ky-tam-tru", "procedure_code": "1.004194",
            "answers": {
                "name": "Hoàng Văn Nam", "birth_date": "02/09/1990", "sex": "male", "personal_number": "001090123456",
                "phone": "0862000111", "email": "nam.hv@gmail.com", "household": "new", "address": "Phòng 302 số 15 ngõ 80 Chùa Láng",
                "until": "31/12/2027", "members": "no", "owner_name": "Ngô Thị Mai", "owner_consent": "agreement",
                "minor": "no",
            },
            "delivery": "at_the_counter", "delivery_address": null,
            "papers": [["lawful_residence", 1], ["id_card", 2]],
            "consent_version": kiosk_core::dossier::CONSENT_VERSION, "language": language.code(),
        }),
    };
    Ok(vec![
        ("ticket", crate::tickets::ticket_document(config, issued, language)),
        ("guidance", crate::lookup::guidance_document(config, procedure, language)),
        ("visit", crate::visit::confirmation_document(config, &visit, language)),
        ("receipt", crate::dossier::receipt_document(config, &receipt, language)),
        ("counter-paper", crate::dossier::intake_document(config, &intake, "3FA2-91C0", language)),
        ("booking", crate::booking::slip_document(config, &sample_booking(), language)),
    ])
}

/// Draws the home screen once, as the kiosk's first frame, into an RGB buffer of `size` (the technician's
/// self-test: the UI builds from this configuration and the shipped fonts draw). Sets Slint's platform for this
/// process, like [`walkthrough`].
pub fn home_frame(config: &Config, size: (u32, u32)) -> anyhow::Result<Vec<u8>> {
    let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    slint::platform::set_platform(Box::new(HeadlessPlatform { window: window.clone() }))
        .map_err(|e| anyhow::anyhow!("setting the headless platform: {e}"))?;
    let app = ui::build(config).context("building the kiosk UI")?;
    app.show().context("showing the kiosk UI")?;
    window.set_size(PhysicalSize::new(size.0, size.1));
    Ok(render(&window, size))
}
