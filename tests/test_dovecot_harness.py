"""The test harness itself: private Dovecot lifecycle, users, mailbox helpers, SMTP sink."""

import base64
import imaplib
import json
import os
import pathlib
import smtplib
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import mailharness.dovecot
import pytest
from conftest_dovecot import ROOT, new_mailbox, require_dovecot
from mailharness.common import HarnessError
from mailharness.dovecot import Dovecot
from mailharness.oauth2 import OAuth2Endpoint
from mailharness.smtp import SmtpSink

RAW = b"From: a@example.org\r\nSubject: hello\r\n\r\n.dot\r\nbody\r\n"


def test_harness_imports_no_odoo():
    """The harness is one package, a module per component, importable without Odoo."""
    code = (
        "import sys\n"
        "sys.modules['odoo'] = None\n"  # any 'import odoo' would now raise ImportError
        "sys.path.insert(0, 'helpdesk_mail_ticket')\n"
        "import mailsource\n"
        "from mailharness.dovecot import Dovecot\n"
        "from mailharness.oauth2 import OAuth2Endpoint\n"
        "from mailharness.smtp import SmtpSink\n"
        "from mailharness.proxy import FaultProxy\n"
        "from mailharness.certificates import make_certificates\n"
        "assert not [m for m, v in sys.modules.items() if m.startswith('odoo') and v]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_smtp_sink_needs_no_dovecot_module():
    """A component is usable alone: the SMTP sink does not load the Dovecot module."""
    code = (
        "import sys\n"
        "sys.path.insert(0, 'helpdesk_mail_ticket')\n"
        "from mailharness.smtp import SmtpSink\n"
        "assert 'mailharness.dovecot' not in sys.modules, sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_missing_dovecot_fails_unless_skip_is_asked(monkeypatch):
    monkeypatch.setattr(mailharness.dovecot, "available", lambda: False)
    monkeypatch.delenv("HMT_SKIP_DOVECOT", raising=False)
    with pytest.raises(pytest.fail.Exception, match="not installed"):
        require_dovecot()
    monkeypatch.setenv("HMT_SKIP_DOVECOT", "1")
    with pytest.raises(pytest.skip.Exception):
        require_dovecot()


def test_ports_are_loopback_and_tls_verifies(dovecot):
    ports = {dovecot.imap_port, dovecot.imaps_port, dovecot.pop3_port, dovecot.pop3s_port}
    assert len(ports) == 4
    context = ssl.create_default_context(cafile=dovecot.ca_file)
    for host in ("127.0.0.1", "localhost"):
        with imaplib.IMAP4_SSL(host, dovecot.imaps_port, ssl_context=context, timeout=5) as c:
            assert "AUTH=PLAIN" in c.capabilities
    with imaplib.IMAP4(dovecot.host, dovecot.imap_port, timeout=5) as client:
        assert "STARTTLS" in client.capabilities
        client.starttls(context)
    config = open(os.path.join(dovecot.workdir, "dovecot.conf")).read()
    assert "listen = 127.0.0.1\n" in config
    assert "/etc/dovecot" not in config


def test_users_and_mail_helpers(dovecot):
    box = new_mailbox(dovecot)
    first = dovecot.append(box.login, RAW)
    second = dovecot.append(box.login, RAW, flags=("\\Seen", "\\Flagged"))
    assert dovecot.uids(box.login) == [first, second]
    assert dovecot.fetch(box.login, first) == RAW
    assert dovecot.flags(box.login, first) == set()  # reading did not set \Seen
    assert dovecot.flags(box.login, second) == {"\\Seen", "\\Flagged"}
    dovecot.create_folder(box.login, "Archive/2024")
    dovecot.create_folder(box.login, "Entwürfe")
    uid = dovecot.append(box.login, RAW, folder="Entwürfe")
    assert dovecot.uids(box.login, "Entwürfe") == [uid]
    assert {"INBOX", "Archive/2024", "Entwürfe"} <= set(dovecot.folders(box.login))
    dovecot.delete_folder(box.login, "Archive/2024")
    assert "Archive/2024" not in dovecot.folders(box.login)
    with pytest.raises(KeyError):
        dovecot.fetch(box.login, 999)


def test_indexed_mailbox_filled_by_import(dovecot):
    """A user may keep its mail in Dovecot's indexed mdbox format (as large servers do),
    and a Maildir of files is imported into it in file-name order, flags kept."""
    login = "indexed-user@example.org"
    dovecot.add_user(login, "pw", mail_location="mdbox:~/mdbox")
    maildir = pathlib.Path(dovecot.workdir, "import-test")  # the mail user reads it
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    subjects = [f"kept {n}" for n in range(5)]
    for n, subject in enumerate(subjects):
        flags = "S" if n % 2 else ""
        raw = RAW.replace(b"hello", subject.encode())
        (maildir / "cur" / f"{1700000000 + n}.M{n}P1.test:2,{flags}").write_bytes(raw)
    dovecot.import_maildir(login, str(maildir))
    assert os.listdir(dovecot.maildir_home(login)) == ["mdbox"]
    assert dovecot.uids(login) == [1, 2, 3, 4, 5]
    for uid, subject in enumerate(subjects, start=1):
        assert subject.encode() in dovecot.fetch(login, uid)
        assert dovecot.flags(login, uid) == ({"\\Seen"} if uid % 2 == 0 else set())
    assert dovecot.append(login, RAW) == 6
    with imaplib.IMAP4(dovecot.host, dovecot.imap_port, timeout=5) as client:
        client.login(login, "pw")
        assert client.select("INBOX") == ("OK", [b"6"])


def test_password_change_and_removal_take_effect(dovecot):
    box = new_mailbox(dovecot)

    def login(password):
        with imaplib.IMAP4(dovecot.host, dovecot.imap_port, timeout=5) as client:
            try:
                return client.login(box.login, password)[0]
            except imaplib.IMAP4.error:
                return "NO"

    assert login(box.password) == "OK"
    dovecot.add_user(box.login, "changed-password")
    assert login(box.password) == "NO"
    assert login("changed-password") == "OK"
    assert dovecot.append(box.login, RAW)  # the harness does not need the password
    dovecot.remove_user(box.login)
    assert login("changed-password") == "NO"


@pytest.mark.parametrize("login", ["", "a b", "a:b", "a/b", "../x", "x*y", "hmt-master"])
def test_bad_logins_refused(dovecot, login):
    with pytest.raises(ValueError):
        dovecot.add_user(login, "pw")


def test_reset_uidvalidity_keeps_messages_and_flags(dovecot):
    box = new_mailbox(dovecot)
    dovecot.append(box.login, RAW)
    dovecot.append(box.login, RAW, flags=("\\Flagged",))
    dovecot.create_folder(box.login, "Sub folder")
    dovecot.append(box.login, RAW, folder="Sub folder")
    for folder in ("INBOX", "Sub folder"):
        before = dovecot.uidvalidity(box.login, folder)
        after = dovecot.reset_uidvalidity(box.login, folder)
        assert after != before
        assert dovecot.uidvalidity(box.login, folder) == after
    assert dovecot.uids(box.login) == [1, 2]
    assert dovecot.flags(box.login, 2) == {"\\Flagged"}


def test_private_server_lifecycle(tmp_path):
    """start/restart/stop of a separate server; a caller's workdir is kept, ports too."""
    require_dovecot()
    workdir = tmp_path / "dc"
    if os.geteuid() == 0:
        # Dovecot's unprivileged processes must reach the workdir; pytest's is 0700.
        with pytest.raises(HarnessError, match="o\\+x"):
            Dovecot(workdir=str(workdir)).start()
        for parent in (tmp_path, *tmp_path.parents):
            parent.chmod(parent.stat().st_mode | 0o005)
    server = Dovecot(workdir=str(workdir))
    with server:
        assert server.running
        server.add_user("keep@example.com", "pw")
        uid = server.append("keep@example.com", RAW)
        ports = (server.imap_port, server.imaps_port, server.pop3_port, server.pop3s_port)
        pid = server._process.pid
        server.restart()
        assert server._process.pid != pid
        assert (server.imap_port, server.imaps_port, server.pop3_port, server.pop3s_port) == ports
        assert server.fetch("keep@example.com", uid) == RAW
    assert not server.running
    assert workdir.is_dir()  # given by the caller: kept
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_temporary_workdir_removed_on_stop():
    require_dovecot()
    server = Dovecot().start()
    workdir = server.workdir
    assert os.path.isdir(os.path.join(workdir, "mail"))
    assert "Dovecot" in server.log_tail() or os.path.exists(server.log_file)
    server.stop()
    assert not os.path.exists(workdir)
    server.stop()  # idempotent


def test_smtp_sink_collects_messages():
    with SmtpSink() as sink:
        with smtplib.SMTP(sink.host, sink.port, timeout=5) as client:
            assert client.ehlo()[0] == 250
            assert client.noop()[0] == 250
            client.sendmail("a@example.org", ["b@example.com", "c@example.com"], RAW)
            client.mail("x@example.org")
            client.rcpt("lost@example.com")
            client.rset()
            client.sendmail("<>", ["d@example.com"], b"Subject: two\r\n\r\n..\r\n")
            assert client.docmd("BOGUS")[0] == 502
        first, second = sink.wait_for(2)
        assert first.mail_from == "a@example.org"
        assert first.rcpt_tos == ["b@example.com", "c@example.com"]
        assert first.data == RAW  # dot-stuffing undone
        assert first.message["Subject"] == "hello"
        assert second.mail_from in {"<>", ""}
        assert second.rcpt_tos == ["d@example.com"]
        assert second.data == b"Subject: two\r\n\r\n..\r\n"
        with pytest.raises(TimeoutError):
            sink.wait_for(3, timeout=0.2)
        sink.clear()
        assert sink.messages == []


def test_smtp_sink_protocol_errors():
    with SmtpSink() as sink, smtplib.SMTP(sink.host, sink.port, timeout=5) as client:
        client.helo("me")
        assert client.docmd("RCPT TO:<a@b>")[0] == 503
        assert client.docmd("DATA")[0] == 503
        assert client.docmd("MAIL", "nonsense")[0] == 501
        assert sink.messages == []


def _post(url, **form):
    data = urllib.parse.urlencode(form).encode()
    try:
        with urllib.request.urlopen(url, data=data, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_oauth2_endpoint_grants_introspects_and_revokes():
    with OAuth2Endpoint(access_lifetime=600) as endpoint:
        assert endpoint.token_url.startswith("http://127.0.0.1:")
        refresh = endpoint.issue_refresh_token("who@example.com")
        client = {"client_id": endpoint.client_id, "client_secret": endpoint.client_secret}
        status, reply = _post(
            endpoint.token_url, grant_type="refresh_token", refresh_token=refresh, **client
        )
        assert status == 200
        assert (reply["token_type"], reply["expires_in"]) == ("Bearer", 600)
        assert reply["refresh_token"] == refresh
        status, info = _post(endpoint.introspection_url, token=reply["access_token"])
        assert info["active"] is True and info["username"] == "who@example.com"
        endpoint.expire(reply["access_token"])
        assert _post(endpoint.introspection_url, token=reply["access_token"])[1] == {
            "active": False
        }
        # HTTP Basic client authentication works too; a wrong secret does not.
        basic = base64.b64encode(f"{endpoint.client_id}:nope".encode()).decode()
        request = urllib.request.Request(
            endpoint.url + "/any/prefix/token",
            data=urllib.parse.urlencode(
                {"grant_type": "refresh_token", "refresh_token": refresh}
            ).encode(),
            headers={"Authorization": f"Basic {basic}"},
        )
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(request, timeout=5)
        assert error.value.code == 401
        endpoint.revoke(refresh)
        status, reply = _post(
            endpoint.token_url, grant_type="refresh_token", refresh_token=refresh, **client
        )
        assert (status, reply["error"]) == (400, "invalid_grant")
        endpoint.fail_next(503)
        assert _post(endpoint.token_url, grant_type="refresh_token", **client)[0] == 503
        assert [r.error for r in endpoint.token_requests("refresh_token")] == [
            "", "invalid_client", "invalid_grant", "temporarily_unavailable"
        ]  # fmt: skip
        code = endpoint.issue_authorization_code("who@example.com")
        grant = {"grant_type": "authorization_code", "code": code, **client}
        status, reply = _post(endpoint.token_url, **grant)
        assert status == 200 and reply["refresh_token"].startswith("rt-")
        assert _post(endpoint.token_url, **grant)[1]["error"] == "invalid_grant"  # single use


def _xoauth2(client, login, token):
    replies = []

    def answer(challenge):
        replies.append(challenge)
        # Dovecot answers a refused token with a JSON challenge; the client must send "".
        return b"" if len(replies) > 1 else f"user={login}\x01auth=Bearer {token}\x01\x01"

    return client.authenticate("XOAUTH2", answer)


def test_dovecot_oauth2_mode_checks_tokens_at_the_endpoint(dovecot, oauth2_dovecot):
    with imaplib.IMAP4(dovecot.host, dovecot.imap_port, timeout=5) as client:
        assert "AUTH=XOAUTH2" not in client.capabilities  # off by default
    box = new_mailbox(oauth2_dovecot)
    box.append(RAW)
    token = oauth2_dovecot.oauth2.issue_access_token(box.login)
    with imaplib.IMAP4(oauth2_dovecot.host, oauth2_dovecot.imap_port, timeout=5) as client:
        assert "AUTH=XOAUTH2" in client.capabilities
        assert _xoauth2(client, box.login, token)[0] == "OK"
        assert client.select()[1] == [b"1"]
    for bad_login, bad_token in (("other@example.com", token), (box.login, "unknown")):
        with imaplib.IMAP4(oauth2_dovecot.host, oauth2_dovecot.imap_port, timeout=5) as client:
            with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
                _xoauth2(client, bad_login, bad_token)
    with imaplib.IMAP4(oauth2_dovecot.host, oauth2_dovecot.imap_port, timeout=5) as client:
        assert client.login(box.login, box.password)[0] == "OK"  # passwords still work


_OWNER_SCRIPT = """
import signal, sys, time
sys.path.insert(0, "helpdesk_mail_ticket")
from mailharness.dovecot import Dovecot
# Ctrl-C's KeyboardInterrupt, as in a terminal: a suite started in the background by a
# shell (`cmd &`, setsid) inherits SIGINT ignored, and this owner would never end on it.
signal.signal(signal.SIGINT, signal.default_int_handler)
if sys.argv[1] == "own-handler":  # as Odoo's server does in its process
    signal.signal(signal.SIGTERM, lambda number, frame: print("own handler", flush=True))
server = Dovecot().start()
try:  # entered before the parent reads the line: a signal right after it is inside
    print(server._process.pid, server.workdir, flush=True)
    time.sleep(120)
finally:
    print("finally", flush=True)
"""


# How long an owner may take to end once told to: the harness's stop alone may wait 10 s
# for Dovecot after SIGTERM and 10 s more after SIGKILL. A bound for a hang, not a speed.
OWNER_END_TIMEOUT = 30


def _start_owner(mode):
    """A process owning a harness Dovecot (as tools/demo.py or bench/run do); returns
    it and its Dovecot's (master pid, workdir)."""
    owner = subprocess.Popen(
        [sys.executable, "-c", _OWNER_SCRIPT, mode],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    pid, workdir = owner.stdout.readline().split()
    return owner, int(pid), workdir


def _group_alive(pgid, settle=0):
    """Whether any process of Dovecot's process group (its own session) is left, after
    up to ``settle`` seconds for the killed ones to be reaped (a process killed stays
    in its group until its parent, init for an orphan, reaps it)."""
    deadline = time.monotonic() + settle
    while True:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        if time.monotonic() >= deadline:
            return True
        time.sleep(0.1)


def _kill_left(pgid, workdir):
    """What a failed test leaves: its Dovecot (a group this test started) and files."""
    if _group_alive(pgid):
        os.killpg(pgid, 9)
    subprocess.run(["rm", "-rf", workdir], check=False)


@pytest.mark.parametrize("signum", [15, 1])  # SIGTERM (timeout, kill), SIGHUP
def test_a_signal_to_the_owner_stops_its_dovecot(signum):
    """``timeout`` or ``kill`` ending the demo or bench/run (SIGTERM), or its terminal
    closing (SIGHUP): its Dovecot, in a session of its own, got no signal and was left
    running, ports and temporary folder with it."""
    require_dovecot()
    owner, pid, workdir = _start_owner("default")
    try:
        owner.send_signal(signum)
        owner.wait(timeout=OWNER_END_TIMEOUT)
        assert owner.stdout.read().strip() == "finally", "the owner's cleanup ran"
        assert not _group_alive(pid, settle=10), "Dovecot outlived its owner"
        assert not os.path.exists(workdir)
    finally:
        _kill_left(pid, workdir)


def test_the_owners_own_signal_handler_is_kept():
    """A process that handles SIGTERM itself (Odoo's server, whose tests start the
    harness) keeps its handler: the harness installs one only where none is."""
    require_dovecot()
    owner, pid, workdir = _start_owner("own-handler")
    try:
        owner.send_signal(15)
        assert owner.stdout.readline().strip() == "own handler"
        assert owner.poll() is None, "the owner decides when it ends"
        assert _group_alive(pid)
        owner.send_signal(2)  # SIGINT: KeyboardInterrupt, the owner's own cleanup
        owner.wait(timeout=OWNER_END_TIMEOUT)
        assert not _group_alive(pid, settle=10)
    finally:
        _kill_left(pid, workdir)


_PYTEST_SESSION = """
import pathlib, sys, time
sys.path.insert(0, "helpdesk_mail_ticket")
from mailharness.dovecot import Dovecot

MARK = pathlib.Path(__file__).with_name("ran-on")


def test_first_owns_a_dovecot():
    server = Dovecot().start()
    print(server._process.pid, server.workdir, flush=True)
    time.sleep(120)


def test_second_must_not_run_after_the_signal():
    MARK.write_text("the session went on after SIGTERM")
"""


def test_a_sigterm_to_a_pytest_session_owning_a_dovecot_ends_it(tmp_path):
    """``timeout`` sending SIGTERM to a pytest run (this suite's own Dovecot fixture
    starts the harness in pytest's process) must end the run, its Dovecot stopped.
    A SystemExit raised inside a test is only a failed test to pytest, which goes on
    with the next ones: the SIGTERM no longer ended the session."""
    require_dovecot()
    module = tmp_path / "test_owner_session.py"
    module.write_text(_PYTEST_SESSION)
    mark = tmp_path / "ran-on"
    session = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), str(module)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    words = []
    while len(words) != 2 or not words[0].isdigit():
        line = session.stdout.readline()
        assert line, "the session printed no Dovecot"
        words = line.split()
    pid, workdir = int(words[0]), words[1]
    try:
        session.send_signal(15)
        session.wait(timeout=60)
        session.stdout.read()
        assert not mark.exists(), "the pytest session went on after SIGTERM"
        assert session.returncode != 0
        assert not _group_alive(pid, settle=10), "Dovecot outlived its owner"
    finally:
        if session.poll() is None:
            session.kill()
        _kill_left(pid, workdir)
