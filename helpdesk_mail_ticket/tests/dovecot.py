"""Real mail servers for tests: a private Dovecot (IMAP, IMAPS, POP3, POP3S) and an SMTP sink.

This module imports no Odoo: the Odoo tests of this addon import it relatively
(``from . import dovecot``) and the pure pytest suite loads it by file path.

``Dovecot`` starts Debian's ``/usr/sbin/dovecot -F -c <generated conf>`` as a child process
with everything (config, certificates, sockets, state, logs, maildirs) inside one temporary
directory, listening on four free ports of 127.0.0.1 only. A throwaway CA signs the server
certificate (CN 127.0.0.1, SAN IP:127.0.0.1 and DNS:localhost); clients verify against
``ca_file``. Plaintext authentication is allowed (loopback only) and STARTTLS is offered.

Each user has its own passwd-file (``users/<login>``, passdb and userdb ``args = users/%u``),
so ``add_user()`` works while the server runs: a new user is a new file, read on first
lookup. (Dovecot re-stats a passwd-file at most once per second, so changing an existing
user's password waits for the next second.) The harness itself reaches every mailbox
through a master user (``login*hmt-master``) with a random per-server password, so a test
may change or remove a user's password without locking the harness out. Failed logins are
answered after ~0.5 s without Dovecot's growing per-IP penalty (anvil's auth-penalty socket
is disabled). Nothing is written outside the temporary directory.

Running as root: Dovecot refuses uid 0 for mail processes (passwd-file says "invalid UID",
the userdb check "userdb returned 0 as uid"), so mail is owned by an unprivileged system user
(``nobody`` by default); ``first_valid_uid``/``last_valid_uid`` are pinned to that uid and the
mail root is chowned to it. As a normal user everything runs under the current uid.

With ``oauth2=True`` the server also accepts SASL XOAUTH2 and OAUTHBEARER: an
:class:`OAuth2Endpoint` (a small HTTP server on 127.0.0.1, started and stopped with
Dovecot) is both the token-introspection URL of Dovecot's ``oauth2`` passdb and an OAuth2
token endpoint (``grant_type=refresh_token``) for the clients under test. Users still need
``add_user()`` (the userdb); ``server.oauth2.issue_access_token(login)`` then gives a bearer
token that logs in as that user until it expires or is revoked. Off by default.

Example::

    with Dovecot() as server:
        server.add_user("support@example.com", "secret")
        uid = server.append("support@example.com", b"Subject: hi\\r\\n\\r\\nbody\\r\\n")
        assert server.flags("support@example.com", uid) == set()
"""

import atexit
import base64
import contextlib
import email
import email.policy
import http.server
import imaplib
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import socketserver
import subprocess
import tempfile
import threading
import time
import urllib.parse
import weakref
from dataclasses import dataclass, field

DOVECOT_BINARY = "/usr/sbin/dovecot"
HOST = "127.0.0.1"
MASTER_SEPARATOR = "*"
MASTER_LOGIN = "hmt-master"
START_TIMEOUT = 15.0
_FORBIDDEN_LOGIN_CHARS = re.compile(r"[\s:/*\\%\"']")
_APPENDUID = re.compile(rb"\[APPENDUID (\d+) (\d+)\]")
_FLAGS = re.compile(rb"FLAGS \(([^)]*)\)")
_RUNNING = weakref.WeakSet()  # servers to stop when the interpreter exits


@atexit.register
def _stop_all():
    """Callers that never stop() (a module-level server in Odoo tests) leave no daemon."""
    for server in list(_RUNNING):
        with contextlib.suppress(Exception):
            server.stop()


def available():
    """True when a Dovecot binary is installed (the harness can run)."""
    return bool(_dovecot_binary())


def _dovecot_binary():
    if os.access(DOVECOT_BINARY, os.X_OK):
        return DOVECOT_BINARY
    return shutil.which("dovecot")


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


def mutf7(name):
    """A folder name in IMAP's modified UTF-7 (RFC 3501 5.1.3), as Dovecot stores it too."""
    parts, pending = [], []
    for char in name + "\0":
        if pending and (0x20 <= ord(char) <= 0x7E or char == "\0"):
            encoded = base64.b64encode("".join(pending).encode("utf-16-be")).decode()
            parts.append("&" + encoded.rstrip("=").replace("/", ",") + "-")
            pending.clear()
        if 0x20 <= ord(char) <= 0x7E:
            parts.append("&-" if char == "&" else char)
        elif char != "\0":
            pending.append(char)
    return "".join(parts)


def mutf7_decode(text):
    def decode(match):
        if not match.group(1):
            return "&"
        data = match.group(1).replace(",", "/")
        return base64.b64decode(data + "=" * (-len(data) % 4)).decode("utf-16-be")

    return re.sub(r"&([^-]*)-", decode, text)


def _quote(name):
    """A mailbox name as imaplib must send it (it sends arguments verbatim)."""
    text = mutf7(name)
    return '"{}"'.format(text.replace("\\", "\\\\").replace('"', '\\"'))


class HarnessError(RuntimeError):
    """The test server could not be started or driven; the message includes its log tail."""


_SERVER_EXTENSIONS = """\
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid,issuer
"""


def make_certificates(directory):
    """Mint a throwaway CA and a server certificate for 127.0.0.1/localhost with ``openssl``.

    Writes ``ca.crt``/``ca.key`` and ``server.crt``/``server.key`` into ``directory`` and
    returns the CA file path (what clients verify against).
    """
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "server.ext"), "w") as handle:
        handle.write(_SERVER_EXTENSIONS)
    new_key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes".split()
    ca_extensions = [
        *("-addext", "basicConstraints=critical,CA:TRUE"),
        *("-addext", "keyUsage=critical,keyCertSign,cRLSign"),
        *("-addext", "subjectKeyIdentifier=hash"),
    ]
    commands = [
        ["req", "-x509", *new_key, *"-keyout ca.key -out ca.crt -days 3".split(),
         "-subj", "/CN=helpdesk_mail_ticket test CA", *ca_extensions],
        ["req", *new_key, *"-keyout server.key -out server.csr -subj /CN=127.0.0.1".split()],
        ["x509", "-req", *"-in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial".split(),
         *"-out server.crt -days 3 -extfile server.ext".split()],
    ]  # fmt: skip
    for args in commands:
        result = subprocess.run(["openssl", *args], cwd=directory, capture_output=True, check=False)
        if result.returncode:
            raise HarnessError(f"openssl {args[0]} failed: {result.stderr.decode()}")
    return os.path.join(directory, "ca.crt")


class Dovecot:
    """A private Dovecot on loopback; see the module docstring.

    Attributes once started: ``host``, ``imap_port``, ``imaps_port``, ``pop3_port``,
    ``pop3s_port``, ``ca_file`` (PEM of the throwaway CA), ``workdir``, ``log_file``,
    ``oauth2`` (the :class:`OAuth2Endpoint`, or None without OAuth2).
    ``restart()`` keeps ports, certificates, users, mail and tokens. ``stop()`` deletes the
    temporary directory unless ``workdir`` was given by the caller.
    """

    host = HOST

    def __init__(self, workdir=None, mail_user=None, imap_capability=None, oauth2=False):
        """Prepare (do not start) a server.

        :param workdir: directory to use instead of a fresh temporary one (kept on stop).
        :param mail_user: system user owning the mail when running as root (default
            ``nobody``); ignored when not root.
        :param imap_capability: override Dovecot's post-login IMAP capability string, e.g.
            ``"IMAP4rev1 LITERAL+ ENABLE IDLE"`` to test clients without MOVE/UIDPLUS.
        :param oauth2: True (or an :class:`OAuth2Endpoint` to use) to accept XOAUTH2 and
            OAUTHBEARER logins with tokens of that endpoint.
        """
        self._own_workdir = workdir is None
        self.workdir = workdir
        self._mail_user = mail_user
        self._imap_capability = imap_capability
        self._own_oauth2 = oauth2 is True
        self.oauth2 = OAuth2Endpoint() if oauth2 is True else (oauth2 or None)
        self._users = {}
        self._stamp = 0
        self._master_password = secrets.token_urlsafe(18)
        self._process = None
        self._prepared = False
        self.imap_port = self.imaps_port = self.pop3_port = self.pop3s_port = None
        self.ca_file = None
        self.log_file = None

    # -- lifecycle -----------------------------------------------------------------------

    def start(self):
        """Start Dovecot and wait until its four ports accept connections."""
        if self._process is not None:
            return self
        binary = _dovecot_binary()
        if not binary:
            raise HarnessError(
                "dovecot is not installed (apt-get install dovecot-imapd dovecot-pop3d)"
            )
        if self.oauth2 is not None:
            self.oauth2.start()
        if not self._prepared:
            self._prepare()
        with open(self._path("log", "stdout.log"), "ab") as output:
            self._process = subprocess.Popen(
                [binary, "-F", "-c", self._path("dovecot.conf")],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _RUNNING.add(self)
        try:
            self._wait_ready()
        except BaseException:
            self._kill()
            raise
        return self

    def stop(self):
        """Stop Dovecot (SIGTERM, then SIGKILL of its process group) and clean up."""
        self._kill()
        if self._own_oauth2:
            self.oauth2.stop()
        if self._own_workdir and self.workdir and os.path.isdir(self.workdir):
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None
            self._prepared = False

    def restart(self):
        """Stop and start again on the same ports, keeping users, mail and certificates."""
        self._kill()
        return self.start()

    @property
    def running(self):
        return self._process is not None and self._process.poll() is None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def __del__(self):
        # Last resort so a crashed test run does not leave a daemon behind.
        if getattr(self, "_process", None) is not None:
            with contextlib.suppress(Exception):
                self.stop()

    def _kill(self):
        process, self._process = self._process, None
        _RUNNING.discard(self)
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        # Dovecot's children exit with the master; make sure none hold our ports.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)

    def _wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        pending = {self.imap_port, self.imaps_port, self.pop3_port, self.pop3s_port}
        while pending:
            if self._process.poll() is not None:
                raise HarnessError(
                    f"dovecot exited with {self._process.returncode}:\n{self.log_tail()}"
                )
            for port in sorted(pending):
                with (
                    contextlib.suppress(OSError),
                    socket.create_connection((HOST, port), timeout=0.5),
                ):
                    pending.discard(port)
            if pending and time.monotonic() > deadline:
                raise HarnessError(
                    f"dovecot ports {sorted(pending)} not ready after {START_TIMEOUT}s:\n"
                    f"{self.log_tail()}"
                )
            if pending:
                time.sleep(0.05)

    def log_tail(self, lines=40):
        """The last lines of Dovecot's logs (for failure messages)."""
        chunks = []
        for name in ("dovecot.log", "stdout.log"):
            path = self._path("log", name) if self.workdir else None
            if path and os.path.exists(path):
                with open(path, errors="replace") as handle:
                    chunks.extend(handle.read().splitlines()[-lines:])
        return "\n".join(chunks)

    # -- preparation ---------------------------------------------------------------------

    def _path(self, *parts):
        return os.path.join(self.workdir, *parts)

    def _prepare(self):
        if self.workdir is None:
            self.workdir = tempfile.mkdtemp(prefix="hmt-dovecot-")
        os.makedirs(self.workdir, exist_ok=True)
        # Login processes (dovenull) and auth (dovecot) must traverse the directory.
        os.chmod(self.workdir, 0o755)
        self._check_reachable()
        for sub in ("run", "state", "log", "ssl", "mail"):
            os.makedirs(self._path(sub), exist_ok=True)
        self._uid, self._gid, internal_user = self._identities()
        os.chmod(self._path("mail"), 0o755)
        os.chown(self._path("mail"), self._uid, self._gid)
        self.imap_port, self.imaps_port, self.pop3_port, self.pop3s_port = free_ports(4)
        self.ca_file = make_certificates(self._path("ssl"))
        self._write_users()
        with open(self._path("masters"), "w") as handle:
            handle.write(f"{MASTER_LOGIN}:{{PLAIN}}{self._master_password}\n")
        self._protect(self._path("masters"))
        if self.oauth2 is not None:
            with open(self._path("dovecot-oauth2.conf.ext"), "w") as handle:
                handle.write(self.oauth2.dovecot_config())
            self._protect(self._path("dovecot-oauth2.conf.ext"))
        with open(self._path("dovecot.conf"), "w") as handle:
            handle.write(self._config(internal_user))
        self.log_file = self._path("log", "dovecot.log")
        self._prepared = True

    def _check_reachable(self):
        """As root, Dovecot's unprivileged processes must be able to traverse to workdir."""
        if os.geteuid() != 0:
            return
        path = os.path.abspath(self.workdir)
        while True:
            if not os.stat(path).st_mode & 0o001:
                raise HarnessError(
                    f"{path} is not traversable by Dovecot's unprivileged users; "
                    f"chmod o+x it or choose another workdir"
                )
            parent = os.path.dirname(path)
            if parent == path:
                return
            path = parent

    def _identities(self):
        """(mail uid, mail gid, internal user name or None) for the current privileges."""
        if os.geteuid() != 0:
            return os.getuid(), os.getgid(), pwd.getpwuid(os.getuid()).pw_name
        entry = pwd.getpwnam(self._mail_user or "nobody")
        if entry.pw_uid == 0:
            raise HarnessError("dovecot refuses uid 0 for mail; choose another mail_user")
        return entry.pw_uid, entry.pw_gid, None

    def _protect(self, path, mode=0o640):
        """Secrets readable by the auth process only (it runs as the internal user)."""
        os.chmod(path, mode)
        if os.geteuid() == 0:
            with contextlib.suppress(KeyError):
                os.chown(path, 0, pwd.getpwnam("dovecot").pw_gid)

    def _config(self, internal_user):
        path = self._path
        capability = f"imap_capability = {self._imap_capability}\n" if self._imap_capability else ""
        users = ""
        if internal_user:
            users = (
                f"default_internal_user = {internal_user}\ndefault_login_user = {internal_user}\n"
            )
        mechanisms, oauth2 = "plain login cram-md5 apop", ""
        if self.oauth2 is not None:
            # The oauth2 passdb asks the endpoint about the token; the passwd-file passdb
            # keeps serving passwords (and the userdb every user).
            mechanisms += " xoauth2 oauthbearer"
            oauth2 = (
                "passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n"
                f"  args = {path('dovecot-oauth2.conf.ext')}\n}}\n"
            )
        return f"""# Generated by helpdesk_mail_ticket/tests/dovecot.py - test use only.
base_dir = {path("run")}
state_dir = {path("state")}
log_path = {path("log", "dovecot.log")}
info_log_path = {path("log", "dovecot.log")}
{users}protocols = imap pop3
listen = {HOST}
ssl = yes
ssl_cert = <{path("ssl", "server.crt")}
ssl_key = <{path("ssl", "server.key")}
disable_plaintext_auth = no
auth_mechanisms = {mechanisms}
auth_master_user_separator = {MASTER_SEPARATOR}
auth_failure_delay = 0
first_valid_uid = {self._uid}
last_valid_uid = {self._uid}
first_valid_gid = {self._gid}
last_valid_gid = {self._gid}
mail_location = maildir:~/Maildir
{capability}namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  master = yes
  args = scheme=PLAIN {path("masters")}
}}
passdb {{
  driver = passwd-file
  args = {path("users", "%u")}
}}
{oauth2}userdb {{
  driver = passwd-file
  args = {path("users", "%u")}
}}
# No growing delays after failed logins (tests fail logins on purpose).
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = {HOST}
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    address = {HOST}
    port = {self.imaps_port}
    ssl = yes
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    address = {HOST}
    port = {self.pop3_port}
  }}
  inet_listener pop3s {{
    address = {HOST}
    port = {self.pop3s_port}
    ssl = yes
  }}
}}
"""

    # -- users -----------------------------------------------------------------------------

    def add_user(self, login, password):
        """Create (or change the password of) a mailbox user; effective immediately."""
        if not login or _FORBIDDEN_LOGIN_CHARS.search(login) or login.startswith("."):
            raise ValueError(f"unsupported test login {login!r}")
        if MASTER_LOGIN == login:
            raise ValueError(f"{login!r} is reserved by the harness")
        known = login in self._users
        self._users[login] = password
        if self._prepared:
            self._write_user(login)
            if known:
                self._settle()

    def remove_user(self, login):
        """Forget a user (its mail stays on disk until stop)."""
        if self._users.pop(login, None) is not None and self._prepared:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._path("users", login))
            self._settle()

    def _write_users(self):
        os.makedirs(self._path("users"), exist_ok=True)
        self._protect(self._path("users"), 0o750)
        for login in self._users:
            self._write_user(login)

    def _write_user(self, login):
        # One passwd-file per user ("users/%u"): a new user is a new file, read on first
        # lookup. PLAIN.b64 keeps any character (":" too) out of the colon-separated format
        # and still allows CRAM-MD5 and APOP, which need the plaintext.
        encoded = base64.b64encode(self._users[login].encode()).decode()
        path = self._path("users", login)
        with open(path + ".tmp", "w") as handle:
            handle.write(
                f"{login}:{{PLAIN.b64}}{encoded}:{self._uid}:{self._gid}::"
                f"{self.maildir_home(login)}::\n"
            )
        self._protect(path + ".tmp")
        # Dovecot reloads a passwd-file when its mtime (seconds) or size changed: make
        # the mtime unique so a same-length password change in the same second is seen.
        self._stamp = max(self._stamp + 1, int(time.time()))
        os.utime(path + ".tmp", (self._stamp, self._stamp))
        os.replace(path + ".tmp", path)

    @staticmethod
    def _settle():
        """Wait for the next second: Dovecot stats a passwd-file at most once per second
        (``last_sync_time == ioloop_time`` in db-passwd-file.c), so a changed file is only
        seen by lookups in a later second. New users need no wait (new file)."""
        time.sleep(1.02 - time.time() % 1)

    def maildir_home(self, login):
        """Home directory of ``login`` (its Maildir is ``<home>/Maildir``)."""
        return self._path("mail", login)

    def folder_path(self, login, folder="INBOX"):
        """Filesystem directory holding ``folder`` (Maildir++ layout, ``/`` separator)."""
        root = os.path.join(self.maildir_home(login), "Maildir")
        if folder.upper() == "INBOX":
            return root
        return os.path.join(root, "." + mutf7(folder).replace("/", "."))

    # -- IMAP helpers ----------------------------------------------------------------------

    @contextlib.contextmanager
    def imap(self, login, folder=None, readonly=False):
        """An imaplib session as ``login`` (through the master user), optionally selected."""
        if login not in self._users:
            raise KeyError(f"unknown test user {login!r}; call add_user() first")
        client = imaplib.IMAP4(HOST, self.imap_port, timeout=10)
        try:
            client.login(f"{login}{MASTER_SEPARATOR}{MASTER_LOGIN}", self._master_password)
            if folder is not None:
                self._check(client.select(_quote(folder), readonly), "SELECT", folder)
            yield client
        finally:
            with contextlib.suppress(Exception):
                client.logout()

    @staticmethod
    def _check(response, command, detail=""):
        typ, data = response
        if typ != "OK":
            raise HarnessError(f"{command} {detail} failed: {typ} {data!r}")
        return data

    def append(self, login, raw, folder="INBOX", flags=()):
        """IMAP APPEND ``raw`` to ``folder`` of ``login``; returns the new UID (APPENDUID)."""
        flag_list = "({})".format(" ".join(flags)) if flags else None
        with self.imap(login) as client:
            data = self._check(
                client.append(_quote(folder), flag_list, None, raw), "APPEND", folder
            )
        match = _APPENDUID.search(data[0] or b"")
        if not match:
            raise HarnessError(f"no APPENDUID in {data!r}")
        return int(match.group(2))

    def create_folder(self, login, folder):
        with self.imap(login) as client:
            self._check(client.create(_quote(folder)), "CREATE", folder)

    def delete_folder(self, login, folder):
        with self.imap(login) as client:
            self._check(client.delete(_quote(folder)), "DELETE", folder)

    def folders(self, login):
        """Names of all folders of ``login``."""
        with self.imap(login) as client:
            data = self._check(client.list(), "LIST")
        names = []
        for line in data:
            match = re.search(rb'"[^"]*" (.*)$', line or b"")
            if match:
                names.append(mutf7_decode(match.group(1).strip(b'"').decode()))
        return names

    def uids(self, login, folder="INBOX"):
        """Sorted UIDs of the messages in ``folder``."""
        with self.imap(login, folder, readonly=True) as client:
            data = self._check(client.uid("SEARCH", "ALL"), "UID SEARCH")
        return sorted(int(uid) for uid in (data[0] or b"").split())

    def uidvalidity(self, login, folder="INBOX"):
        with self.imap(login) as client:
            data = self._check(client.status(_quote(folder), "(UIDVALIDITY)"), "STATUS")
        return int(re.search(rb"UIDVALIDITY (\d+)", data[0]).group(1))

    def fetch(self, login, uid, folder="INBOX"):
        """Raw bytes of message ``uid`` (read with BODY.PEEK: flags unchanged)."""
        with self.imap(login, folder, readonly=True) as client:
            data = self._check(client.uid("FETCH", str(uid), "(BODY.PEEK[])"), "UID FETCH")
        for item in data:
            if isinstance(item, tuple):
                return item[1]
        raise KeyError(f"no message with UID {uid} in {folder} of {login}")

    def flags(self, login, uid, folder="INBOX"):
        """The flags of message ``uid`` (without the session-only ``\\Recent``)."""
        with self.imap(login, folder, readonly=True) as client:
            data = self._check(client.uid("FETCH", str(uid), "(FLAGS)"), "UID FETCH")
        for item in data:
            line = item[0] if isinstance(item, tuple) else item
            match = _FLAGS.search(line or b"")
            if match:
                return {flag for flag in match.group(1).decode().split() if flag != "\\Recent"}
        raise KeyError(f"no message with UID {uid} in {folder} of {login}")

    def reset_uidvalidity(self, login, folder="INBOX"):
        """Give ``folder`` a new UIDVALIDITY while keeping its messages (and their flags).

        Deletes Dovecot's ``dovecot-uidlist`` and index files of the folder, as happens
        when a server is migrated or its indexes are rebuilt: the next session assigns a new
        UIDVALIDITY (Dovecot's ``dovecot-uidvalidity`` guarantees a different value) and
        renumbers the messages from 1. Returns the new UIDVALIDITY.
        """
        before = self.uidvalidity(login, folder)
        directory = self.folder_path(login, folder)
        for name in os.listdir(directory):
            if name == "dovecot-uidlist" or name.startswith("dovecot.index"):
                os.unlink(os.path.join(directory, name))
        after = self.uidvalidity(login, folder)
        if after == before:
            raise HarnessError(f"UIDVALIDITY of {folder} did not change ({before})")
        return after


# -- A proxy that fails chosen downloads --------------------------------------------------------

_FETCH_BODY = re.compile(rb"^(\S+) UID FETCH (\d+) \((?:[^()]*\s)?BODY(?:\.PEEK)?\[\]", re.I)
_FETCH_HEADER = re.compile(
    rb"^(\S+) UID FETCH (\d+) \((?:[^()]*\s)?BODY(?:\.PEEK)?\[HEADER\]", re.I
)
_RETR = re.compile(rb"^RETR (\d+)\s*$", re.I)
_LITERAL = re.compile(rb"\{(\d+)\+?\}\r\n$")
_CAPABILITY_LIST = re.compile(rb"(\* CAPABILITY |\[CAPABILITY )([^\]\r\n]*)", re.I)


class FaultProxy:
    """A TCP proxy on 127.0.0.1 in front of one IMAP or POP3 port (cleartext) of a
    server, passing the dialogue through except for the faults it is told to make:

    * ``fail_uids``: IMAP UIDs whose ``UID FETCH <uid> (BODY.PEEK[])`` (or ``BODY[]``,
      the whole message) is answered ``<tag> NO <answer>``, as a server answers for a
      damaged message. The server gets a NOOP in its place, so the streams stay in step.
    * ``fail_uidls``: POP3 UIDLs whose ``RETR n`` is answered ``-ERR <answer>`` (the
      number is learnt from the session's UIDL listing; ``fail_numbers`` names numbers).
    * ``reset_uids``: IMAP UIDs whose whole-message FETCH resets the connection instead
      (a failure of the connection while that message is read).
    * ``reset_header_uids``: IMAP UIDs whose header FETCH (``BODY.PEEK[HEADER]``) resets
      the connection (a failure of the connection while its headers are read).
    * ``strip``: IMAP capability names removed from every CAPABILITY list the server
      sends (greeting, login reply, CAPABILITY), e.g. ``{"UIDPLUS"}``.
    * ``uidl_as_number``: POP3 UIDLs replaced by ``num-<message number>``, as servers
      whose UIDLs are message numbers (reused once a message before them is deleted).

    ``failed`` lists what it failed (``("fetch", uid)``, ``("retr", number)``,
    ``("reset", uid)``). Bounded:
    at most ``max_connections`` sessions and ``lifetime`` seconds, then it stops by
    itself (and ``stop()``, or the end of a ``with`` block, stops it earlier); every
    socket has a timeout. Loopback only."""

    def __init__(
        self, port, protocol="imap", *, fail_uids=(), fail_uidls=(), fail_numbers=(),
        reset_uids=(), reset_header_uids=(), strip=(),
        answer="[UNAVAILABLE] Message damaged (test proxy)", lifetime=600,
        max_connections=200, timeout=60, uidl_as_number=False,
    ):  # fmt: skip
        self.target = (HOST, port)
        self.protocol = protocol
        self.fail_uids = {int(uid) for uid in fail_uids}
        self.fail_uidls = set(fail_uidls)
        self.fail_numbers = {int(number) for number in fail_numbers}
        self.reset_uids = {int(uid) for uid in reset_uids}
        self.reset_header_uids = {int(uid) for uid in reset_header_uids}
        self.strip = {name.upper().encode() for name in strip}
        self.uidl_as_number = uidl_as_number
        self.answer = answer.encode()
        self.lifetime = lifetime
        self.max_connections = max_connections
        self.timeout = timeout
        self.failed = []
        self.connections = 0
        self.host = HOST
        self.port = None
        self._listener = None
        self._sockets = []
        self._lock = threading.Lock()
        self._timer = None

    def start(self):
        self._listener = socket.create_server((HOST, 0))
        self._listener.settimeout(1.0)
        self.port = self._listener.getsockname()[1]
        self._timer = threading.Timer(self.lifetime, self.stop)
        self._timer.daemon = True
        self._timer.start()
        threading.Thread(target=self._accept, name=f"fault-proxy-{self.port}", daemon=True).start()
        return self

    def stop(self):
        if self._timer is not None:
            self._timer.cancel()
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def _accept(self):
        while self._listener is not None and self.connections < self.max_connections:
            try:
                client, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            try:
                upstream = socket.create_connection(self.target, timeout=self.timeout)
            except OSError:
                client.close()
                continue
            client.settimeout(self.timeout)
            with self._lock:
                self._sockets += [client, upstream]
            session = _ProxySession(self, client, upstream)
            for pump in (session.from_client, session.from_server):
                threading.Thread(target=pump, daemon=True).start()
        self.stop()

    def _record(self, what):
        with self._lock:
            self.failed.append(what)


class _ProxySession:
    """One proxied connection: two pumps, line by line (literals passed as they are)."""

    def __init__(self, proxy, client, upstream):
        self.proxy = proxy
        self.client = client
        self.upstream = upstream
        self.client_file = client.makefile("rb")
        self.server_file = upstream.makefile("rb")
        self.write_lock = threading.Lock()
        self.failing_tags = set()  # IMAP tags whose NOOP stands for a failed FETCH
        self.last_command = b""
        self.numbers = {}  # POP3 message number -> UIDL, from the session's UIDL

    def to_client(self, data):
        with self.write_lock:
            self.client.sendall(data)

    def _pump(self, source, sink, on_line):
        with contextlib.suppress(OSError, ValueError):
            while line := source.readline(1 << 20):
                out = on_line(line)
                if out:
                    sink(out)
                literal = _LITERAL.search(line) if self.proxy.protocol == "imap" else None
                if literal:
                    sink(source.read(int(literal[1])))
        for sock in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def from_client(self):
        self._pump(self.client_file, self.upstream.sendall, self._client_line)

    def from_server(self):
        self._pump(self.server_file, self.to_client, self._server_line)

    def _client_line(self, line):
        proxy = self.proxy
        if proxy.protocol == "imap":
            match = _FETCH_BODY.match(line)
            if match and int(match[2]) in proxy.reset_uids:
                proxy._record(("reset", int(match[2])))
                raise OSError("connection reset by the test proxy")
            header = _FETCH_HEADER.match(line)
            if header and int(header[2]) in proxy.reset_header_uids:
                proxy._record(("reset-header", int(header[2])))
                raise OSError("connection reset by the test proxy")
            if match and int(match[2]) in proxy.fail_uids:
                self.failing_tags.add(match[1])
                proxy._record(("fetch", int(match[2])))
                return match[1] + b" NOOP\r\n"
            return line
        self.last_command = line.strip().upper()
        match = _RETR.match(line.strip())
        if match:
            number = int(match[1])
            if number in proxy.fail_numbers or self.numbers.get(number) in proxy.fail_uidls:
                proxy._record(("retr", number))
                self.to_client(b"-ERR " + proxy.answer + b"\r\n")
                return None
        return line

    def _server_line(self, line):
        if self.proxy.protocol != "imap":
            if self.last_command == b"UIDL" and line[:1].isdigit():
                number, _sep, uidl = line.strip().partition(b" ")
                if self.proxy.uidl_as_number:
                    uidl = b"num-" + number
                    line = number + b" " + uidl + b"\r\n"
                self.numbers[int(number)] = uidl.decode("ascii", "replace")
            return line
        tag, _sep, rest = line.partition(b" ")
        if tag in self.failing_tags and rest[:2].upper() == b"OK":
            self.failing_tags.discard(tag)
            return tag + b" NO " + self.proxy.answer + b"\r\n"
        if self.proxy.strip:
            line = _CAPABILITY_LIST.sub(self._strip_capabilities, line)
        return line

    def _strip_capabilities(self, match):
        names = [n for n in match[2].split(b" ") if n.upper() not in self.proxy.strip]
        return match[1] + b" ".join(names)


# -- OAuth2: token endpoint and token introspection --------------------------------------------


@dataclass
class TokenRequest:
    """One request seen by :class:`OAuth2Endpoint` (secrets left out)."""

    path: str
    grant_type: str = ""
    client_id: str = ""
    status: int = 200
    error: str = ""


class _OAuth2Handler(http.server.BaseHTTPRequestHandler):
    """POST ``.../token`` (RFC 6749 section 6) and ``.../introspect`` (RFC 7662)."""

    def log_message(self, format, *args):  # quiet: the endpoint records requests itself
        return

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        form = {
            key: values[-1]
            for key, values in urllib.parse.parse_qs(body, keep_blank_values=True).items()
        }
        endpoint = self.server.endpoint
        path = urllib.parse.urlsplit(self.path).path
        if path.endswith("/introspect"):
            status, reply = endpoint._introspect(form)
        elif path.endswith("/token"):
            status, reply = endpoint._token(path, form, self.headers.get("Authorization"))
        else:
            status, reply = 404, {"error": "not_found"}
        data = json.dumps(reply).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)


class _ServerThread:
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


class _HttpServer(http.server.ThreadingHTTPServer):
    daemon_threads = True


class OAuth2Endpoint(_ServerThread):
    """A loopback OAuth2 authorization server for tests: it issues, refreshes, introspects
    and revokes bearer tokens, all in memory.

    * ``token_url`` (``POST .../token``): ``grant_type=refresh_token`` (or
      ``authorization_code`` with a code of ``issue_authorization_code``) with the client's
      ``client_id``/``client_secret`` (form fields or HTTP Basic) answers
      ``{"access_token", "token_type": "Bearer", "expires_in", "refresh_token"}`` (the same
      refresh token unless ``rotate_refresh_tokens``; ``refresh_token_expires_in`` too when
      ``refresh_lifetime`` is set), or RFC 6749 errors: ``invalid_client`` (401),
      ``invalid_grant`` (400, unknown or revoked refresh token or code),
      ``unsupported_grant_type``. Any path ending in ``/token`` works, so a client that
      appends ``token`` to a configurable base URL can be pointed here.
    * ``introspection_url`` (``POST .../introspect``, ``token=...``): what Dovecot's oauth2
      passdb asks; ``{"active": true, "username": login, "exp": ...}`` for a live access
      token, ``{"active": false}`` otherwise.

    ``requests`` lists every request (:class:`TokenRequest`, without secrets);
    ``fail_next(status, error)`` makes the next token request fail that way.
    """

    host = HOST
    thread_name = "oauth2"

    def __init__(self, access_lifetime=3600):
        self.access_lifetime = access_lifetime
        self.client_id = "hmt-client-" + secrets.token_hex(4)
        self.client_secret = secrets.token_urlsafe(18)
        self.rotate_refresh_tokens = False
        self.refresh_lifetime = None  # seconds announced as refresh_token_expires_in
        self.requests = []
        self._access = {}  # access token -> (login, expires_at)
        self._refresh = {}  # refresh token -> login
        self._codes = {}  # authorization code -> login
        self._failures = []
        self._lock = threading.Lock()
        self._server = None
        self._thread = None
        self.port = None

    # -- lifecycle -----------------------------------------------------------------------

    def _make_server(self):
        server = _HttpServer((HOST, 0), _OAuth2Handler)
        server.endpoint = self
        return server

    @property
    def url(self):
        return f"http://{HOST}:{self.port}"

    @property
    def token_url(self):
        return f"{self.url}/token"

    @property
    def introspection_url(self):
        return f"{self.url}/introspect"

    def dovecot_config(self):
        """The ``args`` file of Dovecot's oauth2 passdb, pointing at this endpoint."""
        return (
            f"introspection_url = {self.introspection_url}\n"
            "introspection_mode = post\n"
            "force_introspection = yes\n"
            "username_attribute = username\n"
            "active_attribute = active\n"
            "active_value = true\n"
            "timeout_msecs = 5000\n"
        )

    # -- tokens ----------------------------------------------------------------------------

    def issue_access_token(self, login, expires_in=None, token=None):
        """A new bearer token for ``login``, valid ``expires_in`` seconds (negative: expired);
        ``token`` chooses its text (e.g. as long as a real provider's JWT)."""
        token = token or "at-" + secrets.token_urlsafe(24)
        lifetime = self.access_lifetime if expires_in is None else expires_in
        with self._lock:
            self._access[token] = (login, time.time() + lifetime)
        return token

    def issue_refresh_token(self, login):
        """A new refresh token for ``login`` (valid until revoked)."""
        token = "rt-" + secrets.token_urlsafe(24)
        with self._lock:
            self._refresh[token] = login
        return token

    def issue_authorization_code(self, login):
        """A one-time code, as a provider's consent page returns it to the client's
        redirect URI; exchanged by ``grant_type=authorization_code``."""
        code = "ac-" + secrets.token_urlsafe(18)
        with self._lock:
            self._codes[code] = login
        return code

    def revoke(self, token):
        """Revoke an access or refresh token (as when the user withdraws the consent)."""
        with self._lock:
            self._access.pop(token, None)
            self._refresh.pop(token, None)

    def expire(self, token):
        """Make an access token expired (introspection answers inactive)."""
        with self._lock:
            if token in self._access:
                self._access[token] = (self._access[token][0], time.time() - 1)

    def is_active(self, token):
        with self._lock:
            login, expires_at = self._access.get(token, (None, 0))
        return login is not None and expires_at > time.time()

    def fail_next(self, status=503, error="temporarily_unavailable"):
        """The next token request is answered ``status`` with ``{"error": error}``."""
        with self._lock:
            self._failures.append((status, error))

    def token_requests(self, grant_type=None):
        """The token-endpoint requests seen so far (optionally of one grant type)."""
        return [
            request
            for request in self.requests
            if request.path != "introspect" and (grant_type in (None, request.grant_type))
        ]

    # -- request handling ----------------------------------------------------------------

    def _introspect(self, form):
        token = form.get("token", "")
        with self._lock:
            login, expires_at = self._access.get(token, (None, 0))
        active = login is not None and expires_at > time.time()
        self.requests.append(TokenRequest("introspect", error="" if active else "inactive"))
        if not active:
            return 200, {"active": False}
        return 200, {"active": True, "username": login, "exp": int(expires_at)}

    def _client_credentials(self, form, authorization):
        if authorization and authorization.lower().startswith("basic "):
            decoded = base64.b64decode(authorization[6:]).decode("utf-8", "replace")
            client_id, _sep, secret = decoded.partition(":")
            return urllib.parse.unquote_plus(client_id), urllib.parse.unquote_plus(secret)
        return form.get("client_id", ""), form.get("client_secret", "")

    def _token(self, path, form, authorization):
        client_id, client_secret = self._client_credentials(form, authorization)
        request = TokenRequest(path, grant_type=form.get("grant_type", ""), client_id=client_id)
        self.requests.append(request)
        status, reply = self._token_reply(request, form, client_id, client_secret)
        request.status, request.error = status, reply.get("error", "")
        return status, reply

    def _token_reply(self, request, form, client_id, client_secret):
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure:
            return failure[0], {"error": failure[1]}
        if client_id != self.client_id or not secrets.compare_digest(
            client_secret.encode(), self.client_secret.encode()
        ):
            return 401, {"error": "invalid_client", "error_description": "Unknown client."}
        if request.grant_type == "authorization_code":
            with self._lock:
                login = self._codes.pop(form.get("code", ""), None)  # single use
            if login is None:
                return 400, {"error": "invalid_grant", "error_description": "Unknown code."}
            refresh_token = self.issue_refresh_token(login)
        elif request.grant_type == "refresh_token":
            refresh_token = form.get("refresh_token", "")
            with self._lock:
                login = self._refresh.get(refresh_token)
            if login is None:
                return 400, {
                    "error": "invalid_grant",
                    "error_description": "The refresh token is invalid, expired or revoked.",
                }
            if self.rotate_refresh_tokens:
                self.revoke(refresh_token)
                refresh_token = self.issue_refresh_token(login)
        else:
            return 400, {"error": "unsupported_grant_type"}
        reply = {
            "access_token": self.issue_access_token(login),
            "token_type": "Bearer",
            "expires_in": self.access_lifetime,
            "refresh_token": refresh_token,
        }
        if self.refresh_lifetime is not None:
            reply["refresh_token_expires_in"] = self.refresh_lifetime
        return 200, reply


# -- SMTP sink ---------------------------------------------------------------------------------


@dataclass
class SinkMessage:
    """One message received by :class:`SmtpSink`."""

    mail_from: str
    rcpt_tos: list = field(default_factory=list)
    data: bytes = b""

    @property
    def message(self):
        """The data parsed as an ``email.message.EmailMessage``."""
        return email.message_from_bytes(self.data, policy=email.policy.default)


class _SmtpHandler(socketserver.StreamRequestHandler):
    """A minimal RFC 5321 server side: enough for smtplib and Odoo's ir.mail_server."""

    timeout = 30
    max_line = 65536

    def reply(self, text):
        self.wfile.write(text.encode() + b"\r\n")

    def handle(self):
        self.reply("220 localhost helpdesk_mail_ticket test sink ESMTP")
        self._reset()
        self.helo = None
        while True:
            line = self.rfile.readline(self.max_line)
            if not line:
                return
            verb, _sep, arg = line.decode("utf-8", "replace").rstrip("\r\n").partition(" ")
            method = getattr(self, "smtp_" + verb.upper(), None)
            if method is None:
                self.reply("502 5.5.2 Command not recognized")
            elif method(arg.strip()) == "quit":
                return

    def _reset(self):
        self.mail_from = None
        self.rcpt_tos = []

    def smtp_EHLO(self, arg):
        self.helo = arg
        self._reset()
        self.reply("250-localhost\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 104857600")

    def smtp_HELO(self, arg):
        self.helo = arg
        self._reset()
        self.reply("250 localhost")

    @staticmethod
    def _address(arg, keyword):
        if not arg.upper().startswith(keyword):
            return None
        rest = arg[len(keyword) :].strip()
        if rest.startswith("<"):
            return rest[1 : rest.find(">")] if ">" in rest else None
        return rest.split(" ")[0]

    def smtp_MAIL(self, arg):
        address = self._address(arg, "FROM:")
        if address is None:
            self.reply("501 5.5.4 Syntax: MAIL FROM:<address>")
            return
        self._reset()
        self.mail_from = address
        self.reply("250 2.1.0 OK")

    def smtp_RCPT(self, arg):
        address = self._address(arg, "TO:")
        if self.mail_from is None:
            self.reply("503 5.5.1 Need MAIL first")
        elif not address:
            self.reply("501 5.5.4 Syntax: RCPT TO:<address>")
        else:
            self.rcpt_tos.append(address)
            self.reply("250 2.1.5 OK")

    def smtp_DATA(self, arg):
        if not self.rcpt_tos:
            self.reply("503 5.5.1 Need RCPT first")
            return None
        self.reply("354 End data with <CR><LF>.<CR><LF>")
        lines = []
        while True:
            line = self.rfile.readline(self.max_line)
            if not line:
                return "quit"
            if line in (b".\r\n", b".\n"):
                break
            lines.append(line[1:] if line.startswith(b".") else line)
        self.server.sink._deliver(SinkMessage(self.mail_from, list(self.rcpt_tos), b"".join(lines)))
        self._reset()
        self.reply("250 2.0.0 OK queued")
        return None

    def smtp_RSET(self, arg):
        self._reset()
        self.reply("250 2.0.0 OK")

    def smtp_NOOP(self, arg):
        self.reply("250 2.0.0 OK")

    def smtp_VRFY(self, arg):
        self.reply("252 2.1.5 Cannot VRFY user")

    def smtp_QUIT(self, arg):
        self.reply("221 2.0.0 Bye")
        return "quit"


class _SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpSink(_ServerThread):
    """A threaded SMTP server on a free loopback port that keeps every message it receives.

    ``messages`` is a list of :class:`SinkMessage`; ``wait_for(n)`` blocks until at least
    ``n`` arrived and returns them (raises ``TimeoutError`` otherwise).
    """

    host = HOST
    thread_name = "smtp-sink"

    def __init__(self, port=0):
        self._requested_port = port
        self.port = None
        self.messages = []
        self._server = None
        self._thread = None
        self._arrived = threading.Condition()

    def _make_server(self):
        server = _SmtpServer((HOST, self._requested_port), _SmtpHandler)
        server.sink = self
        return server

    def clear(self):
        with self._arrived:
            self.messages.clear()

    def _deliver(self, message):
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()

    def wait_for(self, count, timeout=10):
        """Wait until ``count`` messages arrived; return a copy of ``messages``."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.messages) >= count, timeout):
                raise TimeoutError(
                    f"SMTP sink got {len(self.messages)} of {count} messages in {timeout}s"
                )
            return list(self.messages)
