//! [`Socket`]: a graphql-transport-ws client for tests of `/graphql/ws`.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for the server's next message.
const WAIT: Duration = Duration::from_secs(5);

/// What came from the server.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// A protocol message.
    Message(Value),
    /// The server closed the socket with this code and reason.
    Closed(u16, String),
    /// Nothing in time.
    Silence,
}

/// One open `/graphql/ws` connection.
pub struct Socket {
    ws: WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>,
}

impl Socket {
    /// Opens a socket to the API at `address` (`http://…`) without initialising it.
    pub async fn open(address: &str) -> Self {
        let url = format!("{}/graphql/ws", address.replace("http://", "ws://"));
        let mut req = url.into_client_request().expect("ws url");
        req.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws".parse().expect("header"),
        );
        let (ws, _) = tokio_tungstenite::connect_async(req)
            .await
            .expect("websocket");
        Socket { ws }
    }

    /// Opens and initialises a socket (as the bearer of `token`, if any), asserting the ack.
    pub async fn connect(address: &str, token: Option<&str>) -> Self {
        let mut s = Self::open(address).await;
        let init = s.init(token).await;
        assert_eq!(init, Incoming::Message(json!({"type": "connection_ack"})));
        s
    }

    /// Sends `connection_init`; returns the answer.
    pub async fn init(&mut self, token: Option<&str>) -> Incoming {
        let payload = token.map_or(
            json!({}),
            |t| json!({"Authorization": format!("Bearer {t}")}),
        );
        self.send(json!({"type": "connection_init", "payload": payload}))
            .await;
        self.next().await
    }

    /// Sends one protocol message.
    pub async fn send(&mut self, message: Value) {
        // A socket the server already closed refuses sends; the next read tells the test.
        let _ = self.ws.send(Message::text(message.to_string())).await;
    }

    /// Starts operation `id` (a subscription, query or mutation).
    pub async fn subscribe(&mut self, id: &str, query: &str) {
        self.send(json!({"id": id, "type": "subscribe", "payload": {"query": query}}))
            .await;
    }

    /// The next message, close or silence within `within`.
    pub async fn next_within(&mut self, within: Duration) -> Incoming {
        loop {
            let frame = match tokio::time::timeout(within, self.ws.next()).await {
                Err(_) => return Incoming::Silence,
                Ok(None) => return Incoming::Closed(1006, String::new()),
                Ok(Some(Err(_))) => return Incoming::Closed(1006, String::new()),
                Ok(Some(Ok(frame))) => frame,
            };
            match frame {
                Message::Text(t) => {
                    return Incoming::Message(serde_json::from_str(&t).expect("JSON message"))
                }
                Message::Close(frame) => {
                    let (code, reason) = frame
                        .map_or((1005, String::new()), |CloseFrame { code, reason }| {
                            (u16::from(code), reason.to_string())
                        });
                    return Incoming::Closed(code, reason);
                }
                _ => {}
            }
        }
    }

    /// The next message, close or silence within five seconds.
    pub async fn next(&mut self) -> Incoming {
        self.next_within(WAIT).await
    }

    /// The next protocol message, asserting one came.
    pub async fn message(&mut self) -> Value {
        match self.next().await {
            Incoming::Message(m) => m,
            other => panic!("expected a message, got {other:?}"),
        }
    }
}
