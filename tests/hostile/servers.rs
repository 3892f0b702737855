//! The hostile MCP servers: raw bytes on a std `TcpListener` at 127.0.0.1:0, served from
//! threads of the test process, one thread per connection. Each mode is hostile in one
//! way only and answers everything else like a conformant server (a 401 with a valid
//! Bearer challenge, valid protected resource metadata), so which verdicts may pass is
//! clear for each.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerMode {
    /// Accepts, reads the request, never answers.
    NeverAnswers,
    /// A 401 head, then the body one byte per 100 ms.
    Trickle,
    /// A 401 with a 100 MB body on every path (streamed, never allocated).
    HugeBody,
    /// A 302 to the URL that was requested, on every path.
    RedirectLoop,
    /// A 64 KB `WWW-Authenticate` whose quoted-strings hold bytes that are not UTF-8
    /// (obs-text, RFC 9110 §5.6.4: allowed in a quoted-string).
    BadHeader,
    /// One `WWW-Authenticate` header of 1,000 Bearer challenges.
    ManyChallenges,
    /// 1,000 `WWW-Authenticate` lines.
    ManyHeaderLines,
    /// Protected resource metadata that is cut JSON.
    MalformedPrm,
    /// Every answer closes the connection in the middle of its body.
    MidClose,
    /// Answers bytes that are not HTTP.
    NotHttp,
}

const HUGE_BODY: u64 = 100 * 1024 * 1024;
const CHALLENGES: usize = 1000;

/// Starts the server; it serves until the test process ends. Returns its port.
pub fn serve(mode: ServerMode) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().expect("local address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve_connection(mode, port, stream));
        }
    });
    port
}

/// The request line's path, once the head (and the body its `Content-Length` announces)
/// has been read; `None` when the peer closed first.
fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? == 0 || head.len() > 1 << 20 {
            return None;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let length: u64 = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0);
    std::io::copy(&mut (&*stream).take(length), &mut std::io::sink()).ok()?;
    let path = head.split_whitespace().nth(1)?.to_string();
    Some(path)
}

fn prm_url(port: u16) -> String {
    format!("http://127.0.0.1:{port}/.well-known/oauth-protected-resource/mcp")
}

fn challenge(port: u16) -> String {
    format!(
        "Bearer resource_metadata=\"{}\", scope=\"mcp:tools\"",
        prm_url(port)
    )
}

fn valid_prm(port: u16) -> String {
    format!(
        r#"{{"resource":"http://127.0.0.1:{port}/mcp","authorization_servers":["http://127.0.0.1:{port}"],"scopes_supported":["mcp:tools"],"bearer_methods_supported":["header"]}}"#
    )
}

const ERROR_BODY: &str = r#"{"error":"invalid_request","error_description":"no token"}"#;

fn is_prm(path: &str) -> bool {
    path.starts_with("/.well-known/oauth-protected-resource")
}

/// A whole answer: status line, headers (raw bytes: some modes send bytes that are not
/// UTF-8), body, `Connection: close`.
fn answer(stream: &mut TcpStream, status: &str, headers: &[Vec<u8>], body: &[u8]) {
    let mut raw = format!("HTTP/1.1 {status}\r\n").into_bytes();
    for h in headers {
        raw.extend_from_slice(h);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(
        format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    raw.extend_from_slice(body);
    let _ = stream.write_all(&raw);
}

fn header(name: &str, value: &str) -> Vec<u8> {
    format!("{name}: {value}").into_bytes()
}

/// What a conformant server answers: the metadata at its well-known URI, a 401 with the
/// challenge elsewhere.
fn conformant(stream: &mut TcpStream, port: u16, path: &str, challenge_headers: &[Vec<u8>]) {
    if is_prm(path) {
        let json = header("Content-Type", "application/json");
        answer(stream, "200 OK", &[json], valid_prm(port).as_bytes());
    } else {
        let mut headers = challenge_headers.to_vec();
        headers.push(header("Content-Type", "application/json"));
        answer(stream, "401 Unauthorized", &headers, ERROR_BODY.as_bytes());
    }
}

fn serve_connection(mode: ServerMode, port: u16, mut stream: TcpStream) {
    let Some(path) = read_request(&mut stream) else {
        return;
    };
    let unauthorized_head = |length: u64| {
        format!(
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: {}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n",
            challenge(port)
        )
    };
    match mode {
        ServerMode::NeverAnswers => {
            // Hold the connection until the harness gives up on it.
            let _ = std::io::copy(&mut stream, &mut std::io::sink());
        }
        ServerMode::Trickle => {
            if stream
                .write_all(unauthorized_head(100_000).as_bytes())
                .is_err()
            {
                return;
            }
            for _ in 0..100_000 {
                // The trickle is the hostile behaviour itself, not a wait of the test.
                std::thread::sleep(Duration::from_millis(100));
                if stream.write_all(b" ").is_err() {
                    return;
                }
            }
        }
        ServerMode::HugeBody => {
            if stream
                .write_all(unauthorized_head(HUGE_BODY).as_bytes())
                .is_err()
            {
                return;
            }
            let chunk = vec![b'x'; 64 * 1024];
            let mut left = HUGE_BODY;
            while left > 0 {
                let n = left.min(chunk.len() as u64) as usize;
                if stream.write_all(&chunk[..n]).is_err() {
                    return;
                }
                left -= n as u64;
            }
        }
        ServerMode::RedirectLoop => {
            let location = format!("http://127.0.0.1:{port}{path}");
            answer(
                &mut stream,
                "302 Found",
                &[header("Location", &location)],
                b"",
            );
        }
        ServerMode::BadHeader => {
            let mut value = format!(
                "WWW-Authenticate: Bearer resource_metadata=\"{}\", realm=\"",
                prm_url(port)
            )
            .into_bytes();
            value.extend_from_slice(b"\xff\xfe\xc3\x28\", error_description=\"");
            value.extend(std::iter::repeat_n(0x80u8, 64 * 1024));
            value.push(b'"');
            conformant(&mut stream, port, &path, &[value]);
        }
        ServerMode::ManyChallenges => {
            let all: Vec<String> = (0..CHALLENGES)
                .map(|n| {
                    format!(
                        "Bearer realm=\"r{n}\", resource_metadata=\"{}\", scope=\"mcp:tools\"",
                        prm_url(port)
                    )
                })
                .collect();
            let headers = [header("WWW-Authenticate", &all.join(", "))];
            conformant(&mut stream, port, &path, &headers);
        }
        ServerMode::ManyHeaderLines => {
            let headers: Vec<Vec<u8>> = (0..CHALLENGES)
                .map(|n| {
                    header(
                        "WWW-Authenticate",
                        &format!("Bearer realm=\"r{n}\", {}", &challenge(port)[7..]),
                    )
                })
                .collect();
            conformant(&mut stream, port, &path, &headers);
        }
        ServerMode::MalformedPrm => {
            if is_prm(&path) {
                let cut = format!(
                    r#"{{"resource": "http://127.0.0.1:{port}/mcp", "authorization_servers": ["#
                );
                let json = header("Content-Type", "application/json");
                answer(&mut stream, "200 OK", &[json], cut.as_bytes());
            } else {
                conformant(
                    &mut stream,
                    port,
                    &path,
                    &[header("WWW-Authenticate", &challenge(port))],
                );
            }
        }
        ServerMode::MidClose => {
            let _ = stream.write_all(unauthorized_head(1000).as_bytes());
            let _ = stream.write_all(br#"{"error":"#);
            let _ = stream.shutdown(Shutdown::Both);
        }
        ServerMode::NotHttp => {
            let _ = stream.write_all(b"\x00\x01garbage, not HTTP\r\n\r\n");
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}
