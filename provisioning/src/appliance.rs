//! What the appliance's package installs beside the binaries that is made from our data: the udev rules, from
//! the printers' USB model table and the pager transmitters' USB serial adapters. `kiosk-provision udev-rules`
//! prints them; the package carries `provisioning/appliance/60-kiosk.rules`, and a test keeps that file equal
//! to what this prints (a printer added to the table without a rule fails it).

use std::fmt::Write as _;

use kiosk_drivers::pager::USB_SERIAL_ADAPTERS;
use kiosk_drivers::printer::profile::USB_MODELS;

/// The rules, as a text file.
pub fn udev_rules() -> String {
    let mut rules = String::from(
        "# The kiosk's devices: the kiosk group's access and stable names, whichever USB port they are in.\n\
         # Made by `kiosk-provision udev-rules` from kiosk-drivers' tables; installed as 60-kiosk.rules.\n\
         \n\
         # Receipt printers (kiosk-drivers' USB model table). The kiosk drives them through libusb\n\
         # (transport = \"usb:VID:PID\"), so the USB device node is the kiosk group's, and the kernel's usblp\n\
         # lets go of the printer as soon as it binds (it would hold the interface the kiosk claims).\n",
    );
    let mut printers: Vec<(u16, u16, &str)> = USB_MODELS.iter().map(|m| (m.vendor_id, m.product_id, m.model)).collect();
    printers.dedup_by_key(|p| (p.0, p.1));
    for (vendor, product, model) in printers {
        let ids = format!("ATTRS{{idVendor}}==\"{vendor:04x}\", ATTRS{{idProduct}}==\"{product:04x}\"");
        let _ = writeln!(rules, "# {model}");
        let _ = writeln!(
            rules,
            "SUBSYSTEM==\"usb\", ENV{{DEVTYPE}}==\"usb_device\", {ids}, GROUP=\"kiosk\", MODE=\"0660\", \
             SYMLINK+=\"kiosk/printer\""
        );
        let _ = writeln!(
            rules,
            "ACTION==\"bind\", SUBSYSTEM==\"usb\", ENV{{DEVTYPE}}==\"usb_interface\", DRIVER==\"usblp\", {ids}, \
             RUN+=\"/bin/sh -c 'echo -n %k > /sys/bus/usb/drivers/usblp/unbind'\""
        );
    }
    rules.push_str(
        "\n# Pager transmitters, cabled through a USB serial adapter (kiosk-drivers' adapter table):\n\
         # transport = \"serial:/dev/kiosk/pager\".\n",
    );
    for adapter in USB_SERIAL_ADAPTERS {
        let _ = writeln!(rules, "# {}", adapter.chip);
        let _ = writeln!(
            rules,
            "SUBSYSTEM==\"tty\", ATTRS{{idVendor}}==\"{:04x}\", ATTRS{{idProduct}}==\"{:04x}\", GROUP=\"kiosk\", \
             MODE=\"0660\", SYMLINK+=\"kiosk/pager\"",
            adapter.vendor_id, adapter.product_id
        );
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_packaged_rules_are_the_ones_made_from_the_tables() {
        let packaged = include_str!("../appliance/60-kiosk.rules");
        assert!(
            packaged == udev_rules(),
            "provisioning/appliance/60-kiosk.rules is out of date with the USB tables: \
             cargo run -p kiosk-provision -- udev-rules > provisioning/appliance/60-kiosk.rules"
        );
    }

    #[test]
    fn every_printer_and_adapter_has_its_rule() {
        let rules = udev_rules();
        for model in USB_MODELS {
            let ids = format!(
                "ATTRS{{idVendor}}==\"{:04x}\", ATTRS{{idProduct}}==\"{:04x}\"",
                model.vendor_id, model.product_id
            );
            assert!(rules.lines().any(|l| l.contains(&ids) && l.contains("GROUP=\"kiosk\"")), "{}", model.model);
            assert!(rules.lines().any(|l| l.contains(&ids) && l.contains("usblp/unbind")), "{}", model.model);
        }
        for adapter in USB_SERIAL_ADAPTERS {
            let ids = format!(
                "ATTRS{{idVendor}}==\"{:04x}\", ATTRS{{idProduct}}==\"{:04x}\"",
                adapter.vendor_id, adapter.product_id
            );
            assert!(rules.lines().any(|l| l.contains(&ids) && l.contains("kiosk/pager")), "{}", adapter.chip);
        }
    }
}
