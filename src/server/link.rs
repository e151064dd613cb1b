//! The network between a client and the reference server, made to fail
//! the way real ones do (`serve --drop-answers N`): every Nth create is
//! carried out and then its connection is closed before a byte of the
//! answer leaves, as when a proxy or a load balancer gives up on a slow
//! backend. The client cannot know whether the resource was made; a tester
//! that assumes either way leaves users behind or makes them twice.
//!
//! Each accepted connection is a [`Line`], whose writes can be cut off; the
//! route layer learns the connection's [`Cut`] switch through axum's
//! connect info and throws it once the create is stored.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// A connection that can be cut: once cut, nothing more is written or read.
pub struct Line {
    stream: TcpStream,
    cut: Arc<AtomicBool>,
}

/// The switch that cuts one connection.
#[derive(Debug, Clone)]
pub struct Cut(Arc<AtomicBool>);

impl Cut {
    pub fn cut(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl Line {
    fn is_cut(&self) -> bool {
        self.cut.load(Ordering::SeqCst)
    }
}

fn severed() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionReset, "the line was cut")
}

impl AsyncRead for Line {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.is_cut() {
            return Poll::Ready(Err(severed()));
        }
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Line {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.is_cut() {
            return Poll::Ready(Err(severed()));
        }
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.is_cut() {
            return Poll::Ready(Err(severed()));
        }
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// A TCP listener whose connections are [`Line`]s.
pub struct Lines(pub TcpListener);

impl Listener for Lines {
    type Io = Line;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Line, std::net::SocketAddr) {
        let (stream, addr) = Listener::accept(&mut self.0).await;
        let line = Line {
            stream,
            cut: Arc::default(),
        };
        (line, addr)
    }

    fn local_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.0.local_addr()
    }
}

impl Connected<IncomingStream<'_, Lines>> for Cut {
    fn connect_info(stream: IncomingStream<'_, Lines>) -> Cut {
        Cut(stream.io().cut.clone())
    }
}
