//! Whether a server the harness started on this machine listens beyond loopback (MCP
//! transports, "Security Warning": "When running locally, servers SHOULD bind only to
//! localhost (127.0.0.1) rather than all network interfaces (0.0.0.0)"). The harness
//! tries one TCP connection to the server's port at another address of this machine; the
//! connection never leaves this host, since the address is the machine's own.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::time::Duration;

use tokio::net::TcpStream;

use crate::actors::reference::REFERENCE_OTHER_ADDRESS;
use crate::logic::builtins::{Blocked, Builtins};

/// The variable server cases read: `refused at <address>` or `accepted at <address>`.
pub const EXPOSURE_VARIABLE: &str = "exposed_connection";
/// Why a server the harness did not start is not tried.
pub const NOT_STARTED_HERE: &str = "the harness did not start the server (`server --command`), \
                                    so it does not know that the server runs on this machine";
/// A connection to a local address is answered at once (accepted or refused); one that
/// is not has been dropped by a firewall, which says nothing about the server.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// Sets [`EXPOSURE_VARIABLE`] for a server listening on loopback port `port`, when the
/// harness started it (`launched_here`); otherwise, or when this machine has no other
/// address to try, records why not. The in-process reference server (`reference`) is
/// tried at 127.0.0.2 on Linux, where its `binds-all-interfaces` defect listens too, so
/// that no test listens beyond loopback (`actors::reference::exposure`).
pub async fn probe_exposure(
    builtins: &mut Builtins,
    launched_here: bool,
    reference: bool,
    port: Option<u16>,
) {
    let address = if reference && cfg!(target_os = "linux") {
        Some(REFERENCE_OTHER_ADDRESS)
    } else {
        other_local_address()
    };
    let reason = match (launched_here, port, address) {
        (false, _, _) => NOT_STARTED_HERE.to_string(),
        (true, None, _) => "the server's URL has no port".to_string(),
        (true, Some(_), None) => {
            "this machine has no address besides 127.0.0.1 at which to try the server's port"
                .to_string()
        }
        (true, Some(port), Some(ip)) => {
            let address = SocketAddr::new(ip, port);
            match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(address)).await {
                Ok(Ok(_)) => {
                    set(builtins, format!("accepted at {address}"));
                    return;
                }
                Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                    set(builtins, format!("refused at {address}"));
                    return;
                }
                // The environment's, not the server's: the cases reading the result
                // end as `error` with the reason.
                Ok(Err(e)) => {
                    return blocked(
                        builtins,
                        format!(
                            "a connection to the server's port at this machine's address \
                             {address} failed without an answer from the server ({e}): a \
                             firewall?"
                        ),
                    )
                }
                Err(_) => {
                    return blocked(
                        builtins,
                        format!(
                            "a connection to the server's port at this machine's address \
                             {address} got no answer within {} s: a firewall dropping it?",
                            CONNECT_TIMEOUT.as_secs()
                        ),
                    )
                }
            }
        }
    };
    builtins.missing(EXPOSURE_VARIABLE, reason);
}

fn blocked(builtins: &mut Builtins, reason: String) {
    builtins.blocked.push(Blocked {
        needs: &[EXPOSURE_VARIABLE],
        reason,
        evidence: Vec::new(),
    });
}

fn set(builtins: &mut Builtins, value: String) {
    builtins.exposed_connection = Some(value);
}

/// An address of this machine other than 127.0.0.1: the source address of its default
/// route (a UDP socket "connected" to a documentation address, RFC 5737 / RFC 3849,
/// learns it from the routing table and sends nothing), else, on Linux, 127.0.0.2, which
/// the loopback interface answers for the whole of 127.0.0.0/8: a socket bound to
/// 127.0.0.1 refuses it and one bound to 0.0.0.0 takes it.
fn other_local_address() -> Option<IpAddr> {
    let routed = [("0.0.0.0:0", "192.0.2.1:9"), ("[::]:0", "[2001:db8::1]:9")]
        .into_iter()
        .find_map(|(bind, peer)| {
            let socket = UdpSocket::bind(bind).ok()?;
            socket.connect(peer).ok()?;
            let ip = socket.local_addr().ok()?.ip();
            (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
        });
    if routed.is_some() || !cfg!(target_os = "linux") {
        return routed;
    }
    Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    fn value(b: &Builtins) -> String {
        b.exposed_connection
            .clone()
            .or_else(|| b.unavailable.get(EXPOSURE_VARIABLE).cloned())
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn loopback_only_is_refused_at_this_machines_other_address() {
        let Some(ip) = other_local_address() else {
            return; // not Linux and no other address: nothing to try
        };
        let loopback = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let port = loopback.local_addr().unwrap().port();
        let mut b = Builtins::new("http://127.0.0.1/mcp");
        probe_exposure(&mut b, true, false, Some(port)).await;
        assert_eq!(
            value(&b),
            format!("refused at {}", SocketAddr::new(ip, port))
        );
    }

    /// The in-process defect: the port answers at 127.0.0.2 too, as a server bound to
    /// every interface would (without one listening beyond loopback).
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn the_reference_is_tried_at_127_0_0_2_where_its_defect_listens() {
        let loopback = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let port = loopback.local_addr().unwrap().port();
        let mut b = Builtins::new("http://127.0.0.1/mcp");
        probe_exposure(&mut b, true, true, Some(port)).await;
        assert_eq!(value(&b), format!("refused at 127.0.0.2:{port}"));
        let _other = TcpListener::bind((REFERENCE_OTHER_ADDRESS, port))
            .await
            .unwrap();
        let mut b = Builtins::new("http://127.0.0.1/mcp");
        probe_exposure(&mut b, true, true, Some(port)).await;
        assert_eq!(value(&b), format!("accepted at 127.0.0.2:{port}"));
    }

    #[tokio::test]
    async fn a_server_the_harness_did_not_start_is_not_probed() {
        let mut b = Builtins::new("http://127.0.0.1:9/mcp");
        probe_exposure(&mut b, false, false, Some(9)).await;
        assert!(b.exposed_connection.is_none());
        assert!(b.unavailable[EXPOSURE_VARIABLE].contains("did not start"));
    }
}
