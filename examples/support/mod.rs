//! What the examples share: the async runtime, the way they end (the token as JSON on stdout,
//! or one line on stderr), and, for the PKCE and web logins, a listener on 127.0.0.1 that
//! waits for the browser coming back from Coze's consent page.
//!
//! The listener is deliberately small: one connection at a time, the request line read and
//! nothing else. A real app gets the callback through its own web framework.

#![allow(dead_code)] // each example uses part of it

use std::process::ExitCode;
use std::time::Duration;

use coze_auth::{Error, ErrorCode, OAuthToken};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A variable of the environment, if set and not empty.
pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Parses a number given to `flag`.
pub fn number<T: std::str::FromStr>(flag: &str, value: String) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{flag} must be a whole number"))
}

/// The command line of the two browser logins (pkce_login, web_login): the app's client id
/// (`--client-id`, else the variable `client_id_env`), the base URLs, the callback port, the
/// workspace, the request timeout and how long to wait for the browser.
pub struct LoginOptions {
    pub client_id: String,
    pub base_url: String,
    pub www_base_url: Option<String>,
    pub port: u16,
    pub workspace_id: Option<String>,
    pub timeout: Duration,
    pub wait: Duration,
}

/// Parses the browser logins' arguments; `Err("")` is `--help` (see [`usage_exit`]).
pub fn login_args(client_id_env: &str) -> Result<LoginOptions, String> {
    let mut client_id = env(client_id_env);
    let mut base_url =
        env("COZE_API_BASE").unwrap_or_else(|| coze_auth::COZE_CN_BASE_URL.to_owned());
    let mut www_base_url = env("COZE_WWW_BASE");
    let mut port: u16 = 8080;
    let mut workspace_id = None;
    let mut timeout_ms: u64 = 30_000;
    let mut wait_s: u64 = 300;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--client-id" => client_id = Some(value()?),
            "--base-url" => base_url = value()?,
            "--www-base-url" => www_base_url = Some(value()?),
            "--port" => port = number(&flag, value()?)?,
            "--workspace-id" => workspace_id = Some(value()?),
            "--timeout-ms" => timeout_ms = number(&flag, value()?)?,
            "--wait-s" => wait_s = number(&flag, value()?)?,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok(LoginOptions {
        client_id: client_id.ok_or("--client-id is required")?,
        base_url,
        www_base_url,
        port,
        workspace_id,
        timeout: Duration::from_millis(timeout_ms),
        wait: Duration::from_secs(wait_s),
    })
}

/// Runs `work` on a one-thread tokio runtime and ends the process the way every example does:
/// the token as JSON on stdout and exit 0, or `<what> failed [<code>]: <message>` on stderr and
/// exit 1. The message never holds a secret.
pub fn finish(
    what: &str,
    work: impl std::future::Future<Output = Result<OAuthToken, Error>>,
) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("{what} failed: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(work) {
        Ok(token) => {
            println!("{}", token.to_json());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{what} failed [{}]: {error}", error.code);
            ExitCode::FAILURE
        }
    }
}

/// Usage problems: `Err("")` is `--help` (usage on stdout, exit 0), any other text is printed
/// with the usage on stderr (exit 2).
pub fn usage_exit(problem: &str, usage: &str) -> ExitCode {
    if problem.is_empty() {
        println!("{usage}");
        ExitCode::SUCCESS
    } else {
        eprintln!("{problem}\n{usage}");
        ExitCode::from(2)
    }
}

fn local_error(message: String) -> Error {
    Error::new(ErrorCode::NetworkError, message)
}

/// Waits on `http://127.0.0.1:PORT` for the browser's `GET` of the callback path.
pub struct CallbackListener {
    listener: TcpListener,
    path: &'static str,
    port: u16,
}

/// The browser's connection, kept open until the login is over so the page can say how it went.
pub struct Browser {
    stream: TcpStream,
}

/// Longest request head read from the browser.
const MAX_HEAD_BYTES: usize = 16 * 1024;

impl CallbackListener {
    /// Listens on 127.0.0.1:`port` (0: any free port) for `GET path?…`.
    pub async fn bind(port: u16, path: &'static str) -> Result<Self, Error> {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| local_error(format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
        let port = listener
            .local_addr()
            .map_err(|e| local_error(format!("cannot read the listening address: {e}")))?
            .port();
        Ok(CallbackListener {
            listener,
            path,
            port,
        })
    }

    /// The redirect URI to register on the app and send in the authorize URL.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{}", self.port, self.path)
    }

    /// Waits up to `wait` for the callback; returns its full URL (with `code` and `state`, or
    /// `error`) and the browser's connection. Other requests (a favicon) get a 404.
    pub async fn wait(&self, wait: Duration) -> Result<(String, Browser), Error> {
        tokio::time::timeout(wait, self.next_callback())
            .await
            .map_err(|_| {
                Error::new(
                    ErrorCode::Timeout,
                    format!(
                        "Nobody came back from the consent page within {} s.",
                        wait.as_secs()
                    ),
                )
            })?
    }

    async fn next_callback(&self) -> Result<(String, Browser), Error> {
        loop {
            let (mut stream, _) = self
                .listener
                .accept()
                .await
                .map_err(|e| local_error(format!("cannot accept a connection: {e}")))?;
            // A browser may open a connection and send nothing: give it a few seconds.
            let target =
                match tokio::time::timeout(Duration::from_secs(5), request_target(&mut stream))
                    .await
                {
                    Ok(Some(target)) => target,
                    _ => continue,
                };
            let path = target.split('?').next().unwrap_or_default();
            if path == self.path {
                let url = format!("http://127.0.0.1:{}{target}", self.port);
                return Ok((url, Browser { stream }));
            }
            let _ = Browser { stream }
                .answer(404, "Not found", "This is not the callback.")
                .await;
        }
    }
}

/// The target of a `GET` request line, once the whole head has arrived.
async fn request_target(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 || head.len() + n > MAX_HEAD_BYTES {
            return None;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let line = head.split(|&b| b == b'\r').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut parts = line.split(' ');
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) if target.starts_with('/') => Some(target.to_owned()),
        _ => None,
    }
}

impl Browser {
    /// Answers a small HTML page and closes the connection.
    pub async fn answer(mut self, status: u16, title: &str, text: &str) -> std::io::Result<()> {
        let body = format!(
            "<!doctype html><meta charset=utf-8><title>{0}</title><h1>{0}</h1><p>{1}</p>",
            html_escape(title),
            html_escape(text)
        );
        let reason = if status == 200 { "OK" } else { "Error" };
        let response = format!(
            "HTTP/1.1 {status} {reason}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        self.stream.write_all(response.as_bytes()).await?;
        self.stream.shutdown().await
    }

    /// Tells the browser how the login ended (the error's message holds no secret).
    pub async fn report(self, result: &Result<OAuthToken, Error>) {
        let _ = match result {
            Ok(_) => {
                self.answer(
                    200,
                    "Logged in",
                    "You can close this tab and go back to the terminal.",
                )
                .await
            }
            Err(error) => self.answer(400, "Login failed", &error.to_string()).await,
        };
    }
}

fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
