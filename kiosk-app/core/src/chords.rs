//! Key chords the kiosk must not obey from a keyboard someone plugs in, or from a barcode reader that types
//! like one. Slint's linuxkms backend quits its event loop on Ctrl+Alt+Delete and on Ctrl+Alt+Backspace
//! (`calloop_backend/input.rs` in i-slint-backend-linuxkms 1.18): on a kiosk that is the screen going dark and
//! a resident's half-filled form gone, and five of them in ten minutes reboot the box (the unit's start limit).
//! [`ChordGuard`] follows the modifier keys from raw key events and tells the caller which events to drop before
//! Slint sees them. Kernel-level chords (Ctrl+Alt+Delete to init, SysRq) are the package's job (sysctl,
//! `ctrl-alt-del.target` masked).
//! Must not do: keep or log what is typed (it sees key codes only, and remembers only which modifiers are down).

/// Linux input event codes (`linux/input-event-codes.h`): the same on every keyboard layout.
pub mod code {
    pub const BACKSPACE: u32 = 14;
    pub const LEFT_CTRL: u32 = 29;
    pub const LEFT_ALT: u32 = 56;
    pub const RIGHT_CTRL: u32 = 97;
    pub const RIGHT_ALT: u32 = 100;
    pub const DELETE: u32 = 111;
}

/// Which modifier keys are down, and whether a key press was dropped (its release is dropped too).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ChordGuard {
    ctrl: u8,
    alt: u8,
    dropped_delete: bool,
    dropped_backspace: bool,
}

impl ChordGuard {
    /// Takes one key event (`code` a Linux key code, `pressed` false for a release); true: drop it, it would
    /// complete a chord that stops the kiosk. Modifier keys always pass, so the UI's own idea of them stays right.
    pub fn drop_key(&mut self, code: u32, pressed: bool) -> bool {
        let bit = |left| if left { 1 } else { 2 };
        match code {
            code::LEFT_CTRL | code::RIGHT_CTRL => set(&mut self.ctrl, bit(code == code::LEFT_CTRL), pressed),
            code::LEFT_ALT | code::RIGHT_ALT => set(&mut self.alt, bit(code == code::LEFT_ALT), pressed),
            code::DELETE => return self.chord(pressed, |guard| &mut guard.dropped_delete),
            code::BACKSPACE => return self.chord(pressed, |guard| &mut guard.dropped_backspace),
            _ => {}
        }
        false
    }

    fn chord(&mut self, pressed: bool, dropped: impl Fn(&mut ChordGuard) -> &mut bool) -> bool {
        let armed = self.ctrl != 0 && self.alt != 0;
        let flag = dropped(self);
        if pressed {
            // A key repeat arrives as another press: dropped as long as the chord is held.
            *flag = armed;
            armed
        } else {
            std::mem::take(flag)
        }
    }
}

fn set(mask: &mut u8, bit: u8, pressed: bool) {
    if pressed {
        *mask |= bit;
    } else {
        *mask &= !bit;
    }
}

#[cfg(test)]
mod tests {
    use super::code::*;
    use super::*;

    fn run(events: &[(u32, bool)]) -> Vec<bool> {
        let mut guard = ChordGuard::default();
        events.iter().map(|&(code, pressed)| guard.drop_key(code, pressed)).collect()
    }

    #[test]
    fn ctrl_alt_delete_and_ctrl_alt_backspace_are_dropped_with_their_releases() {
        let chord = [
            (LEFT_CTRL, true),
            (LEFT_ALT, true),
            (DELETE, true),
            (DELETE, false),
            (LEFT_ALT, false),
            (LEFT_CTRL, false),
        ];
        assert_eq!(run(&chord), [false, false, true, true, false, false]);
        let right = [(RIGHT_ALT, true), (RIGHT_CTRL, true), (BACKSPACE, true), (BACKSPACE, true), (BACKSPACE, false)];
        assert_eq!(run(&right), [false, false, true, true, true], "either hand's modifiers, key repeats too");
    }

    #[test]
    fn delete_and_backspace_alone_or_with_one_modifier_reach_the_screen() {
        assert_eq!(run(&[(BACKSPACE, true), (BACKSPACE, false), (DELETE, true), (DELETE, false)]), [false; 4]);
        assert_eq!(run(&[(LEFT_CTRL, true), (BACKSPACE, true), (BACKSPACE, false), (LEFT_CTRL, false)]), [false; 4]);
        assert_eq!(run(&[(LEFT_ALT, true), (DELETE, true), (DELETE, false)]), [false; 3]);
    }

    #[test]
    fn a_chord_is_over_once_a_modifier_is_let_go() {
        // Ctrl released with the left hand while the right Alt stays: the next Delete is a plain Delete.
        let events = [
            (LEFT_CTRL, true),
            (RIGHT_ALT, true),
            (DELETE, true),
            (DELETE, false),
            (LEFT_CTRL, false),
            (DELETE, true),
            (DELETE, false),
        ];
        assert_eq!(run(&events), [false, false, true, true, false, false, false]);
        // Both Ctrl keys down, one let go: still a chord.
        let both = [(LEFT_CTRL, true), (RIGHT_CTRL, true), (LEFT_ALT, true), (LEFT_CTRL, false), (DELETE, true)];
        assert_eq!(run(&both), [false, false, false, false, true]);
    }

    #[test]
    fn a_release_whose_press_went_through_goes_through() {
        // Delete pressed alone, then Ctrl+Alt pressed while it is held: its release is not half of a dropped chord.
        let events = [(DELETE, true), (LEFT_CTRL, true), (LEFT_ALT, true), (DELETE, false)];
        assert_eq!(run(&events), [false, false, false, false]);
    }
}
