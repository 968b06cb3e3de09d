"""Connections opened ahead: a run over many mailboxes opens the next ones' connections
(TCP, TLS, LOGIN, then SELECT or the POP3 listing) on threads while it uses the current
one, so it waits for the network of several servers at once instead of one after the
other. Each source is handed over connected, or with the error its connection met, as
its own ``connect()`` would have raised it; none is left open. A source is handed over
only as it is still good: one the server ended while it waited (an idle timeout, a
restart, an administrator's kick) is connected again, and one whose settings changed
since it was opened (an administrator's edit meanwhile) is closed and not handed over."""

import contextlib
from concurrent.futures import ThreadPoolExecutor


class ConnectAhead:
    """Opens unconnected sources on at most ``width`` threads (0: none ahead).

    ``open(key, source, data)`` starts connecting ``source``; ``take(key, config)``
    returns it connected (once), or None when nothing was opened for ``key`` or it was
    opened with other settings than ``config``; ``data(key)`` is
    what was given with it (e.g. the trace its connection wrote to). Used as a context
    manager: sources opened and never taken are closed at its end."""

    def __init__(self, width):
        self.width = max(int(width), 0)
        self._pool = None
        self._pending = {}  # key: (source, future, data)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __contains__(self, key):
        return key in self._pending

    def open(self, key, source, data=None):
        """Start connecting ``source`` on a thread. Returns whether it was opened."""
        if not self.width or key in self._pending:
            return False
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.width, thread_name_prefix="mail-connect-ahead")
        self._pending[key] = (source, self._pool.submit(source.connect), data)
        return True

    def data(self, key):
        entry = self._pending.get(key)
        return entry[2] if entry else None

    def wait(self, key):
        """Wait until the connection of ``key`` is made or failed (its error not raised)."""
        entry = self._pending.get(key)
        if entry:
            entry[1].exception()

    def take(self, key, config=None):
        """The source opened for ``key``, connected; raises its connection's error.
        None when nothing was opened for ``key``, or when ``config`` (the settings the
        caller would connect with now) is not what it was opened with: the caller
        opens its own. A session the server ended while it waited is opened again."""
        entry = self._pending.pop(key, None)
        if entry is None:
            return None
        source, future, _data = entry
        if config is not None and config.resolved() != source.config:
            if future.exception() is None:
                with contextlib.suppress(Exception):
                    source.close()
            return None
        future.result()  # a failed connect() released its socket
        if source.dropped():
            source.close()  # only releases the socket of a lost session
            source.connect()
        return source

    def discard(self, key):
        """Close the source opened for ``key`` if it was not taken (its turn failed
        before: a POP3 session would hold its mailbox's lock until the run ends)."""
        entry = self._pending.pop(key, None)
        if entry is not None and entry[1].exception() is None:
            with contextlib.suppress(Exception):
                entry[0].close()

    def close(self):
        """Close the sources opened and not taken (a run that ended early)."""
        for key in list(self._pending):
            self.discard(key)
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
