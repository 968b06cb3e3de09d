"""PostgreSQL for the demo and the test command: the server pointed at, or a private one.

``database_server()`` returns where to connect. The settings come from the arguments
(``--db_host``, ``--db_port``, ``--db_user``), then ``HMT_DB_HOST``/``HMT_DB_PORT``/
``HMT_DB_USER``, then the usual ``PGHOST``/``PGPORT``/``PGUSER``, then 127.0.0.1, 5432,
``root``. When no server answers there, it starts a private cluster instead, the way the
tests' harness starts its own Dovecot: Debian's ``initdb`` and ``pg_ctl``
(``/usr/lib/postgresql/<newest>/bin``, or ``HMT_PG_BINDIR``) in a temporary folder, on a
free port of 127.0.0.1, trust authentication, the superuser named as the user asked for
(``root`` by default), stopped and removed when the process exits. A server that answers
the default settings but refuses their role (a stock Debian or Ubuntu server knows only
``postgres``) gets the same private cluster, unless the user pointed at it explicitly.

As root, PostgreSQL refuses to run: the cluster then belongs to the ``postgres`` system
user (``nobody`` without it), and root connects over TCP as the role it asked for.

This module imports nothing outside the standard library (psycopg2 is used when present).
"""

import atexit
import contextlib
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import namedtuple

DEFAULTS = ("127.0.0.1", 5432, "root")
PREFIX = "hmt-pg-"
OWNER_FILE = "owner.pid"
START_TIMEOUT = 60

Server = namedtuple("Server", "host port user cluster")


def settings(host=None, port=None, user=None, environ=None, defaults=DEFAULTS):
    """(host, port, user): arguments, then HMT_DB_*, then PG* variables, then defaults."""
    environ = os.environ if environ is None else environ

    def pick(value, name, default):
        if value not in (None, ""):
            return value
        return environ.get(f"HMT_DB_{name}") or environ.get(f"PG{name}") or default

    return (
        pick(host, "HOST", defaults[0]),
        int(pick(port, "PORT", defaults[1])),
        pick(user, "USER", defaults[2]),
    )


def explicit(host=None, port=None, user=None, environ=None):
    """Whether the user pointed at a server (an argument or an environment variable)."""
    environ = os.environ if environ is None else environ
    names = [f"{prefix}{name}" for prefix in ("HMT_DB_", "PG") for name in ("HOST", "PORT", "USER")]
    return any(value not in (None, "") for value in (host, port, user)) or any(
        environ.get(name) for name in names
    )


def answers(host, port, timeout=3.0):
    """Whether something listens at host:port (a folder as host: its Unix socket)."""
    if host.startswith("/"):
        return os.path.exists(os.path.join(host, f".s.PGSQL.{port}"))
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            return True
    except OSError:
        return False


def login_error(host, port, user):
    """Why psycopg2 cannot log in as ``user`` (None when it can or is not installed)."""
    try:
        import psycopg2
    except ImportError:
        return None
    try:
        psycopg2.connect(
            host=host, port=port, user=user, dbname="postgres", connect_timeout=5
        ).close()
    except psycopg2.OperationalError as error:
        return str(error).strip().splitlines()[0]
    return None


def find_bindir():
    """The folder of the newest Debian PostgreSQL binaries (initdb, pg_ctl), or None."""
    candidates = [os.environ.get("HMT_PG_BINDIR", "")]

    def version(path):
        found = re.search(r"/(\d+)/bin$", path)
        return int(found.group(1)) if found else 0

    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)
    initdb = shutil.which("initdb")
    candidates.append(os.path.dirname(initdb) if initdb else "")
    for folder in candidates:
        tools = [os.path.join(folder, name) for name in ("initdb", "pg_ctl")]
        if folder and all(os.access(tool, os.X_OK) for tool in tools):
            return folder
    return None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateCluster:
    """A throwaway PostgreSQL cluster in a temporary folder, on 127.0.0.1."""

    host = "127.0.0.1"

    def __init__(self, user="root", bindir=None):
        self.user = user
        self.bindir = bindir or find_bindir()
        self.workdir = None
        self.port = None
        self._owner = None  # (uid, gid) the server runs as, None for the current user

    @property
    def datadir(self):
        return os.path.join(self.workdir, "data")

    def _run(self, *command):
        kwargs = {}
        if self._owner:
            kwargs = {"user": self._owner[0], "group": self._owner[1], "extra_groups": []}
        result = subprocess.run(
            [os.path.join(self.bindir, command[0]), *command[1:]],
            cwd=self.workdir,
            capture_output=True,
            text=True,
            check=False,
            **kwargs,
        )
        if result.returncode:
            raise RuntimeError(
                f"{command[0]} failed ({result.returncode}): {result.stderr or result.stdout}"
                f"{self._log_tail()}"
            )
        return result

    def _log_tail(self):
        with contextlib.suppress(OSError, TypeError):
            with open(os.path.join(self.workdir, "postgresql.log"), encoding="utf-8") as log:
                return "\n--- postgresql.log ---\n" + "".join(log.readlines()[-20:])
        return ""

    def start(self):
        if not self.bindir:
            raise RuntimeError(
                "No PostgreSQL binaries (initdb, pg_ctl): install Debian's postgresql package "
                "or point --db_host/--db_port at a running server."
            )
        _exit_on_signals()  # before anything exists: a SIGTERM during initdb cleans up too
        remove_stale_clusters()
        _RUNNING.add(self)
        self.workdir = tempfile.mkdtemp(prefix=PREFIX)
        with open(os.path.join(self.workdir, OWNER_FILE), "w", encoding="ascii") as owner:
            owner.write(str(os.getpid()))
        if os.geteuid() == 0:
            entry = _system_user("postgres") or _system_user("nobody")
            self._owner = (entry.pw_uid, entry.pw_gid)
            os.chown(self.workdir, *self._owner)
        self._run(
            "initdb", "-D", self.datadir, "-U", self.user, "--auth=trust",
            "--encoding=UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        for attempt in range(3):
            self.port = free_port()
            options = (
                f"-c listen_addresses={self.host} -p {self.port} -k {self.workdir}"
                " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            log = os.path.join(self.workdir, "postgresql.log")
            try:
                self._run(
                    "pg_ctl", "-D", self.datadir, "-l", log, "-o", options,
                    "-w", "-t", str(START_TIMEOUT), "start",
                )  # fmt: skip
                return self
            except RuntimeError:  # the port was taken meanwhile: try another one
                if attempt == 2:
                    self.stop()
                    raise
        return self

    def stop(self):
        """Stop the server and remove its folder (idempotent)."""
        _RUNNING.discard(self)
        if not self.workdir:
            return
        if os.path.exists(os.path.join(self.datadir, "postmaster.pid")):
            with contextlib.suppress(RuntimeError):
                self._run("pg_ctl", "-D", self.datadir, "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


def _system_user(name):
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None


_RUNNING = set()


@atexit.register
def _stop_all():
    for cluster in list(_RUNNING):
        cluster.stop()


def _exit_on_signals():
    """SIGTERM, SIGHUP (the terminal closed) and SIGQUIT end the process through atexit,
    so the private cluster is stopped: its postmaster has a session of its own, so no
    hangup ever reaches it."""
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        with contextlib.suppress(ValueError):  # not the main thread
            if signal.getsignal(signum) == signal.SIG_DFL:
                signal.signal(signum, lambda number, _frame: sys.exit(128 + number))


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_pid(path):
    with contextlib.suppress(OSError, ValueError, IndexError):
        with open(path, encoding="ascii") as source:
            return int(source.read().split()[0])
    return None


def remove_stale_clusters(tmpdir=None):
    """Stop and remove the private clusters whose owner process is gone (killed with
    SIGKILL, say). Only folders with an owner file are touched; their postmaster is
    stopped by a signal to its pid (pg_ctl refuses to run as root)."""
    for workdir in glob.glob(os.path.join(tmpdir or tempfile.gettempdir(), PREFIX + "*")):
        owner = _read_pid(os.path.join(workdir, OWNER_FILE))
        if owner is None or _alive(owner):
            continue
        postmaster = _read_pid(os.path.join(workdir, "data", "postmaster.pid"))
        if postmaster and _alive(postmaster) and _is_postgres(postmaster, workdir):
            with contextlib.suppress(OSError):
                os.kill(postmaster, signal.SIGQUIT)  # immediate shutdown
            for _ in range(100):
                if not _alive(postmaster):
                    break
                time.sleep(0.1)
        shutil.rmtree(workdir, ignore_errors=True)


def _is_postgres(pid, workdir):
    """Whether ``pid`` is a postgres serving a folder under ``workdir`` (a reused pid is
    left alone)."""
    with contextlib.suppress(OSError):
        with open(f"/proc/{pid}/cmdline", "rb") as source:
            return os.fsencode(workdir) in source.read()
    return False


def database_server(host=None, port=None, user=None, environ=None, replace_refusing=None):
    """The server to use: the one the settings name if it answers, else a private one
    (started now, stopped at exit, what it did printed). ``replace_refusing``: whether a
    server that refuses the role is replaced too (default: when not pointed at)."""
    if replace_refusing is None:
        replace_refusing = not explicit(host, port, user, environ)
    host, port, user = settings(host, port, user, environ)
    if answers(host, port):
        refused = login_error(host, port, user) if replace_refusing else None
        if not refused:
            return Server(host, port, user, None)
        reason = f"PostgreSQL at {host}:{port} refuses the role {user} ({refused})"
    else:
        reason = f"No PostgreSQL answers at {host}:{port}"
    cluster = PrivateCluster(user=user).start()
    print(
        f"{reason}: started a private one on {cluster.host}:{cluster.port} "
        f"(role {user}, data in {cluster.workdir}, removed at exit).",
        flush=True,
    )
    return Server(cluster.host, cluster.port, user, cluster)
