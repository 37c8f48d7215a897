//! The kiosk's configuration file (kiosk-app/core/src/config.rs): any bytes give a configuration or a list of
//! problems, never a panic, and a refusal always names at least one problem. What the file writes as short
//! strings reads back from how the kiosk shows it: every device address of an accepted configuration (and the
//! input itself taken as one address) prints as text that parses to the same address, and every allowed network
//! prints as text that parses to the same network and contains its own address. Must not do: I/O.
#![no_main]

use std::path::Path;

use kiosk_core::config::{self, Network, Transport};
use libfuzzer_sys::fuzz_target;

fn transport_round_trips(transport: &Transport) {
    let text = transport.to_string();
    assert_eq!(Transport::parse(&text).as_ref(), Ok(transport), "{transport:?} shown as {text:?}");
}

fn network_round_trips(network: &Network) {
    let text = network.to_string();
    assert_eq!(Network::parse(&text), Ok(*network), "{text}");
    assert!(network.contains(network.address), "{text} contains its own address");
}

fuzz_target!(|bytes: &[u8]| {
    match config::parse(Path::new("kiosk.toml"), bytes) {
        Ok(config) => {
            for device in [&config.devices.printer, &config.devices.scanner, &config.devices.pager] {
                transport_round_trips(&device.transport);
            }
            for network in config.counter_api.iter().flat_map(|api| &api.allow) {
                network_round_trips(network);
            }
            let (host, _port) = config.portal.host_port();
            assert!(!host.is_empty());
        }
        Err(error) => {
            assert!(!error.problems.is_empty(), "a refusal names its problems");
            assert!(error.to_string().contains("kiosk.toml"));
        }
    }

    // The same bytes as one device address, and as one network, as the config's values are read.
    if let Ok(text) = std::str::from_utf8(bytes) {
        if let Ok(transport) = Transport::parse(text) {
            transport_round_trips(&transport);
        }
        if let Ok(network) = Network::parse(text) {
            network_round_trips(&network);
        }
    }
});
