//! Serving a router on loopback. Mocks and reference implementations bind `127.0.0.1:0`
//! only: nothing the harness starts is reachable from another machine.

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// A running server; dropping it stops the server.
pub struct Listening {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

impl Listening {
    /// `http://127.0.0.1:<port>` without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Binds an ephemeral loopback port first, for routers that must know their own URL.
pub async fn bind_loopback() -> std::io::Result<TcpListener> {
    TcpListener::bind(("127.0.0.1", 0)).await
}

/// Serves an already bound listener in the background.
pub fn serve_listener(listener: TcpListener, router: axum::Router) -> std::io::Result<Listening> {
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        // Handlers may read the peer address (the reference server can be told to trust
        // an address that once authenticated, a shortcut a case must catch).
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        let _ = axum::serve(listener, service)
            .with_graceful_shutdown(shutdown)
            .await;
    });
    Ok(Listening {
        addr,
        stop: Some(stop),
    })
}
