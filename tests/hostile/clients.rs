//! The hostile MCP clients, played by this very test binary: `client --command` runs it with
//! `MCP_AUTHSPEC_HOSTILE_MODE` set, and `main` plays the mode instead of running trials, so
//! the matrix needs no Python, curl or shell tools on the CI machine. Each mode gets the
//! mock MCP server's URL as its last argument (the conformance launch protocol).
//!
//! Every mode is plain blocking std code on loopback; none of them completes an
//! authorization flow, so every client case run with them must end in a verdict that is
//! not `pass`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// The variable naming the mode to play.
pub const MODE_VAR: &str = "MCP_AUTHSPEC_HOSTILE_MODE";

/// How many requests the flood sends at most (issue 13: "flood 10,000 requests").
pub const FLOOD_REQUESTS: usize = 10_000;
/// The body flood: this many POSTs of `BODY_FLOOD_BYTES` each.
pub const BODY_FLOOD_REQUESTS: usize = 300;
pub const BODY_FLOOD_BYTES: usize = 1024 * 1024;
/// What `stdout-flood` prints.
pub const STDOUT_FLOOD_BYTES: usize = 100 * 1024 * 1024;

/// Plays `mode` and returns the process exit code.
pub fn play(mode: &str, args: &[String]) -> i32 {
    let url = args.last().cloned().unwrap_or_default();
    match mode {
        "exit-now" => 0,
        "never-exit" => park_forever(),
        "ignore-sigterm" => {
            ignore_sigterm();
            park_forever()
        }
        "setsid-daemon" => setsid_daemon(),
        "stdout-flood" => stdout_flood(),
        "request-flood" => flood(&url, FLOOD_REQUESTS, &initialize_body(0)),
        "body-flood" => flood(
            &url,
            BODY_FLOOD_REQUESTS,
            &initialize_body(BODY_FLOOD_BYTES),
        ),
        "garbage" => garbage(&url),
        other => {
            eprintln!("unknown {MODE_VAR} {other}");
            64
        }
    }
}

fn park_forever() -> ! {
    loop {
        std::thread::park();
    }
}

fn ignore_sigterm() {
    // SAFETY: installing SIG_IGN has no handler code to run.
    unsafe {
        libc::signal(libc::SIGTERM, libc::SIG_IGN);
    }
}

/// A daemon as real tools make them: the client forks, the child leaves the client's
/// process group and session (`setsid()`), ignores SIGTERM and sleeps holding the
/// client's stdout; the client itself exits at once. Only a harness that tracks processes
/// outside the group it started (issue 13, item 2) can find it.
fn setsid_daemon() -> i32 {
    // SAFETY: this mode runs before any thread is started, so the child of `fork` is a
    // faithful copy; it only calls async-signal-safe functions and `sleep`.
    unsafe {
        match libc::fork() {
            -1 => 70,
            0 => {
                libc::setsid();
                libc::signal(libc::SIGTERM, libc::SIG_IGN);
                // Bounded, so that a harness that loses it does not leave it for ever:
                // the matrix kills what it finds anyway.
                libc::sleep(600);
                libc::_exit(0);
            }
            _ => 0,
        }
    }
}

fn stdout_flood() -> i32 {
    let chunk = vec![b'A'; 64 * 1024];
    let mut out = std::io::stdout().lock();
    let mut written = 0;
    while written < STDOUT_FLOOD_BYTES {
        // A closed pipe ends the flood (Rust ignores SIGPIPE, so this is an error).
        if out.write_all(&chunk).is_err() {
            return 0;
        }
        written += chunk.len();
    }
    0
}

/// A JSON-RPC `initialize`, padded to `total` bytes when `total` is not zero.
pub fn initialize_body(total: usize) -> Vec<u8> {
    let head = br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"hostile","version":"0"},"pad":""#;
    let tail = br#""}}"#;
    let mut body = head.to_vec();
    let pad = total.saturating_sub(head.len() + tail.len());
    body.resize(body.len() + pad, b'x');
    body.extend_from_slice(tail);
    body
}

/// `host:port` and path of an `http://` URL.
fn split_url(url: &str) -> Option<(String, String)> {
    let rest = url.strip_prefix("http://")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    Some((authority.to_string(), path.to_string()))
}

/// Keep-alive POSTs of `body` to `url`, as fast as answers come, `count` at most. A
/// dropped connection is opened again; the flood ends when connecting fails (the mock is
/// gone) or the harness stops the client.
fn flood(url: &str, count: usize, body: &[u8]) -> i32 {
    let Some((authority, path)) = split_url(url) else {
        return 65;
    };
    // One buffer, one write, no Nagle delay: "as fast as it can" (a head and a body in two
    // small writes would wait for the delayed ACK, 40 ms a request).
    let mut raw = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    raw.extend_from_slice(body);
    let mut sent = 0;
    while sent < count {
        let Ok(stream) = TcpStream::connect(&authority) else {
            return 0;
        };
        let _ = stream.set_nodelay(true);
        let mut reader = BufReader::new(stream);
        while sent < count {
            if reader.get_mut().write_all(&raw).is_err() {
                break;
            }
            sent += 1;
            match read_response(&mut reader) {
                Some(response) if !response.close => {}
                _ => break,
            }
        }
    }
    0
}

/// One HTTP/1.1 response as read from the wire.
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// The server said it closes the connection (or the length was not framed).
    close: bool,
}

fn read_response(reader: &mut impl BufRead) -> Option<Response> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let status = line.split_whitespace().nth(1)?.parse().ok()?;
    let mut length = None;
    let mut chunked = false;
    let mut close = false;
    let mut headers = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
        match name.as_str() {
            "content-length" => length = value.parse::<usize>().ok(),
            "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
            "connection" => close = value.eq_ignore_ascii_case("close"),
            _ => {}
        }
        headers.push((name, value.to_string()));
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            reader.read_line(&mut line).ok()?;
            let size = usize::from_str_radix(line.trim().split(';').next()?, 16).ok()?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).ok()?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(n) = length {
        body.resize(n, 0);
        reader.read_exact(&mut body).ok()?;
    } else {
        reader.read_to_end(&mut body).ok()?;
        close = true;
    }
    Some(Response {
        status,
        headers,
        body,
        close,
    })
}

/// One request on a fresh connection, `Connection: close`.
fn request(authority: &str, raw: &[u8]) -> Option<Response> {
    let mut stream = TcpStream::connect(authority).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(3))).ok()?;
    stream.write_all(raw).ok()?;
    read_response(&mut BufReader::new(stream))
}

fn get_json(url: &str) -> Option<serde_json::Value> {
    let (authority, path) = split_url(url)?;
    let raw = format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
    let response = request(&authority, raw.as_bytes())?;
    (response.status == 200)
        .then(|| serde_json::from_slice(&response.body).ok())
        .flatten()
}

/// Bytes that are not an HTTP request to the server at `authority`, then the end of what
/// the client sends (so a server waiting for more sees the end at once); whatever comes
/// back (or nothing, within 3 s) is read and dropped.
fn send_raw(authority: &str, bytes: &[u8]) {
    if let Ok(mut stream) = TcpStream::connect(authority) {
        let _ = stream.set_read_timeout(Some(Duration::from_secs(3)));
        let _ = stream.write_all(bytes);
        let _ = stream.shutdown(std::net::Shutdown::Write);
        let _ = stream.read_to_end(&mut Vec::new());
    }
}

/// Garbage to every mock: first to the MCP endpoint, then (found the way a client finds
/// them: challenge, protected resource metadata, RFC 8414 metadata) to the authorization
/// server's endpoints: not HTTP at all, a length the body never reaches, cut JSON, a
/// form that is not UTF-8.
fn garbage(url: &str) -> i32 {
    let Some((authority, path)) = split_url(url) else {
        return 65;
    };
    let garbage_at = |authority: &str, path: &str| {
        send_raw(authority, b"\x00\x01garbage, not HTTP\r\n\r\n");
        send_raw(
            authority,
            format!("POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: 99999999999\r\n\r\n{{")
                .as_bytes(),
        );
        send_raw(
            authority,
            format!("POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: 9\r\nConnection: close\r\n\r\n{{\"jsonrpc")
                .as_bytes(),
        );
        let form = b"grant_type=\xff\xfe&code=\xc3\x28";
        let mut raw = format!(
            "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            form.len()
        )
        .into_bytes();
        raw.extend_from_slice(form);
        send_raw(authority, &raw);
    };
    garbage_at(&authority, &path);
    let Some(challenge) = request(
        &authority,
        format!(
            "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
            initialize_body(0).len(),
            String::from_utf8_lossy(&initialize_body(0))
        )
        .as_bytes(),
    ) else {
        return 0;
    };
    // RFC 9728 §5.1: the challenge names the metadata; the path-inserted well-known URI
    // (§3.1) when it does not.
    let prm_url = challenge
        .headers
        .iter()
        .filter(|(name, _)| name == "www-authenticate")
        .find_map(|(_, value)| {
            let start = value.find("resource_metadata=\"")? + "resource_metadata=\"".len();
            let end = value[start..].find('"')?;
            Some(value[start..start + end].to_string())
        })
        .unwrap_or_else(|| {
            format!("http://{authority}/.well-known/oauth-protected-resource{path}")
        });
    let Some(prm) = get_json(&prm_url) else {
        return 0;
    };
    let Some(issuer) = prm["authorization_servers"][0].as_str() else {
        return 0;
    };
    let Some((as_authority, issuer_path)) = split_url(issuer) else {
        return 0;
    };
    let issuer_path = issuer_path.trim_end_matches('/');
    let metadata_url =
        format!("http://{as_authority}/.well-known/oauth-authorization-server{issuer_path}");
    let Some(metadata) = get_json(&metadata_url) else {
        return 0;
    };
    for endpoint in [
        "authorization_endpoint",
        "token_endpoint",
        "registration_endpoint",
        "introspection_endpoint",
    ] {
        if let Some((authority, path)) = metadata[endpoint].as_str().and_then(split_url) {
            garbage_at(&authority, &path);
        }
    }
    0
}
