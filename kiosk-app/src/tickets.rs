//! Taking a queue number at the kiosk: issue the ticket through the queue store (committed before the resident
//! sees the number), work out the people ahead and the wait, and lay out the printed ticket.
//! Must not do: block the UI thread (callers run [`issue`] on a worker thread) or print (the device thread does).

use kiosk_core::config::{Config, Language};
use kiosk_core::queue::{Event, Priority};
use kiosk_drivers::printer::document::{Align, Document, Style};

use crate::queue_store::QueueStore;
use crate::words;

/// A ticket just issued, with what the resident is told (no resident in it: it crosses to the screen's
/// printer through the print spool when the core service runs apart).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Issued {
    pub label: String,
    pub service_code: String,
    pub service_vi: String,
    pub service_en: String,
    pub pager: Option<u16>,
    pub priority: Priority,
    pub ahead: usize,
    pub wait_minutes: i64,
    /// Too little history today: the wait is shown as "about".
    pub rough: bool,
    pub issued_at: i64,
}

impl Issued {
    pub fn service_name(&self, language: Language) -> &str {
        match language {
            Language::Vietnamese => &self.service_vi,
            Language::English => &self.service_en,
        }
    }
}

/// Issues a ticket for `service`; the ticket is on disk when this returns.
pub fn issue(
    store: &QueueStore,
    config: &Config,
    service: &str,
    priority: Priority,
    (day, now): (i32, i64),
) -> anyhow::Result<Issued> {
    let names = config.queue.service(service).ok_or_else(|| anyhow::anyhow!("no service {service} configured"))?;
    let events = store.run(|q| q.issue(service, priority, day, now))??;
    let Some(Event::TicketIssued { id, pager, .. }) =
        events.iter().rev().find(|e| matches!(e, Event::TicketIssued { .. }))
    else {
        anyhow::bail!("the queue issued no ticket");
    };
    let (label, ahead, estimate) = store.read(|q| {
        let label = q.ticket(*id).map(|t| t.label()).unwrap_or_default();
        let (ahead, estimate) = q.ahead(*id, now).unwrap_or((0, q.estimate(service, 0)));
        (label, ahead, estimate)
    });
    tracing::info!(ticket = %label, ahead, pager = ?pager, "queue ticket issued at the kiosk");
    Ok(Issued {
        label,
        service_code: service.to_owned(),
        service_vi: names.name_vi.clone(),
        service_en: names.name_en.clone(),
        pager: *pager,
        priority,
        ahead,
        // Rounded up: a resident told "10 minutes" who waits 11 feels misled; told 11 and waiting 10, pleased.
        wait_minutes: (estimate.seconds + 59) / 60,
        rough: estimate.rough,
        issued_at: now,
    })
}

/// The printed ticket: who issued it, the service, the number in large type, people ahead, the pager and the time.
/// Vietnamese always; English lines too when the resident used English (each from the same catalogue text, so
/// the Vietnamese lines ask for `Language::Vietnamese` whatever the resident chose).
pub fn ticket_document(config: &Config, issued: &Issued, language: Language) -> Document {
    use Language::Vietnamese;
    let center = crate::printing::CENTRED;
    let english = language == Language::English;
    let when = chrono::DateTime::from_timestamp(issued.issued_at, 0)
        .map(|t| t.with_timezone(&chrono::Local).format("%d/%m/%Y %H:%M").to_string())
        .unwrap_or_default();
    let mut doc = Document::new()
        .text(config.kiosk.ward.to_uppercase(), crate::printing::TITLE)
        .text(&config.kiosk.service_point, center)
        .rule()
        .text(&issued.service_vi, crate::printing::BIG);
    if english {
        doc = doc.text(&issued.service_en, center);
    }
    doc = doc.text(&issued.label, Style { scale: 4, bold: true, align: Align::Center });
    let (ahead, minutes) = (issued.ahead, issued.wait_minutes);
    let wait = match (ahead, issued.rough) {
        (0, _) => words::tr(Vietnamese, "Nobody is ahead of you"),
        (_, true) => words::trf(Vietnamese, "People ahead: {} · about {} minutes", &[&ahead, &minutes]),
        (_, false) => words::trf(Vietnamese, "People ahead: {} · {} minutes", &[&ahead, &minutes]),
    };
    doc = doc.text(wait, center);
    if english {
        doc = doc.text(words::trf(language, "People ahead: {}", &[&ahead]), center);
    }
    if issued.priority == Priority::Booked {
        doc = doc.text(words::tr(Vietnamese, "Priority ticket – booked time"), center);
    } else if issued.priority.is_priority() {
        doc = doc.text(words::tr(Vietnamese, "Priority ticket – show your papers at the counter"), center);
    }
    doc = match issued.pager {
        Some(pager) => {
            let mut doc = doc
                .text(
                    words::trf(Vietnamese, "Pager {} vibrates when it is your turn", &[&pager]),
                    crate::printing::TITLE,
                )
                .text(words::tr(Vietnamese, "Please give the pager back at the counter when you are served."), center);
            if english {
                doc = doc.text(words::trf(language, "Pager {} vibrates when it is your turn", &[&pager]), center).text(
                    words::tr(language, "Please give the pager back at the counter when you are served."),
                    center,
                );
            }
            doc
        }
        None => doc.text(words::tr(Vietnamese, "Watch for your number on the screen"), crate::printing::TITLE),
    };
    crate::printing::help_lines(doc, config, language).text(format!("{when} · {}", config.kiosk.id), center).cut()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiosk_drivers::printer::document::Block;

    fn config() -> Config {
        let text = include_str!("../../assets/kiosk.example.toml");
        kiosk_core::config::parse(std::path::Path::new("k.toml"), text.as_bytes()).expect("example")
    }

    fn texts(doc: &Document) -> Vec<String> {
        doc.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Text { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn issuing_commits_the_ticket_and_counts_the_people_ahead() {
        let config = config();
        let dir = std::env::temp_dir().join(format!("kiosk-tickets-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let store = QueueStore::open(&dir.join("q.sqlite"), config.queue.setup(), 20_415).expect("store");
        let first = issue(&store, &config, "HT", Priority::None, (20_415, 1000)).expect("issued");
        assert_eq!((first.label.as_str(), first.pager, first.ahead), ("HT-001", Some(1), 0));
        let second = issue(&store, &config, "HT", Priority::None, (20_415, 1060)).expect("issued");
        assert_eq!((second.label.as_str(), second.pager, second.ahead), ("HT-002", Some(2), 1));
        assert_eq!((second.wait_minutes, second.rough), (5, true), "no history yet: 5 minutes each, marked rough");
        let elderly = issue(&store, &config, "HT", Priority::Elderly, (20_415, 1120)).expect("issued");
        assert_eq!(elderly.ahead, 0, "a priority ticket goes to the front");
        assert!(issue(&store, &config, "XX", Priority::None, (20_415, 1200)).is_err());

        let doc = ticket_document(&config, &second, Language::Vietnamese);
        let lines = texts(&doc);
        assert!(lines.contains(&"HT-002".to_owned()), "{lines:?}");
        assert!(lines.contains(&"Số người chờ trước: 1 · khoảng 5 phút".to_owned()), "{lines:?}");
        assert!(lines.contains(&"Thẻ rung số 2 sẽ rung khi đến lượt".to_owned()), "{lines:?}");
        assert!(!lines.iter().any(|l| l.contains("Pager")), "English only when asked");
        // The pager goes back to the counter; the help lines of the configuration close the ticket.
        let back = words::tr(Language::Vietnamese, "Please give the pager back at the counter when you are served.");
        assert!(back.contains("trả lại") && lines.contains(&back), "{lines:?}");
        assert!(lines.iter().any(|l| l.ends_with(": 1022")), "{lines:?}");
        let english = texts(&ticket_document(&config, &elderly, Language::English));
        assert!(english.contains(&"Pager 3 vibrates when it is your turn".to_owned()), "{english:?}");
        assert!(english.contains(&"Civil status".to_owned()), "{english:?}");
        assert!(english.iter().any(|l| l.starts_with("Số ưu tiên")), "{english:?}");
    }
}
