//! A local HTTP/1.1 server for tests of the model clients: it binds an ephemeral port on
//! 127.0.0.1, answers one connection per scripted [`Reply`] in order, records what each request
//! carried, and stops. Accepts and reads are time-limited, so a client bug fails the test
//! instead of hanging it.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long the server waits for the next connection before it stops.
const ACCEPT_DEADLINE: Duration = Duration::from_secs(30);
/// How long a read from a connected client may block.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// What the server saw of one request.
#[derive(Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    /// Header names in lower case, values trimmed, in the order sent.
    pub headers: Vec<(String, String)>,
    /// The body parsed as JSON (`Null` when it is not JSON).
    pub body: Value,
    /// When the request line arrived.
    pub at: Instant,
}

impl Seen {
    /// The value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// How the server answers one connection.
pub enum Reply {
    /// A response with a JSON content type (the body need not be valid JSON).
    Json {
        status: u16,
        headers: Vec<(&'static str, &'static str)>,
        body: String,
    },
    /// Read the request, then say nothing until the client gives up.
    Hang,
    /// Read the request, then close the connection without a word.
    Close,
}

impl Reply {
    /// A JSON response with no extra headers.
    pub fn json(status: u16, body: Value) -> Reply {
        Reply::Json {
            status,
            headers: vec![],
            body: body.to_string(),
        }
    }
}

/// A running server; [`Server::requests`] waits for it to finish.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    handle: JoinHandle<Vec<Seen>>,
}

impl Server {
    /// Serves `replies` in order, one connection each, on an ephemeral loopback port.
    pub fn start(replies: Vec<Reply>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let base = format!("http://{}", listener.local_addr().expect("local address"));
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let handle = std::thread::spawn(move || {
            let deadline = Instant::now() + ACCEPT_DEADLINE;
            let mut seen = Vec::new();
            for reply in replies {
                let Some(stream) = accept_until(&listener, deadline) else {
                    break;
                };
                match handle_one(stream, reply) {
                    Some(s) => seen.push(s),
                    None => break,
                }
            }
            seen
        });
        Server { base, handle }
    }

    /// Waits for the server to stop (it stops by itself after its replies, or when no client
    /// connects in time) and returns what it saw.
    pub fn requests(self) -> Vec<Seen> {
        self.handle.join().expect("server thread panicked")
    }
}

fn accept_until(listener: &TcpListener, deadline: Instant) -> Option<TcpStream> {
    while Instant::now() < deadline {
        match listener.accept() {
            Ok((s, _)) => return Some(s),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(_) => return None,
        }
    }
    None
}

fn handle_one(stream: TcpStream, reply: Reply) -> Option<Seen> {
    stream.set_nonblocking(false).ok()?;
    stream.set_read_timeout(Some(READ_TIMEOUT)).ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let at = Instant::now();
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (name, value) = h.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let len: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);

    let mut stream = stream;
    match reply {
        Reply::Json {
            status,
            headers: extra,
            body,
        } => {
            let mut out = format!(
                "HTTP/1.1 {status} {}\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\nconnection: close\r\n",
                reason(status),
                body.len()
            );
            for (n, v) in extra {
                out.push_str(&format!("{n}: {v}\r\n"));
            }
            out.push_str("\r\n");
            out.push_str(&body);
            stream.write_all(out.as_bytes()).ok()?;
            stream.flush().ok()?;
        }
        Reply::Hang => {
            // Returns when the client closes its end (its timeout fired) or after the read
            // timeout, whichever is first.
            let mut sink = [0u8; 64];
            while matches!(reader.read(&mut sink), Ok(n) if n > 0) {}
        }
        Reply::Close => drop(stream),
    }
    Some(Seen {
        method,
        path,
        headers,
        body,
        at,
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}
