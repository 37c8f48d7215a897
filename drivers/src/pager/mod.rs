//! Vibrating queue pagers: the `PagerTransmitter` role and the simulated transmitter.
//!
//! The serial protocols (JTECH/HME, LRS, WaveWare) implement the same trait as pure frame encoders over a serial
//! transport. Must not do: decide which pager belongs to which ticket; that is the queue's business.

pub mod frame;
pub mod serial;

use std::sync::{Arc, Mutex};

/// A USB-to-serial adapter a pager transmitter is cabled to the kiosk with (the transmitters have an RS-232
/// port; the box has USB). As data for the appliance's udev rules, which give these to the kiosk group and name
/// them `/dev/kiosk/pager` whichever USB port they are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsbSerialAdapter {
    pub vendor_id: u16,
    pub product_id: u16,
    pub chip: &'static str,
}

/// The adapters' ids, from the Linux kernel's drivers that claim them (drivers/usb/serial/ftdi_sio_ids.h
/// FTDI_8U232AM_PID and FTDI_FTX_PID, cp210x.c, ch341.c, pl2303.h PL2303_PRODUCT_ID). QEMU's `usb-serial` is an
/// FT232 (0403:6001), the virtual kiosk's transmitter.
pub const USB_SERIAL_ADAPTERS: &[UsbSerialAdapter] = &[
    UsbSerialAdapter { vendor_id: 0x0403, product_id: 0x6001, chip: "FTDI FT232R" },
    UsbSerialAdapter { vendor_id: 0x0403, product_id: 0x6015, chip: "FTDI FT230X/FT231X" },
    UsbSerialAdapter { vendor_id: 0x10c4, product_id: 0xea60, chip: "Silicon Labs CP210x" },
    UsbSerialAdapter { vendor_id: 0x1a86, product_id: 0x7523, chip: "WCH CH340" },
    UsbSerialAdapter { vendor_id: 0x067b, product_id: 0x2303, chip: "Prolific PL2303" },
];

/// A pager's number as printed on its case and on the ticket.
pub type PagerId = u16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ErrorKind {
    Disconnected,
    /// The transmitter did not answer in time.
    Timeout,
    /// The transmitter answered that it refused the frame (NAK) after every retry.
    Rejected,
    Io,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the pager transmitter is not connected")]
    Disconnected(#[source] std::io::Error),
    #[error("the pager transmitter did not answer within {0:?}")]
    Timeout(std::time::Duration),
    #[error("the pager transmitter refused the page for pager {0}")]
    Rejected(PagerId),
    #[error("talking to the pager transmitter failed")]
    Io(#[source] std::io::Error),
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Disconnected(_) => ErrorKind::Disconnected,
            Error::Timeout(_) => ErrorKind::Timeout,
            Error::Rejected(_) => ErrorKind::Rejected,
            Error::Io(_) => ErrorKind::Io,
        }
    }
}

/// The role: something that makes a given pager vibrate.
pub trait PagerTransmitter: Send {
    /// Checks that the transmitter is there and answering.
    fn check(&mut self) -> Result<(), Error>;
    /// Makes pager `pager` vibrate.
    fn page(&mut self, pager: PagerId) -> Result<(), Error>;
}

/// A transmitter in memory that remembers every page it sent, so the demo can show which pager is vibrating.
#[derive(Debug, Default)]
pub struct SimPager {
    shared: Arc<Mutex<SimState>>,
}

#[derive(Debug)]
struct SimState {
    connected: bool,
    paged: Vec<PagerId>,
}

impl Default for SimState {
    fn default() -> Self {
        SimState { connected: true, paged: Vec::new() }
    }
}

/// The other end of a [`SimPager`].
#[derive(Debug, Clone)]
pub struct SimPagerControl {
    shared: Arc<Mutex<SimState>>,
}

impl SimPager {
    pub fn new() -> (SimPager, SimPagerControl) {
        let pager = SimPager::default();
        let control = SimPagerControl { shared: pager.shared.clone() };
        (pager, control)
    }
}

impl SimPagerControl {
    pub fn set_connected(&self, connected: bool) {
        crate::lock_sim(&self.shared).connected = connected;
    }

    /// Every pager paged so far, oldest first.
    pub fn paged(&self) -> Vec<PagerId> {
        crate::lock_sim(&self.shared).paged.clone()
    }
}

impl PagerTransmitter for SimPager {
    fn check(&mut self) -> Result<(), Error> {
        if crate::lock_sim(&self.shared).connected {
            Ok(())
        } else {
            Err(Error::Disconnected(std::io::ErrorKind::NotConnected.into()))
        }
    }

    fn page(&mut self, pager: PagerId) -> Result<(), Error> {
        self.check()?;
        crate::lock_sim(&self.shared).paged.push(pager);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simulated_transmitter_records_pages_and_can_be_unplugged() {
        let (mut transmitter, control) = SimPager::new();
        transmitter.page(7).expect("connected");
        control.set_connected(false);
        assert_eq!(transmitter.page(8).map_err(|e| e.kind()), Err(ErrorKind::Disconnected));
        control.set_connected(true);
        transmitter.page(9).expect("back again");
        assert_eq!(control.paged(), vec![7, 9]);
    }
}
