"""What the harness's servers share: the loopback host, free ports, the error, a thread runner."""

import contextlib
import signal
import socket
import threading

HOST = "127.0.0.1"


def free_ports(count):
    """Return ``count`` distinct free TCP ports on 127.0.0.1 (held together while chosen)."""
    sockets = []
    try:
        for _index in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((HOST, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def exit_on_signals():
    """Have SIGTERM (``timeout``, ``kill``), SIGHUP (the terminal closed) and SIGQUIT end
    this process as Ctrl-C does (``KeyboardInterrupt``), so that its ``finally`` blocks
    and ``atexit`` stop the servers it started: a Dovecot runs in a session of its own,
    which none of these signals reaches. Only where the signal still has its default
    action (which ends the process with no cleanup at all), and only from the main
    thread: a process that handles one itself (Odoo's server, whose test runs start
    the harness) keeps its handler, and its own shutdown stops the servers."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        with contextlib.suppress(ValueError, OSError):
            if signal.getsignal(signum) == signal.SIG_DFL:
                signal.signal(signum, _exit_on_signal)


def _exit_on_signal(signum, _frame):
    # KeyboardInterrupt, not SystemExit: pytest (whose process the suite's Dovecot
    # fixture starts the harness in) takes a SystemExit raised inside a test for that
    # test's failure and goes on with the next ones, so that a SIGTERM from ``timeout``
    # no longer ended the run; a KeyboardInterrupt ends its session (teardowns run),
    # and a script's finally blocks and atexit run as for sys.exit. A second signal
    # ends the process at once, should the cleanup hang.
    signal.signal(signum, signal.SIG_DFL)
    raise KeyboardInterrupt(f"signal {signum}")


class HarnessError(RuntimeError):
    """The test server could not be started or driven; the message includes its log tail."""


class ServerThread:
    """``start()`` runs the socketserver of ``_make_server()`` in a daemon thread named
    ``{thread_name}-{port}``; ``stop()`` shuts it down. Also a context manager."""

    thread_name = "server"
    port = None
    _server = None
    _thread = None

    def _make_server(self):
        raise NotImplementedError

    def start(self):
        if self._server is not None:
            return self
        self._server = self._make_server()
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"{self.thread_name}-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
            self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
