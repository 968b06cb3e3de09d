"""A private Dovecot (IMAP, IMAPS, POP3, POP3S) on loopback, for tests.

Part of :mod:`mailharness` (imports no Odoo).

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
import imaplib
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import weakref

from .certificates import make_certificates
from .common import HOST, HarnessError, exit_on_signals, free_ports
from .oauth2 import OAuth2Endpoint

DOVECOT_BINARY = "/usr/sbin/dovecot"
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
        self._mail_locations = {}
        self._pop3_locks = {}
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
        # Before the daemon exists: a SIGTERM to this process stops it (see
        # exit_on_signals; a process handling the signal itself keeps its handler).
        exit_on_signals()
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
        return f"""# Generated by helpdesk_mail_ticket/mailharness/dovecot.py - test use only.
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

    def add_user(self, login, password, mail_location=None, pop3_lock=False):
        """Create (or change the password of) a mailbox user; effective immediately.

        :param mail_location: this user's Dovecot ``mail`` setting instead of the server's
            ``maildir:~/Maildir``, e.g. ``"mdbox:~/mdbox"`` (Dovecot's indexed format, as
            large production servers store mail); see :meth:`import_maildir`.
        :param pop3_lock: lock the mailbox for one POP3 session at a time, as RFC 1939
            has a server do (``pop3_lock_session``): a second POP3 login is refused
            while a session is open.
        """
        if not login or _FORBIDDEN_LOGIN_CHARS.search(login) or login.startswith("."):
            raise ValueError(f"unsupported test login {login!r}")
        if MASTER_LOGIN == login:
            raise ValueError(f"{login!r} is reserved by the harness")
        known = login in self._users
        self._users[login] = password
        self._mail_locations[login] = mail_location
        self._pop3_locks[login] = pop3_lock
        if self._prepared:
            self._write_user(login)
            if known:
                self._settle()

    def remove_user(self, login):
        """Forget a user (its mail stays on disk until stop)."""
        self._mail_locations.pop(login, None)
        self._pop3_locks.pop(login, None)
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
        location = self._mail_locations.get(login)
        extra = " ".join(
            field
            for field, wanted in (
                (f"userdb_mail={location}", location),
                ("userdb_pop3_lock_session=yes", self._pop3_locks.get(login)),
            )
            if wanted
        )
        path = self._path("users", login)
        with open(path + ".tmp", "w") as handle:
            handle.write(
                f"{login}:{{PLAIN.b64}}{encoded}:{self._uid}:{self._gid}::"
                f"{self.maildir_home(login)}::{extra}\n"
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

    def import_maildir(self, login, maildir):
        """Copy every message of the Maildir ``maildir`` (``cur/``, ``new/``), flags
        included, into the INBOX of ``login`` with ``doveadm import``: whatever the user's
        mail format, in the Maildir's UID order (its file names' order), without IMAP.
        ``maildir`` must be where the mail user can reach it (under ``workdir``, say).
        100,000 small messages into ``mdbox`` take seconds."""
        subprocess.run(["chown", "-R", f"{self._uid}:{self._gid}", maildir], check=True)
        doveadm = shutil.which("doveadm") or "/usr/bin/doveadm"
        command = [doveadm, "-c", self._path("dovecot.conf"), "import", "-u", login]
        result = subprocess.run(
            [*command, f"maildir:{maildir}", "", "mailbox", "INBOX"],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise HarnessError(f"doveadm import failed: {result.stderr[-2000:]}")

    def kick(self, login):
        """End every open session of ``login`` from the server's side (``doveadm kick``),
        as an administrator, an idle timeout or a restart does: the client is told BYE
        and its connection is closed. Returns once Dovecot has kicked them."""
        doveadm = shutil.which("doveadm") or "/usr/bin/doveadm"
        result = subprocess.run(
            [doveadm, "-c", self._path("dovecot.conf"), "kick", login],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise HarnessError(f"doveadm kick failed: {result.stderr[-2000:]}")
        return result.stdout

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

    def set_uidvalidity(self, login, folder, uidvalidity):
        """Give ``folder`` the UIDVALIDITY ``uidvalidity`` (``doveadm mailbox update``),
        keeping its messages and UIDs: as another folder or server may have the same
        one (servers numbering from 1, folders made in the same second)."""
        doveadm = shutil.which("doveadm") or "/usr/bin/doveadm"
        result = subprocess.run(
            [doveadm, "-c", self._path("dovecot.conf"), "mailbox", "update", "-u", login,
             "--uid-validity", str(int(uidvalidity)), mutf7(folder)],
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        if result.returncode:
            raise HarnessError(f"doveadm mailbox update failed: {result.stderr[-2000:]}")
        if self.uidvalidity(login, folder) != int(uidvalidity):
            raise HarnessError(f"UIDVALIDITY of {folder} is not {uidvalidity}")

    def expunge(self, login, uid, folder="INBOX"):
        """Remove the message ``uid`` of ``folder`` (``doveadm expunge``), as another
        client deleting it: the folder's UIDNEXT stays, its count goes down."""
        doveadm = shutil.which("doveadm") or "/usr/bin/doveadm"
        result = subprocess.run(
            [doveadm, "-c", self._path("dovecot.conf"), "expunge", "-u", login,
             "mailbox", mutf7(folder), "uid", str(int(uid))],
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        if result.returncode:
            raise HarnessError(f"doveadm expunge failed: {result.stderr[-2000:]}")

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
