//! Moving bytes between a rustls connection and a tryst connection in memory, for the
//! interop tests against rustls.

/// Shuttle records between `r` (a rustls client or server) and `t` until neither side has
/// anything to send; the first error of either side, named by the side.
pub fn pump<C, D>(r: &mut C, t: &mut tryst::ConnectionCommon) -> Result<(), String>
where
    C: std::ops::DerefMut<Target = rustls::ConnectionCommon<D>>,
{
    for _ in 0..64 {
        let mut moved = false;
        let mut buf = Vec::new();
        while r.wants_write() {
            r.write_tls(&mut buf).unwrap();
        }
        if !buf.is_empty() {
            moved = true;
            let mut off = 0;
            while off < buf.len() {
                off += t.read_tls_bytes(&buf[off..]);
                t.process_new_packets().map_err(|e| format!("tryst: {e}"))?;
            }
        }
        let out = t.pending_tls().to_vec();
        t.consume_tls(out.len());
        if !out.is_empty() {
            moved = true;
            let mut rd = &out[..];
            while !rd.is_empty() {
                r.read_tls(&mut rd).unwrap();
                r.process_new_packets()
                    .map_err(|e| format!("rustls: {e}"))?;
            }
        }
        if !moved {
            return Ok(());
        }
    }
    Err("no progress".into())
}
