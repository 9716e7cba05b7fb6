//! Fuzz the saved-ticket format (`Tls13Ticket::from_bytes`, what `tryst client --session`
//! reads from disk): never panics, and a ticket it accepts encodes back to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tryst::session::Tls13Ticket;

fuzz_target!(|data: &[u8]| {
    let Ok(ticket) = Tls13Ticket::from_bytes(data) else {
        return;
    };
    let again = ticket.to_bytes().expect("an accepted ticket encodes");
    assert_eq!(&again[..], data);
});
