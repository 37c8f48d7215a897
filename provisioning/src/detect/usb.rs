//! The shell of `detect` that asks libusb (rusb) for USB devices: ids, interfaces and endpoints from the
//! descriptors (readable without opening), and for possible printers only, their names and whether a kernel driver
//! holds the printer interface (which needs the device opened). Must not do: claim, detach or send anything.

use kiosk_drivers::printer::profile;

use super::findings::{self, UsbDevice, UsbInterface};
use super::sysfs::{self, Groups, Roots};

/// Every USB device libusb sees (`Err`: libusb could not start or list, e.g. no usbfs).
pub fn devices(roots: &Roots, groups: &Groups) -> Result<Vec<UsbDevice>, String> {
    use rusb::UsbContext as _;
    // An explicit context: rusb's global one panics when libusb cannot start (no usbfs), where this is an error.
    let context = rusb::Context::new().map_err(|e| format!("libusb could not start: {e}"))?;
    let list = context.devices().map_err(|e| format!("libusb: {e}"))?;
    let mut found = Vec::new();
    for device in list.iter() {
        let Ok(descriptor) = device.device_descriptor() else { continue };
        let (vendor_id, product_id) = (descriptor.vendor_id(), descriptor.product_id());
        let mut interfaces = Vec::new();
        if let Ok(config) = device.active_config_descriptor().or_else(|_| device.config_descriptor(0)) {
            for interface in config.interfaces() {
                for setting in interface.descriptors() {
                    let bulk = |direction| {
                        setting
                            .endpoint_descriptors()
                            .find(|e| e.transfer_type() == rusb::TransferType::Bulk && e.direction() == direction)
                            .map(|e| e.address())
                    };
                    interfaces.push(UsbInterface {
                        number: setting.interface_number(),
                        alt: setting.setting_number(),
                        class: setting.class_code(),
                        subclass: setting.sub_class_code(),
                        protocol: setting.protocol_code(),
                        endpoint_out: bulk(rusb::Direction::Out),
                        endpoint_in: bulk(rusb::Direction::In),
                        kernel_driver_active: None,
                    });
                }
            }
        }
        let node = format!("/dev/bus/usb/{:03}/{:03}", device.bus_number(), device.address());
        let mut usb = UsbDevice {
            bus: device.bus_number(),
            address: device.address(),
            vendor_id,
            product_id,
            manufacturer: None,
            product: None,
            serial_number: None,
            open_error: None,
            interfaces,
            access: sysfs::access(roots, groups, &node),
        };
        // Only a possible printer is opened: opening every device (keyboards, hubs) would be slow and pointless.
        if findings::could_be_printer(vendor_id, product_id, &usb.interfaces) {
            match device.open() {
                Ok(handle) => {
                    usb.manufacturer = handle.read_manufacturer_string_ascii(&descriptor).ok();
                    usb.product = handle.read_product_string_ascii(&descriptor).ok();
                    usb.serial_number = handle.read_serial_number_string_ascii(&descriptor).ok();
                    let known = profile::usb_model(vendor_id, product_id).is_some();
                    for interface in usb.interfaces.iter_mut() {
                        if interface.class == findings::CLASS_PRINTER || known {
                            interface.kernel_driver_active = handle.kernel_driver_active(interface.number).ok();
                        }
                    }
                }
                Err(error) => usb.open_error = Some(error.to_string()),
            }
        }
        found.push(usb);
    }
    Ok(found)
}
