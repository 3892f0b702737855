//! The `binds-all-interfaces` defect in process. A server bound to 0.0.0.0 would take
//! connections from the network for the length of a trial; the suite's own tests listen
//! on loopback only. So on Linux the defective reference also accepts connections at
//! 127.0.0.2, the address the harness tries for the reference (the loopback interface
//! answers for all of 127.0.0.0/8, and a socket bound to 127.0.0.1 refuses it): seen
//! from the harness, it listens beyond 127.0.0.1, yet nothing leaves this machine.

use std::net::{IpAddr, Ipv4Addr};

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// Where the harness tries the in-process reference server's port (`exposure_probe`).
pub const REFERENCE_OTHER_ADDRESS: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

/// Accepts (and drops) connections at [`REFERENCE_OTHER_ADDRESS`]`:port` until dropped.
pub struct ExposedPort(JoinHandle<()>);

impl ExposedPort {
    pub async fn open(port: u16) -> std::io::Result<ExposedPort> {
        let listener = TcpListener::bind((REFERENCE_OTHER_ADDRESS, port)).await?;
        Ok(ExposedPort(tokio::spawn(async move {
            while listener.accept().await.is_ok() {}
        })))
    }
}

impl Drop for ExposedPort {
    fn drop(&mut self) {
        self.0.abort();
    }
}
