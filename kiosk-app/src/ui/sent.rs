//! The page after a resident's submission (a dossier, a home-visit request) is saved, one shape for both flows.
//! The shell answers "send" with [`Flow::saved`] and then [`Flow::delivered`] or [`Flow::undelivered`], and
//! [`Flow::printed`] once the slip is out; or with [`Flow::failed`] when the submission could not be saved.

use kiosk_core::portal::Fee;
use slint::ComponentHandle as _;

use super::{AppWindow, Kiosk, PrintState, Sent};

/// One submission flow's part of the screen.
pub struct Flow {
    /// Its [`Sent`] on the `Kiosk` global.
    pub get: fn(&Kiosk) -> Sent,
    pub set: fn(&Kiosk, Sent),
    /// True while its "saved" page is on screen.
    pub on_saved_page: fn(&Kiosk) -> bool,
    /// Turns to the "saved" page, dropping what the resident entered: it now exists only sealed in the outbox.
    pub show_saved: fn(&AppWindow),
    /// Saving failed (the disk is full or broken): nothing was sent; the answers stay for another try.
    pub show_failed: fn(&AppWindow),
    /// Whether the portal charges a fee for what this flow submits (dossiers: yes; home visits: no).
    pub charges_fees: bool,
}

impl Flow {
    /// The submission is in the outbox (`reference`: its short id); the kiosk now tries to deliver it.
    pub fn saved(&self, ui: &AppWindow, reference: &str) {
        (self.set)(&ui.global::<Kiosk>(), Sent { reference: reference.into(), waiting: true, ..Sent::default() });
        (self.show_saved)(ui);
    }

    /// The portal acknowledged the submission `reference` with `code`, and reported its `fee` (None: no fee
    /// reported, or the portal did not answer the question); the slip is printing.
    pub fn delivered(&self, ui: &AppWindow, reference: &str, code: &str, fee: Option<&Fee>) {
        self.update(ui, reference, |sent| {
            sent.code = code.into();
            sent.fee = super::fee::view(code, fee, true);
            sent.waiting = false;
            sent.print = PrintState::Printing;
        });
    }

    /// The portal could not be reached in time: the submission waits in the outbox; the slip is printing.
    pub fn undelivered(&self, ui: &AppWindow, reference: &str) {
        self.update(ui, reference, |sent| {
            sent.waiting = false;
            sent.print = PrintState::Printing;
        });
    }

    /// The slip's print finished (`done`) or failed (the reference or code stays on screen to write down).
    pub fn printed(&self, ui: &AppWindow, reference: &str, done: bool) {
        self.update(ui, reference, |sent| sent.print = if done { PrintState::Printed } else { PrintState::Failed });
    }

    pub fn failed(&self, ui: &AppWindow) {
        (self.show_failed)(ui);
    }

    /// Nothing sent on screen (a new resident).
    pub fn clear(&self, ui: &AppWindow) {
        (self.set)(&ui.global::<Kiosk>(), Sent::default());
    }

    /// Changes the page only while it still shows `reference`: the resident may have left and another begun.
    fn update(&self, ui: &AppWindow, reference: &str, change: impl FnOnce(&mut Sent)) {
        let kiosk = ui.global::<Kiosk>();
        let mut sent = (self.get)(&kiosk);
        if (self.on_saved_page)(&kiosk) && sent.reference == reference {
            change(&mut sent);
            (self.set)(&kiosk, sent);
        }
    }
}
