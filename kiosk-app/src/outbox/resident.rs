//! What every resident submission (a dossier, a home-visit request, a booking) shares between "send" and the
//! printed slip: the form sealed into the outbox as JSON with its pages, the short reference a resident can read
//! out, and a short wait for the portal's code so the slip can carry it.
//! Must not do: name Slint types or log the form.

use kiosk_core::portal::Kind;

use super::store::{EnqueueError, NewSubmission, Outbox};

/// Seals `form` (as JSON) and its `pages` into the outbox; when this returns it will reach the portal. The JSON
/// in clear is wiped from memory when sealed (review M8).
pub fn save_form<T: serde::Serialize>(
    outbox: &Outbox,
    kind: Kind,
    procedure_code: Option<&str>,
    form: &T,
    pages: &[Vec<u8>],
    now: i64,
) -> Result<String, EnqueueError> {
    let bytes = zeroize::Zeroizing::new(serde_json::to_vec(form).map_err(|e| EnqueueError::Storage(e.into()))?);
    outbox.enqueue(NewSubmission { kind, procedure_code, form: &bytes, pages }, now)
}

/// Waits (polling the outbox) until the portal acknowledged submission `id`, for at most `within`: its code, or
/// None when it is still waiting (the portal is away; the forwarder keeps trying).
pub fn wait_for_code(outbox: &Outbox, id: &str, within: std::time::Duration) -> Option<String> {
    let until = std::time::Instant::now() + within;
    loop {
        if let Ok(Some(code)) = outbox.dossier_code(id) {
            return Some(code);
        }
        if std::time::Instant::now() >= until {
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// How long a slip waits for the portal's code before printing the kiosk's reference instead.
pub const DELIVERY_WAIT: std::time::Duration = std::time::Duration::from_secs(8);

/// The outbox id as a resident can read it out: its first 8 characters in two groups ("3FA2-91C0"). Staff find
/// the submission with it (`kiosk outbox show` lists ids).
pub fn short_reference(id: &str) -> String {
    let head: String = id.chars().take(8).collect::<String>().to_uppercase();
    if head.len() == 8 {
        format!("{}-{}", &head[..4], &head[4..])
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn short_references_are_readable() {
        assert_eq!(super::short_reference("3fa291c0aabbccddeeff001122334455"), "3FA2-91C0");
        assert_eq!(super::short_reference("abc"), "ABC");
    }
}
