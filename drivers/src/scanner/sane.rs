//! Our own small safe wrapper over libsane (SANE 1.0, the C ABI of /usr/include/sane/sane.h), written because the
//! `sane-scan` crate swallows read errors as empty images, lets a handle outlive the library, sets options without
//! looking at their type (a FIXED resolution set as an INT scans at 1/65536 of it), passes a 1-byte bool where SANE
//! reads a 4-byte word, and lists only local devices (hiding eSCL scanners found by sane-airscan).
//!
//! Here: the library is initialised by [`Sane::init`] and left by its drop; a [`Device`] borrows the `Sane` it came
//! from, so it cannot outlive it; options are set by name with the value converted to the option's own type
//! and checked against its constraint; reads report every status, and a page that ends short is an error.
//! `Sane` is neither `Send` nor `Sync`: SANE is process-global and not thread-safe, so it lives on one thread of
//! the scanner helper process (see `helper.rs`), never in the kiosk itself.
//! Must not do: be used from two threads, or keep a `Device` open between requests.

#![allow(unsafe_code)] // the FFI boundary; every unsafe block says why it is sound

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::marker::PhantomData;

use super::ErrorKind;

mod ffi {
    #![allow(non_camel_case_types)]
    use std::ffi::{c_char, c_int, c_void};

    pub type SANE_Word = c_int;
    pub type SANE_Status = c_int;
    pub type SANE_Handle = *mut c_void;

    #[repr(C)]
    pub struct SANE_Device {
        pub name: *const c_char,
        pub vendor: *const c_char,
        pub model: *const c_char,
        pub type_: *const c_char,
    }

    #[repr(C)]
    pub struct SANE_Range {
        pub min: SANE_Word,
        pub max: SANE_Word,
        pub quant: SANE_Word,
    }

    #[repr(C)]
    pub union SANE_Constraint {
        pub string_list: *const *const c_char,
        pub word_list: *const SANE_Word,
        pub range: *const SANE_Range,
    }

    #[repr(C)]
    pub struct SANE_Option_Descriptor {
        pub name: *const c_char,
        pub title: *const c_char,
        pub desc: *const c_char,
        pub type_: c_int,
        pub unit: c_int,
        pub size: c_int,
        pub cap: c_int,
        pub constraint_type: c_int,
        pub constraint: SANE_Constraint,
    }

    #[repr(C)]
    #[derive(Default)]
    pub struct SANE_Parameters {
        pub format: c_int,
        pub last_frame: c_int,
        pub bytes_per_line: c_int,
        pub pixels_per_line: c_int,
        pub lines: c_int,
        pub depth: c_int,
    }

    pub type SANE_Auth_Callback = Option<unsafe extern "C" fn(*const c_char, *mut c_char, *mut c_char)>;

    #[link(name = "sane")]
    unsafe extern "C" {
        pub fn sane_init(version_code: *mut c_int, authorize: SANE_Auth_Callback) -> SANE_Status;
        pub fn sane_exit();
        pub fn sane_get_devices(device_list: *mut *mut *const SANE_Device, local_only: c_int) -> SANE_Status;
        pub fn sane_open(devicename: *const c_char, handle: *mut SANE_Handle) -> SANE_Status;
        pub fn sane_close(handle: SANE_Handle);
        pub fn sane_get_option_descriptor(handle: SANE_Handle, option: c_int) -> *const SANE_Option_Descriptor;
        pub fn sane_control_option(
            handle: SANE_Handle,
            option: c_int,
            action: c_int,
            value: *mut c_void,
            info: *mut c_int,
        ) -> SANE_Status;
        pub fn sane_get_parameters(handle: SANE_Handle, params: *mut SANE_Parameters) -> SANE_Status;
        pub fn sane_start(handle: SANE_Handle) -> SANE_Status;
        pub fn sane_read(handle: SANE_Handle, data: *mut u8, max_length: c_int, length: *mut c_int) -> SANE_Status;
        pub fn sane_cancel(handle: SANE_Handle);
        pub fn sane_strstatus(status: SANE_Status) -> *const c_char;
    }

    // The layout checked against gcc on x86_64 and aarch64 Linux (LP64).
    const _: () = assert!(std::mem::size_of::<SANE_Option_Descriptor>() == 56);
    const _: () = assert!(std::mem::size_of::<SANE_Parameters>() == 24);
    const _: () = assert!(std::mem::size_of::<SANE_Device>() == 32);
}

// SANE_Status values.
const GOOD: c_int = 0;
const EOF: c_int = 5;

// SANE_Value_Type, SANE_Constraint_Type, SANE_Action, capabilities.
const TYPE_BOOL: c_int = 0;
const TYPE_INT: c_int = 1;
const TYPE_FIXED: c_int = 2;
const TYPE_STRING: c_int = 3;
const CONSTRAINT_RANGE: c_int = 1;
const CONSTRAINT_WORD_LIST: c_int = 2;
const CONSTRAINT_STRING_LIST: c_int = 3;
const ACTION_GET: c_int = 0;
const ACTION_SET: c_int = 1;
const CAP_SOFT_SELECT: c_int = 1;
const CAP_INACTIVE: c_int = 32;

/// A SANE status other than success, with SANE's own words for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub code: i32,
    pub message: String,
}

impl Status {
    fn new(code: c_int) -> Status {
        // SAFETY: sane_strstatus returns a pointer to a static string (or null) for any status value.
        let message = unsafe { text(ffi::sane_strstatus(code)) };
        Status { code, message }
    }

    /// What the kiosk can act on.
    pub fn kind(&self) -> ErrorKind {
        match self.code {
            3 => ErrorKind::Busy,
            6 => ErrorKind::Jammed,
            7 => ErrorKind::NoDocument,
            8 => ErrorKind::CoverOpen,
            _ => ErrorKind::Io,
        }
    }
}

fn check(code: c_int) -> Result<(), Status> {
    if code == GOOD {
        Ok(())
    } else {
        Err(Status::new(code))
    }
}

/// A C string SANE owns, copied (empty for null).
///
/// # Safety
/// `pointer` is null or points to a NUL-terminated string that stays valid for the call.
unsafe fn text(pointer: *const c_char) -> String {
    if pointer.is_null() {
        String::new()
    } else {
        // SAFETY: the caller promises a valid NUL-terminated string.
        unsafe { CStr::from_ptr(pointer) }.to_string_lossy().into_owned()
    }
}

/// A scanner SANE knows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeviceInfo {
    pub name: String,
    pub vendor: String,
    pub model: String,
    pub kind: String,
}

/// What an option accepts.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Constraint {
    None,
    /// min, max, step (FIXED options in their real units).
    Range(f64, f64, f64),
    Words(Vec<f64>),
    Strings(Vec<String>),
}

/// One of a device's options, as its descriptor says.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OptionInfo {
    pub index: i32,
    pub name: String,
    pub title: String,
    /// bool, int, fixed, string, button, group.
    pub kind: String,
    /// none, pixel, bit, mm, dpi, percent, microsecond.
    pub unit: String,
    pub settable: bool,
    pub active: bool,
    pub constraint: Constraint,
}

/// The library, initialised. Dropping it calls `sane_exit`. Not `Send`: SANE stays on the thread that began it.
pub struct Sane {
    _not_send: PhantomData<*const ()>,
}

impl std::fmt::Debug for Sane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sane")
    }
}

/// Whether a [`Sane`] is alive in this process. SANE's state is process-global: a second `sane_init` while the
/// first is in use, and the first one's `sane_exit` under the second's open devices, are undefined behaviour
/// (review Low), so only one may exist at a time.
static IN_USE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

impl Sane {
    /// Initialises SANE; refused (code 3, "busy") while another `Sane` of this process is alive.
    pub fn init() -> Result<Sane, Status> {
        use std::sync::atomic::Ordering;
        if IN_USE.compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire).is_err() {
            return Err(Status { code: 3, message: "SANE is already in use in this process".into() });
        }
        let mut version = 0;
        // SAFETY: a valid out-pointer; no authorisation callback; no other Sane is alive (IN_USE).
        if let Err(status) = check(unsafe { ffi::sane_init(&mut version, None) }) {
            IN_USE.store(false, Ordering::Release);
            return Err(status);
        }
        Ok(Sane { _not_send: PhantomData })
    }

    /// Every scanner SANE finds, network ones included (`local_only` false, so sane-airscan lists eSCL scanners).
    pub fn devices(&self) -> Result<Vec<DeviceInfo>, Status> {
        let mut list: *mut *const ffi::SANE_Device = std::ptr::null_mut();
        // SAFETY: a valid out-pointer; the list stays valid until the next sane_get_devices or sane_exit, and we
        // copy it out before returning.
        check(unsafe { ffi::sane_get_devices(&mut list, 0) })?;
        let mut devices = Vec::new();
        if list.is_null() {
            return Ok(devices);
        }
        let mut index = 0;
        loop {
            // SAFETY: the list is a NULL-terminated array of device pointers.
            let device = unsafe { *list.add(index) };
            if device.is_null() {
                break;
            }
            // SAFETY: each entry points to a SANE_Device whose strings are valid (see above).
            let device = unsafe { &*device };
            // SAFETY: SANE's strings are NUL-terminated and valid until the next sane_get_devices.
            unsafe {
                devices.push(DeviceInfo {
                    name: text(device.name),
                    vendor: text(device.vendor),
                    model: text(device.model),
                    kind: text(device.type_),
                });
            }
            index += 1;
        }
        Ok(devices)
    }

    /// Opens a device by name (a name not listed, such as an airscan device, may still open).
    pub fn open(&self, name: &str) -> Result<Device<'_>, Status> {
        let name = CString::new(name).map_err(|_| Status { code: 4, message: "a device name has no NUL".into() })?;
        let mut handle: ffi::SANE_Handle = std::ptr::null_mut();
        // SAFETY: a valid C string and out-pointer.
        check(unsafe { ffi::sane_open(name.as_ptr(), &mut handle) })?;
        Ok(Device { handle, _sane: PhantomData })
    }
}

impl Drop for Sane {
    fn drop(&mut self) {
        // SAFETY: every Device borrowed this Sane and has been dropped (closed) already.
        unsafe { ffi::sane_exit() }
        IN_USE.store(false, std::sync::atomic::Ordering::Release);
    }
}

/// An open device; closed when dropped; cannot outlive the [`Sane`] it came from.
pub struct Device<'a> {
    handle: ffi::SANE_Handle,
    _sane: PhantomData<&'a Sane>,
}

impl std::fmt::Debug for Device<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Device")
    }
}

/// The geometry of a frame SANE is about to deliver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parameters {
    /// 0 grey, 1 RGB (three-pass frames are refused).
    pub format: i32,
    pub bytes_per_line: usize,
    pub pixels_per_line: usize,
    /// -1 when unknown in advance (hand scanners).
    pub lines: i32,
    pub depth: i32,
}

fn unit_name(unit: c_int) -> &'static str {
    match unit {
        1 => "pixel",
        2 => "bit",
        3 => "mm",
        4 => "dpi",
        5 => "percent",
        6 => "microsecond",
        _ => "none",
    }
}

fn kind_name(kind: c_int) -> &'static str {
    match kind {
        TYPE_BOOL => "bool",
        TYPE_INT => "int",
        TYPE_FIXED => "fixed",
        TYPE_STRING => "string",
        4 => "button",
        _ => "group",
    }
}

fn unfix(word: c_int) -> f64 {
    f64::from(word) / 65_536.0
}

impl Device<'_> {
    fn descriptor(&self, index: c_int) -> Option<&ffi::SANE_Option_Descriptor> {
        // SAFETY: the handle is open; the descriptor (or null past the last option) stays valid while it is.
        let pointer = unsafe { ffi::sane_get_option_descriptor(self.handle, index) };
        // SAFETY: non-null descriptors point to a SANE_Option_Descriptor owned by the backend.
        (!pointer.is_null()).then(|| unsafe { &*pointer })
    }

    /// Every option with its type, unit and constraint (groups left out).
    pub fn options(&self) -> Vec<OptionInfo> {
        let mut options = Vec::new();
        let mut index = 1;
        while let Some(d) = self.descriptor(index) {
            if d.type_ <= TYPE_STRING || d.type_ == 4 {
                let is_fixed = d.type_ == TYPE_FIXED;
                let word = |w: c_int| if is_fixed { unfix(w) } else { f64::from(w) };
                // SAFETY: the union member read is the one constraint_type names; lists are terminated as SANE
                // specifies (word list: count first; string list: NULL at the end).
                let constraint = unsafe {
                    match d.constraint_type {
                        CONSTRAINT_RANGE if !d.constraint.range.is_null() => {
                            let r = &*d.constraint.range;
                            Constraint::Range(word(r.min), word(r.max), word(r.quant))
                        }
                        CONSTRAINT_WORD_LIST if !d.constraint.word_list.is_null() => {
                            let list = d.constraint.word_list;
                            let count = (*list).max(0) as usize;
                            Constraint::Words((1..=count).map(|i| word(*list.add(i))).collect())
                        }
                        CONSTRAINT_STRING_LIST if !d.constraint.string_list.is_null() => {
                            let mut strings = Vec::new();
                            let mut i = 0;
                            while !(*d.constraint.string_list.add(i)).is_null() {
                                strings.push(text(*d.constraint.string_list.add(i)));
                                i += 1;
                            }
                            Constraint::Strings(strings)
                        }
                        _ => Constraint::None,
                    }
                };
                // SAFETY: descriptor strings are NUL-terminated and owned by the backend.
                let (name, title) = unsafe { (text(d.name), text(d.title)) };
                options.push(OptionInfo {
                    index,
                    name,
                    title,
                    kind: kind_name(d.type_).into(),
                    unit: unit_name(d.unit).into(),
                    settable: d.cap & CAP_SOFT_SELECT != 0,
                    active: d.cap & CAP_INACTIVE == 0,
                    constraint,
                });
            }
            index += 1;
        }
        options
    }

    /// Sets an option by name, converting `value` ("300", "Gray", "yes", "210.5") to the option's own type and
    /// checking it against its constraint; a value between steps is rounded by the backend (SANE_INFO_INEXACT).
    pub fn set(&self, name: &str, value: &str) -> Result<(), Status> {
        let invalid = |why: String| Status { code: 4, message: why };
        let mut index = 1;
        let descriptor = loop {
            match self.descriptor(index) {
                // SAFETY: descriptor strings are NUL-terminated and owned by the backend.
                Some(d) if unsafe { text(d.name) } == name => break d,
                Some(_) => index += 1,
                None => return Err(invalid(format!("this scanner has no option {name}"))),
            }
        };
        if descriptor.cap & CAP_INACTIVE != 0 || descriptor.cap & CAP_SOFT_SELECT == 0 {
            return Err(invalid(format!("option {name} cannot be set now")));
        }
        let mut info: c_int = 0;
        let status = match descriptor.type_ {
            TYPE_BOOL | TYPE_INT | TYPE_FIXED => {
                let mut word: c_int = match descriptor.type_ {
                    TYPE_BOOL => match value {
                        "yes" | "true" | "1" => 1,
                        "no" | "false" | "0" => 0,
                        _ => return Err(invalid(format!("option {name} is yes or no, not {value}"))),
                    },
                    TYPE_INT => value.parse().map_err(|_| invalid(format!("option {name} takes a whole number")))?,
                    _ => {
                        let number: f64 =
                            value.parse().map_err(|_| invalid(format!("option {name} takes a number")))?;
                        (number * 65_536.0).round() as c_int
                    }
                };
                if descriptor.size > 4 {
                    return Err(invalid(format!("option {name} is an array; not supported")));
                }
                // SAFETY: a SANE_Word-sized value for a one-word BOOL/INT/FIXED option.
                unsafe {
                    ffi::sane_control_option(
                        self.handle,
                        index,
                        ACTION_SET,
                        (&mut word as *mut c_int).cast::<c_void>(),
                        &mut info,
                    )
                }
            }
            TYPE_STRING => {
                let size = descriptor.size.max(1) as usize;
                if value.len() + 1 > size {
                    return Err(invalid(format!("the value for {name} is longer than the scanner allows")));
                }
                let mut buffer = vec![0u8; size];
                buffer[..value.len()].copy_from_slice(value.as_bytes());
                // SAFETY: a NUL-terminated buffer of the option's declared size.
                unsafe {
                    ffi::sane_control_option(self.handle, index, ACTION_SET, buffer.as_mut_ptr().cast(), &mut info)
                }
            }
            _ => return Err(invalid(format!("option {name} takes no value"))),
        };
        check(status)
    }

    /// Reads a one-word option (BOOL, INT, FIXED) as a number.
    pub fn get_number(&self, name: &str) -> Option<f64> {
        let mut index = 1;
        loop {
            let d = self.descriptor(index)?;
            // SAFETY: descriptor strings are NUL-terminated and owned by the backend.
            if unsafe { text(d.name) } == name {
                if !(TYPE_BOOL..=TYPE_FIXED).contains(&d.type_) || d.size != 4 {
                    return None;
                }
                let mut word: c_int = 0;
                // SAFETY: a SANE_Word-sized buffer for a one-word option.
                let status = unsafe {
                    ffi::sane_control_option(
                        self.handle,
                        index,
                        ACTION_GET,
                        (&mut word as *mut c_int).cast(),
                        std::ptr::null_mut(),
                    )
                };
                return (status == GOOD).then(|| if d.type_ == TYPE_FIXED { unfix(word) } else { f64::from(word) });
            }
            index += 1;
        }
    }

    /// Starts a frame (a page). NO_DOCS here means the feeder is empty.
    pub fn start(&self) -> Result<Parameters, Status> {
        // SAFETY: the handle is open.
        check(unsafe { ffi::sane_start(self.handle) })?;
        let mut p = ffi::SANE_Parameters::default();
        // SAFETY: a valid out-pointer.
        check(unsafe { ffi::sane_get_parameters(self.handle, &mut p) })?;
        Ok(Parameters {
            format: p.format,
            bytes_per_line: p.bytes_per_line.max(0) as usize,
            pixels_per_line: p.pixels_per_line.max(0) as usize,
            lines: p.lines,
            depth: p.depth,
        })
    }

    /// Reads the whole frame. Every status but EOF is an error, and so is a frame that ends short of the lines
    /// announced (the test backend's injected EOF returns no bytes at all).
    pub fn read_frame(&self, parameters: &Parameters) -> Result<Vec<u8>, Status> {
        let expected =
            if parameters.lines > 0 { parameters.bytes_per_line.saturating_mul(parameters.lines as usize) } else { 0 };
        // Reserve no more than a big page: a backend's parameters are not trusted with the kiosk's memory.
        let mut data = Vec::with_capacity(expected.min(super::helper::MAX_PAGE_BYTES));
        let mut buffer = vec![0u8; 256 * 1024];
        loop {
            let mut length: c_int = 0;
            // SAFETY: the buffer is valid for its length; `length` is a valid out-pointer.
            let status =
                unsafe { ffi::sane_read(self.handle, buffer.as_mut_ptr(), buffer.len() as c_int, &mut length) };
            match status {
                GOOD => data.extend_from_slice(&buffer[..length.max(0) as usize]),
                EOF => break,
                other => return Err(Status::new(other)),
            }
        }
        if parameters.lines > 0 && data.len() < expected {
            return Err(Status {
                code: 9,
                message: format!("the page ended early: {} of {expected} bytes", data.len()),
            });
        }
        Ok(data)
    }

    /// Ends the current scan (after the last page, or an error).
    pub fn cancel(&self) {
        // SAFETY: the handle is open; cancelling an idle handle is allowed.
        unsafe { ffi::sane_cancel(self.handle) }
    }
}

impl Drop for Device<'_> {
    fn drop(&mut self) {
        // SAFETY: the handle came from sane_open and is closed once, here.
        unsafe { ffi::sane_close(self.handle) }
    }
}

#[cfg(test)]
mod tests {
    /// The only in-process use of SANE among the unit tests (the scanner tests run it in the helper process).
    #[test]
    fn sane_is_initialised_once_at_a_time_in_a_process() {
        let dir = std::env::temp_dir().join(format!("kiosk-sane-once-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("dll.conf"), "test\n").expect("dll.conf");
        std::env::set_var("SANE_CONFIG_DIR", &dir);
        let first = super::Sane::init().expect("SANE starts (libsane is installed by install-deps.sh)");
        let second = super::Sane::init().expect_err("a second SANE while the first lives is refused");
        assert_eq!(second.kind(), super::ErrorKind::Busy);
        drop(first);
        let again = super::Sane::init().expect("free again once the first is gone");
        assert!(again.devices().expect("devices").iter().any(|d| d.name.starts_with("test")));
    }
}
