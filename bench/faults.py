#!/usr/bin/env python3
"""Fault injection: SIGKILL real Odoo processes while they turn real mailboxes into tickets.

The engine behind ``tests/test_odoo_process_faults.py`` (a bounded run in the suite) and a
long run from the command line::

    python3 bench/faults.py --messages 3000 --kills 40 --seed 7

What one run does:

1. creates a PostgreSQL database with the addon installed (``odoo -i helpdesk_mail_ticket``);
2. starts a private Dovecot with two mailboxes: one read over IMAP, kept on the server,
   one read over POP3, deleted once processed; fills them with generated mail (new
   requests, replies threading by In-Reply-To, unknown senders that end in error,
   auto-replies that are undesired, attachments, a few messages sent to both mailboxes);
3. runs ``odoo helpdesk_fetch`` subprocesses and SIGKILLs each at a random moment
   (seeded), appending more mail between runs, until the planned kills are done and a
   run completes by itself;
4. checks, with SQL on the database and IMAP/POP3 on the server, that every message
   delivered has exactly one ledger row per mailbox with the expected final outcome,
   that every ticket was created once, every update landed once, and that the server
   holds exactly what the storage policy says.

It prints ``runs, kills, messages, lost, duplicated, stalled``; all three must be 0
(stalled: a message still not in an end state once the ledger's attempts are spent).
Nothing of Odoo is mocked: these are the processes an administrator runs.
"""

import argparse
import contextlib
import importlib.util
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDON = "helpdesk_mail_ticket"
# The test servers (helpdesk_mail_ticket/mailharness), on the path the pure tests have too
# (pythonpath of pyproject.toml).
sys.path.append(str(ROOT / ADDON))
from mailharness.dovecot import Dovecot  # noqa: E402
from mailharness.proxy import FaultProxy  # noqa: E402

DB_HOST = os.environ.get("HMT_DB_HOST", "127.0.0.1")
DB_PORT = os.environ.get("HMT_DB_PORT", "5432")
DB_USER = os.environ.get("HMT_DB_USER", "root")


def load_module(name, path):
    """A module loaded by file path (a script of this repository outside any package)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def addons_path():
    """Odoo's addons path with this repository, or None when Odoo is not importable."""
    run_tests = load_module("hmt_run_tests", ROOT / "tools" / "run_tests.py")
    return run_tests.odoo_paths()


# -- the mail ---------------------------------------------------------------------------------


@dataclass
class Mail:
    """One generated email and what the database must end with for it."""

    message_id: str  # without angle brackets
    kind: str  # created | updated | error | undesired
    raw: bytes
    root: str = ""  # for an update: Message-ID of the email that created its ticket
    boxes: list = field(default_factory=list)  # mailbox logins it is delivered to


class Corpus:
    """Generated mail for the known callers, seeded."""

    def __init__(self, rng, callers, prefix, reply_ratio=0.25):
        self.rng = rng
        self.reply_ratio = reply_ratio
        self.callers = callers
        self.prefix = prefix
        self.mails = []
        self._threads = []  # Message-IDs that a reply may answer, with their root

    def generate(self, count):
        """``count`` more mails: ~10% unknown senders, ~10% auto-replies, replies (25% by
        default), and new requests."""
        batch = []
        for _index in range(count):
            roll = self.rng.random()
            if roll < 0.1:
                mail = self._new(self._stranger(), "error")
            elif roll < 0.2:
                mail = self._auto_reply()
            elif roll < 0.2 + self.reply_ratio and self._threads:
                mail = self._reply()
            else:
                mail = self._new(self.rng.choice(self.callers), "created")
            self.mails.append(mail)
            batch.append(mail)
        return batch

    def _number(self):
        return len(self.mails) + 1

    def _message(self, sender, subject, body, message_id, headers=None, attachment=False):
        message = EmailMessage()
        message["From"] = sender
        message["To"] = "support@helpdesk.example"
        message["Subject"] = subject
        message["Date"] = format_datetime(time_of(self._number()))
        message["Message-ID"] = f"<{message_id}>"
        for name, value in (headers or {}).items():
            message[name] = value
        message.set_content(body)
        if attachment:
            data = self.rng.randbytes(self.rng.randint(200, 4000))
            message.add_attachment(
                data, maintype="application", subtype="octet-stream", filename="data.bin"
            )
        return message.as_bytes()

    def _msgid(self):
        return make_msgid(idstring=f"{self.prefix}.{self._number()}", domain="client.example")[1:-1]

    def _stranger(self):
        return f"stranger{self.rng.randint(1, 10**6)}@unknown.example"

    def _new(self, sender, kind):
        number = self._number()
        message_id = self._msgid()
        raw = self._message(
            sender,
            f"Request {self.prefix}-{number}: printer {self.rng.randint(1, 99)} broken",
            f"Request number {number}.\nThe printer prints blank pages.\n",
            message_id,
            attachment=self.rng.random() < 0.2,
        )
        mail = Mail(message_id, kind, raw, root=message_id if kind == "created" else "")
        if kind == "created":
            self._threads.append((message_id, message_id, sender))
        return mail

    def _reply(self):
        parent, root, sender = self.rng.choice(self._threads)
        message_id = self._msgid()
        raw = self._message(
            sender,
            f"Re: request {self.prefix}-{self._number()}",
            f"More details, message {self._number()}.\n\n> quoted text of the previous mail\n",
            message_id,
            headers={"In-Reply-To": f"<{parent}>", "References": f"<{root}> <{parent}>"},
            attachment=self.rng.random() < 0.1,
        )
        self._threads.append((message_id, root, sender))
        return Mail(message_id, "updated", raw, root=root)

    def _auto_reply(self):
        message_id = self._msgid()
        raw = self._message(
            self.rng.choice(self.callers),
            "Out of office",
            "I am away until Monday.\n",
            message_id,
            headers={"Auto-Submitted": "auto-replied"},
        )
        return Mail(message_id, "undesired", raw)


def poison_mail(sender, message_id, parts):
    """A mail from a known caller with ``parts`` tiny attachments: seconds to process."""
    files = b"".join(
        b"--p\r\nContent-Type: application/octet-stream\r\n"
        b'Content-Disposition: attachment; filename="f%d.bin"\r\n\r\nx%d\r\n' % (n, n)
        for n in range(parts)
    )
    return (
        (
            f"From: {sender}\r\nTo: support@helpdesk.example\r\nSubject: Heavy mail\r\n"
            f"Message-ID: <{message_id}>\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="p"\r\n\r\n'
            "--p\r\nContent-Type: text/plain\r\n\r\nSee the attached files.\r\n"
        ).encode()
        + files
        + b"--p--\r\n"
    )


def time_of(number):
    import datetime

    start = datetime.datetime(2026, 1, 5, 8, 0, tzinfo=datetime.timezone.utc)
    return start + datetime.timedelta(minutes=number)


# -- Odoo processes ---------------------------------------------------------------------------


class OdooDatabase:
    """A database with the addon installed, reached by Odoo subprocesses and psycopg2."""

    # The module installed (a sibling script installs a bridge with it).
    install = ADDON

    def __init__(self, name, addons, workdir):
        self.name = name
        self.addons = addons
        self.data_dir = os.path.join(workdir, "odoo-data")
        self.log_dir = os.path.join(workdir, "logs")
        os.makedirs(self.log_dir, exist_ok=True)
        self._logs = 0

    def db_args(self):
        return [
            f"--db_host={DB_HOST}",
            f"--db_port={DB_PORT}",
            f"--db_user={DB_USER}",
            f"--data-dir={self.data_dir}",
        ]

    def create(self, timeout=600):
        self.drop()
        command = [
            sys.executable, "-m", "odoo", f"--addons-path={self.addons}", "-d", self.name,
            "-i", self.install, "--stop-after-init", "--without-demo=all", "--log-level=warn",
            "--workers=0", "--max-cron-threads=0", "--http-port=0", *self.db_args(),
        ]  # fmt: skip
        result = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode:
            raise RuntimeError(
                f"installing {self.install} failed:\n{result.stdout}\n{result.stderr}"
            )

    def drop(self):
        # --force: the backend of a worker killed a moment ago may still hold a session.
        host = ["-h", DB_HOST, "-p", DB_PORT, "-U", DB_USER]
        subprocess.run(
            ["dropdb", "--if-exists", "--force", *host, self.name], check=False, capture_output=True
        )

    def connect(self):
        import psycopg2

        return psycopg2.connect(host=DB_HOST, port=DB_PORT, user=DB_USER, dbname=self.name)

    def script(self, code, payload, timeout=300):
        """Run ``code`` in a Python process with an Odoo environment ``env`` (superuser)
        and the JSON ``payload`` as ``data``; returns what it printed last, parsed."""
        program = SCRIPT_PRELUDE + code
        result = subprocess.run(
            [sys.executable, "-c", program, json.dumps(payload)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env=dict(os.environ, HMT_SCRIPT_ARGS=json.dumps(self._config_args())),
        )
        if result.returncode:
            raise RuntimeError(f"Odoo script failed:\n{result.stdout}\n{result.stderr}")
        return json.loads(result.stdout.strip().splitlines()[-1])

    def _config_args(self):
        return [f"--addons-path={self.addons}", "-d", self.name, *self.db_args()]

    def fetch_command(self):
        return [
            sys.executable, "-m", "odoo", f"--addons-path={self.addons}", "helpdesk_fetch",
            "-d", self.name, *self.db_args(), "--log-level=warn",
        ]  # fmt: skip

    def start_fetch(self):
        """A ``helpdesk_fetch`` process in its own process group (killed as a whole)."""
        self._logs += 1
        log = open(os.path.join(self.log_dir, f"fetch-{self._logs:03d}.log"), "wb")
        process = subprocess.Popen(
            self.fetch_command(),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        process.log = log
        return process

    def failed_logs(self):
        """The tails of the fetch logs that report a failure or a traceback."""
        tails = []
        for name in sorted(os.listdir(self.log_dir)):
            with open(os.path.join(self.log_dir, name), encoding="utf-8", errors="replace") as f:
                text = f.read()
            if "FAILED" in text or "Traceback" in text:
                tails.append(f"== {name}\n{text[-3000:]}")
        return "\n".join(tails)

    def last_log(self):
        path = os.path.join(self.log_dir, f"fetch-{self._logs:03d}.log")
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()[-4000:]


SCRIPT_PRELUDE = """
import json, os, sys
import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools import config
config.parse_config(json.loads(os.environ["HMT_SCRIPT_ARGS"]))
data = json.loads(sys.argv[1])
registry = odoo.modules.registry.Registry(config["db_name"])
with registry.cursor() as cr:
    env = api.Environment(cr, SUPERUSER_ID, {})
"""

SETUP_CODE = """
    # Forty callers make thousands of tickets within minutes: above the mail gateway's
    # per-sender loop threshold (20 in 2 hours), which is not what is measured here.
    env["ir.config_parameter"].set_param("mail.gateway.loop.threshold", "0")
    for email in data["callers"]:
        env["res.partner"].create({"name": email.split("@")[0], "email": email})
    ids = [env["mail.inbox"].create(vals).id for vals in data["inboxes"]]
    cr.commit()
    print(json.dumps(ids))
"""


def kill_group(process):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    process.log.close()


# -- the experiment ---------------------------------------------------------------------------


class Experiment:
    """Two mailboxes, one database, fetch processes killed at random moments."""

    # The addons of this repository copied for the run, and the database's class (a
    # sibling script runs a bridge too).
    snapshot_addons = (ADDON,)
    database_class = OdooDatabase

    def __init__(
        self,
        messages,
        kills,
        seed,
        min_delay=1.0,
        max_delay=6.0,
        verbose=False,
        reply_ratio=0.25,
        shared_ratio=0.05,
    ):
        self.total = messages
        self.reply_ratio = reply_ratio
        self.shared_ratio = shared_ratio
        self.kills_planned = kills
        self.rng = random.Random(seed)
        self.min_delay = min_delay
        self.max_delay = max_delay
        self.verbose = verbose
        self.workdir = tempfile.mkdtemp(prefix="hmt-faults-")
        self.dovecot = None
        self.db = None
        self.boxes = {}  # login -> {"protocol": ..., "inbox_id": ...}
        self.corpus = None
        self.runs = self.kills = 0
        self.stalled = []  # messages a scenario found not in an end state in time

    def log(self, text):
        if self.verbose:
            print(text, flush=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if self.dovecot:
            self.dovecot.stop()
        if self.db and not os.environ.get("HMT_KEEP_DB"):
            self.db.drop()
        if not exc_info[0]:
            shutil.rmtree(self.workdir, ignore_errors=True)
        else:
            print(f"fault injection: logs kept in {self.workdir}", file=sys.stderr)

    def setup(self, addons):
        # The addon as it is now: other work on the checkout must not change the code
        # under test between the installation and the last fetch process.
        snapshot = os.path.join(self.workdir, "addons")
        for name in self.snapshot_addons:
            shutil.copytree(
                ROOT / name,
                os.path.join(snapshot, name),
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )
        addons = ",".join([snapshot] + [p for p in addons.split(",") if Path(p) != ROOT])
        server = Dovecot()
        self.dovecot = server.start()
        suffix = f"{os.getpid()}{self.rng.randint(0, 9999)}"
        self.db = self.database_class(f"hmt_faults_{suffix}", addons, self.workdir)
        started = time.monotonic()
        self.db.create()
        self.log(f"database {self.db.name} installed in {time.monotonic() - started:.0f} s")
        callers = [f"caller{n}@customer{n % 7}.example" for n in range(1, 41)]
        inboxes = []
        for protocol, storage in (("imap", "keep"), ("pop3", "delete")):
            login = f"{protocol}-{suffix}@helpdesk.example"
            password = f"pw-{self.rng.getrandbits(64):x}"
            server.add_user(login, password)
            port = server.imap_port if protocol == "imap" else server.pop3_port
            self.boxes[login] = {"protocol": protocol, "storage": storage}
            inboxes.append(
                {
                    "name": f"faults-{protocol}",
                    "server": server.host,
                    "protocol": protocol,
                    "security": "none",
                    "port": port,
                    "login": login,
                    "password": password,
                    "email_storage": storage,
                    "unknown_caller_behavior": "reject_email",
                }
            )
        ids = self.db.script(SETUP_CODE, {"callers": callers, "inboxes": inboxes})
        for login, inbox_id in zip(self.boxes, ids, strict=True):
            self.boxes[login]["inbox_id"] = inbox_id
        self.corpus = {
            login: Corpus(self.rng, callers, box["protocol"], self.reply_ratio)
            for login, box in self.boxes.items()
        }

    def deliver(self, count):
        """Generate and deliver ``count`` more mails, split over the mailboxes; some of
        the IMAP mailbox's new requests (``shared_ratio``) also reach the POP3 one."""
        logins = list(self.boxes)
        per_box = {login: count // len(logins) for login in logins}
        per_box[logins[0]] += count - sum(per_box.values())
        for login in logins:
            batch = self.corpus[login].generate(per_box[login])
            self._append(login, batch)
            if login == logins[0]:
                ratio = self.shared_ratio
                shared = [m for m in batch if m.kind == "created" and self.rng.random() < ratio]
                self._append(logins[1], shared)

    def _append(self, login, mails):
        if not mails:
            return
        with self.dovecot.imap(login) as client:
            for mail in mails:
                typ, data = client.append("INBOX", None, None, mail.raw)
                if typ != "OK":
                    raise RuntimeError(f"APPEND failed: {data!r}")
                mail.boxes.append(login)

    def torture(self):
        """Run fetch processes, SIGKILL each at a random moment until the planned kills
        are done, appending mail between runs; then let runs finish until one ends
        cleanly. Half the kills fall at a random time (start-up, listing, server-side
        deletes included), half right after a random number of messages were committed
        (in the middle of processing)."""
        initial = int(self.total * 0.4)
        self.deliver(initial)
        remaining = self.total - initial
        per_run = max(1, remaining // max(1, self.kills_planned))
        while self.kills < self.kills_planned:
            process = self.db.start_fetch()
            self.runs += 1
            if self.rng.random() < 0.5:
                killed, how = self._kill_after_delay(process)
            else:
                killed, how = self._kill_after_progress(process)
            if killed:
                self.kills += 1
            self.log(f"run {self.runs}: {how}")
            batch = min(per_run, remaining)
            self.deliver(batch)
            remaining -= batch
        self.deliver(remaining)
        return self.finish()

    def race(self, rounds, processes=2, timeout=600):
        """Start ``processes`` fetch processes at once on the same inboxes, ``rounds``
        times, with new mail before each round; returns their exit codes."""
        codes = []
        per_round = self.total // rounds
        for index in range(rounds):
            self.deliver(per_round if index < rounds - 1 else self.total - per_round * index)
            started = [self.db.start_fetch() for _worker in range(processes)]
            self.runs += processes
            for process in started:
                try:
                    process.wait(timeout=timeout)
                finally:
                    kill_group(process)
                codes.append(process.returncode)
            self.log(f"round {index + 1}: exit codes {codes[-processes:]}")
        return codes

    def poison(self, kills=3, parts=10_000, before=0):
        """A mail that takes seconds to process (``parts`` MIME parts), delivered with
        ordinary mail after it (and ``before`` ordinary mails before it: the poison in
        the middle of one batch); each fetch process is SIGKILLed while it processes
        that mail, ``kills`` times (the ledger's MAX_ATTEMPTS). It must end set aside in
        error and the mail around it processed: returns its ledger row (state, reason)."""
        login = next(login for login, box in self.boxes.items() if box["protocol"] == "imap")
        corpus = self.corpus[login]
        if before:
            self._append(login, corpus.generate(before))
        message_id = f"poison.{os.getpid()}@client.example"
        raw = poison_mail(corpus.callers[0], message_id, parts)
        uid = self.dovecot.append(login, raw)
        key = f"{self.dovecot.uidvalidity(login)}:{uid}"
        corpus.mails.append(Mail(message_id, "error", raw, boxes=[login]))
        self._append(login, corpus.generate(3))
        inbox_id = self.boxes[login]["inbox_id"]
        with contextlib.closing(self.db.connect()) as conn:
            conn.autocommit = True
            for attempt in range(1, kills + 1):
                process = self.db.start_fetch()
                self.runs += 1
                if not self._kill_while_processing(conn, process, inbox_id, key, attempt):
                    raise AssertionError(
                        f"the poison was not being processed:\n{self.db.last_log()}"
                    )
                self.kills += 1
                self.log(f"run {self.runs}: SIGKILL while processing the poison ({attempt})")
        self.finish()
        with contextlib.closing(self.db.connect()) as conn, conn.cursor() as cr:
            cr.execute(
                "SELECT state, attempts, reason FROM mail_inbox_message "
                "WHERE inbox_id = %s AND uid = %s",
                [inbox_id, key],
            )
            return cr.fetchone()

    def refused_download(self, attempts=3, timeout=600, reset=False):
        """A message the server refuses at every try (IMAP ``NO`` to its FETCH, POP3
        ``-ERR`` to its RETR), in each mailbox, with ordinary mail after it; fetch
        processes read the mailboxes through the harness's FaultProxy. Within
        ``attempts`` runs (the ledger's MAX_ATTEMPTS) it must be set aside in error and
        the mail after it processed; what is not in an end state then is ``stalled``.
        ``reset``: instead, the connection is reset at every download of the message
        (IMAP mailboxes only): each run fails, and the run after ``attempts`` of them
        must set it aside. Returns the refused messages' ledger rows (state, attempts,
        reason)."""
        proxies, keys = [], {}
        runs = attempts + 1 if reset else attempts
        with contextlib.closing(self.db.connect()) as conn:
            conn.autocommit = True
            for login, box in self.boxes.items():
                corpus, protocol = self.corpus[login], box["protocol"]
                if reset and protocol != "imap":
                    continue
                message_id = f"refused.{protocol}.{reset}.{os.getpid()}@client.example"
                raw = corpus._message(corpus.callers[0], "Damaged", "Unreadable.\n", message_id)
                uid = self.dovecot.append(login, raw)
                corpus.mails.append(Mail(message_id, "error", raw, boxes=[login]))
                self._append(login, corpus.generate(3))
                validity = self.dovecot.uidvalidity(login)
                if protocol == "imap":
                    fault = "reset_uids" if reset else "fail_uids"
                    port, faults = self.dovecot.imap_port, {fault: [uid]}
                    keys[login] = f"{validity}:{uid}"
                else:  # Dovecot's default pop3_uidl_format, %08Xu%08Xv (lower case)
                    keys[login] = f"{uid:08x}{validity:08x}"
                    port, faults = self.dovecot.pop3_port, {"fail_uidls": [keys[login]]}
                proxy = FaultProxy(port, protocol, **faults).start()
                proxies.append(proxy)
                with conn.cursor() as cr:
                    cr.execute(
                        "UPDATE mail_inbox SET port = %s WHERE id = %s",
                        [proxy.port, box["inbox_id"]],
                    )
            try:
                for _run in range(runs):
                    process = self.db.start_fetch()
                    self.runs += 1
                    try:
                        process.wait(timeout=timeout)
                    finally:
                        kill_group(process)
                    self.log(f"run {self.runs} (refused download): exit {process.returncode}")
                if not all(proxy.failed for proxy in proxies):
                    raise AssertionError("the proxy refused nothing: wrong UID or UIDL")
                with conn.cursor() as cr:
                    cr.execute(
                        "SELECT inbox_id, uid, attempts, reason FROM mail_inbox_message "
                        "WHERE state = 'new'"
                    )
                    self.stalled += [f"after {runs} runs: {row}" for row in cr.fetchall()]
            finally:
                for proxy in proxies:
                    proxy.stop()
                with conn.cursor() as cr:
                    for box in self.boxes.values():
                        port = self.dovecot.imap_port
                        if box["protocol"] == "pop3":
                            port = self.dovecot.pop3_port
                        cr.execute(
                            "UPDATE mail_inbox SET port = %s WHERE id = %s",
                            [port, box["inbox_id"]],
                        )
            self.finish()
            with conn.cursor() as cr:
                cr.execute(
                    "SELECT state, attempts, reason FROM mail_inbox_message "
                    "WHERE (inbox_id, uid) IN %s",
                    [tuple((self.boxes[login]["inbox_id"], key) for login, key in keys.items())],
                )
                return cr.fetchall()

    def oversize(self, megabytes=16, limit="1M"):
        """Mail over maximum_email_size on an IMAP inbox of its own that deletes its
        errors and its processed mail, among ordinary mail. Without big_files_dir the
        first must stay on the server, in error, its headers on its line; with one, the
        second is streamed to a file while the fetch process is SIGKILLed, then saved
        whole by a later run, its path on its line, its ticket made from its small parts
        (its attachment saved and listed), and only then deleted from the server.
        verify() checks the rest: one in error, one ticket created once, and the server
        holds what the ledger says. Returns, for each, its line's (state, on_server,
        saved file whole or None)."""
        code = """
    for key, value in data["params"].items():
        env["ir.config_parameter"].set_param("helpdesk_mail_ticket." + key, value)
    ids = [env["mail.inbox"].create(vals).id for vals in data["inboxes"]]
    cr.commit()
    print(json.dumps(ids))
"""

        def configure(inboxes=(), **params):
            return self.db.script(code, {"params": params, "inboxes": list(inboxes)})

        def big_mail(number, sender, kind):
            message = EmailMessage()
            message["From"] = sender
            message["To"] = "support@helpdesk.example"
            message["Subject"] = f"Scans {number}"
            message["Message-ID"] = f"<oversize.{number}.{os.getpid()}@client.example>"
            message.set_content("The scans are attached.")
            scans = self.rng.randbytes(megabytes * 1024 * 1024)
            message.add_attachment(scans, "application", "pdf", filename="scans.pdf")
            return Mail(message["Message-ID"][1:-1], kind, message.as_bytes())

        def kill_while_saving(folder):
            process = self.db.start_fetch()
            self.runs += 1
            deadline = time.monotonic() + 300
            while process.poll() is None and time.monotonic() < deadline:
                if any(name.endswith(".part") for name in os.listdir(folder)):
                    self.kills += 1
                    self.log(f"run {self.runs}: SIGKILL while saving an oversize mail")
                    break
                time.sleep(0.005)
            kill_group(process)

        def outcome(mail):
            with contextlib.closing(self.db.connect()) as conn, conn.cursor() as cr:
                cr.execute(
                    "SELECT state, on_server, big_file_path FROM mail_inbox_message "
                    "WHERE inbox_id = %s AND message_id = %s",
                    [inbox_id, mail.message_id],
                )
                row = cr.fetchone()
            if not row or not row[2]:
                return row and (row[0], row[1], None)
            with open(row[2], "rb") as saved:  # as the server had it: CRLF line ends
                return row[0], row[1], saved.read() == re.sub(rb"\r?\n", b"\r\n", mail.raw)

        login = f"oversize-{os.getpid()}@helpdesk.example"
        password = f"pw-{self.rng.getrandbits(64):x}"
        self.dovecot.add_user(login, password)
        vals = {
            "name": "faults-oversize", "server": self.dovecot.host, "protocol": "imap",
            "security": "none", "port": self.dovecot.imap_port, "login": login,
            "password": password, "email_storage": "delete", "error_behavior": "delete",
            "unknown_caller_behavior": "reject_email",
        }  # fmt: skip
        (inbox_id,) = configure([vals], maximum_email_size=limit)
        self.boxes[login] = {"protocol": "imap", "storage": "delete", "inbox_id": inbox_id}
        callers = next(iter(self.corpus.values())).callers
        corpus = self.corpus[login] = Corpus(self.rng, callers, "oversize", self.reply_ratio)
        folder = os.path.join(self.workdir, "big-emails")
        os.makedirs(folder, mode=0o700)
        results = []
        for number, (big_files_dir, kind) in enumerate(((False, "error"), (folder, "created"))):
            configure(big_files_dir=big_files_dir)
            mail = big_mail(number, callers[number], kind)
            corpus.mails.append(mail)
            self._append(login, [mail, *corpus.generate(3)])
            if big_files_dir:
                kill_while_saving(folder)
            self.finish()
            results.append(outcome(mail))
        configure(maximum_email_size=False, big_files_dir=False)  # False: unset
        return results

    def renumbered(self, kills=1, big=2, ignored=3, more=20):
        """A renumbered mailbox holding ignored and too-big lines: ``big`` mails over
        ``maximum_email_size`` in each mailbox (set aside in error), ``ignored`` errors
        of the IMAP mailbox ignored by the admin; then the server renumbers every
        mailbox (a new UIDVALIDITY, and so new POP3 UIDLs), ``more`` mails arrive, and
        fetch processes run, the first ``kills`` SIGKILLed once they recognized part of
        the mailbox. Nothing may be imported twice nor lost: ``verify`` expects one
        line per mail, the ignored ones still ignored, the big ones in error."""
        set_param = (
            '    env["ir.config_parameter"].set_param('
            '"helpdesk_mail_ticket.maximum_email_size", data["size"])\n'
            "    cr.commit()\n    print(json.dumps(True))\n"
        )
        self.db.script(set_param, {"size": "64K"})
        for login, corpus in self.corpus.items():
            mails = []
            for _number in range(big):
                message_id = corpus._msgid()
                body = f"A scan of {self.rng.random()}.\n" + "0123456789abcdef" * 6000
                raw = corpus._message(corpus.callers[0], "Big scan", body, message_id)
                mails.append(Mail(message_id, "error", raw))
            corpus.mails.extend(mails)
            self._append(login, mails)
        self.finish()
        imap = next(login for login, box in self.boxes.items() if box["protocol"] == "imap")
        chosen = [m for m in self.corpus[imap].mails if m.kind == "error"][:ignored]
        ignore = (
            '    lines = env["mail.inbox.message"].search([("inbox_id", "=", data["inbox"]), '
            '("message_id", "in", data["ids"]), ("state", "=", "error")])\n'
            "    lines.action_ignore()\n    cr.commit()\n    print(json.dumps(len(lines)))\n"
        )
        payload = {"inbox": self.boxes[imap]["inbox_id"], "ids": [m.message_id for m in chosen]}
        if self.db.script(ignore, payload) != len(chosen):
            raise AssertionError("the errors to ignore were not found")
        for mail in chosen:
            mail.kind = "ignored"
        for login in self.boxes:
            self.dovecot.reset_uidvalidity(login)
        self.deliver(more)
        renumbered = f"{self.dovecot.uidvalidity(imap)}:%"
        with contextlib.closing(self.db.connect()) as conn:
            conn.autocommit = True
            for _kill in range(kills):
                process = self.db.start_fetch()
                self.runs += 1
                deadline = time.monotonic() + 300
                while process.poll() is None and time.monotonic() < deadline:
                    with conn.cursor() as cr:
                        cr.execute(
                            "SELECT count(*) FROM mail_inbox_message WHERE inbox_id = %s "
                            "AND uid LIKE %s",
                            [self.boxes[imap]["inbox_id"], renumbered],
                        )
                        if cr.fetchone()[0]:
                            break
                    time.sleep(0.02)
                kill_group(process)
                self.kills += 1
                self.log(f"run {self.runs}: SIGKILL while recognizing the renumbered mailbox")
        self.finish()
        self.db.script(set_param, {"size": None})

    @staticmethod
    def _kill_while_processing(conn, process, inbox_id, key, attempt, timeout=300):
        deadline = time.monotonic() + timeout
        while process.poll() is None and time.monotonic() < deadline:
            with conn.cursor() as cr:
                cr.execute(
                    "SELECT state, attempts FROM mail_inbox_message "
                    "WHERE inbox_id = %s AND uid = %s",
                    [inbox_id, key],
                )
                row = cr.fetchone()
            if row == ("new", attempt):
                time.sleep(0.2)  # well inside the seconds its processing takes
                kill_group(process)
                return True
            time.sleep(0.02)
        kill_group(process)
        return False

    def _kill_after_delay(self, process):
        delay = self.rng.uniform(self.min_delay, self.max_delay)
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            kill_group(process)
            return True, f"SIGKILL after {delay:.2f} s"
        process.log.close()
        return False, f"ended by itself ({process.returncode}) before {delay:.2f} s"

    def _kill_after_progress(self, process):
        target = self.rng.randint(1, 25)
        pause = self.rng.uniform(0, 0.1)
        with contextlib.closing(self.db.connect()) as conn:
            conn.autocommit = True
            base = self._done(conn)
            while process.poll() is None:
                if self._done(conn) >= base + target:
                    time.sleep(pause)
                    kill_group(process)
                    return True, f"SIGKILL {pause:.3f} s after {target} message(s) done"
                time.sleep(0.02)
        process.log.close()
        return False, f"ended by itself ({process.returncode}) before {target} message(s)"

    @staticmethod
    def _done(conn):
        with conn.cursor() as cr:
            cr.execute("SELECT count(*) FROM mail_inbox_message WHERE state != 'new'")
            return cr.fetchone()[0]

    def finish(self, attempts=5, timeout=900):
        """Runs that are not killed, until one ends cleanly (exit 0, nothing left)."""
        for _attempt in range(attempts):
            process = self.db.start_fetch()
            self.runs += 1
            try:
                process.wait(timeout=timeout)
            finally:
                kill_group(process)
            output = self.db.last_log()
            self.log(f"run {self.runs}: exit {process.returncode}\n{output.strip()}")
            if process.returncode == 0 and "0 left for the next run" in output:
                if self.pending() == 0:
                    return True
            time.sleep(1)
        raise AssertionError(f"no clean fetch run after the kills:\n{self.db.last_log()}")

    def pending(self):
        with contextlib.closing(self.db.connect()) as conn, conn.cursor() as cr:
            cr.execute("SELECT count(*) FROM mail_inbox_message WHERE state = 'new'")
            return cr.fetchone()[0]

    # -- the verdict ----------------------------------------------------------------------------

    def verify(self):
        """Compare the database and the server with the mail delivered; returns a report
        dict with the lists of problems under ``lost`` and ``duplicated``."""
        with contextlib.closing(self.db.connect()) as conn, conn.cursor() as cr:
            return Verdict(self, cr).report()


class Verdict:
    """Every check of a finished experiment, as lists of readable problems."""

    def __init__(self, experiment, cr):
        self.x = experiment
        self.cr = cr
        self.lost = []
        self.duplicated = []
        self.wrong = []
        self.stalled = list(experiment.stalled)
        self.updates = []  # (Message-ID, ticket id, Message-ID of the thread's first mail)
        cr.execute(
            "SELECT id, inbox_id, uid, message_id, state, action, ticket_id, on_server, "
            "attempts, reason FROM mail_inbox_message"
        )
        self.rows = [dict(zip(ROW_FIELDS, row, strict=True)) for row in cr.fetchall()]
        cr.execute(
            "SELECT message_id, res_id FROM mail_message "
            "WHERE model = 'helpdesk.mail.ticket' AND message_type = 'email'"
        )
        self.posted = {}
        for message_id, res_id in cr.fetchall():
            self.posted.setdefault(message_id, []).append(res_id)

    def report(self):
        tickets_of = self._check_ledger()
        self._check_tickets(tickets_of)
        self.stalled += [f"still new: {row}" for row in self.rows if row["state"] == "new"]
        self._check_server()
        mails = [m for corpus in self.x.corpus.values() for m in corpus.mails]
        return {
            "runs": self.x.runs,
            "kills": self.x.kills,
            "messages": sum(len(m.boxes) for m in mails),
            "lost": self.lost,
            "duplicated": self.duplicated,
            "wrong": self.wrong,
            "stalled": self.stalled,
        }

    def _check_ledger(self):
        """One final row per delivery, with the expected outcome; a mail delivered to
        both mailboxes made one ticket (one copy created, the other a duplicate).
        Returns, for each Message-ID that made a ticket, that ticket's id."""
        by_key = {}
        for row in self.rows:
            by_key.setdefault((row["inbox_id"], row["message_id"]), []).append(row)
        delivered = set()
        tickets_of = {}
        for corpus in self.x.corpus.values():
            for mail in corpus.mails:
                copies = []
                for box in mail.boxes:
                    inbox = self.x.boxes[box]["inbox_id"]
                    delivered.add((inbox, mail.message_id))
                    rows = by_key.get((inbox, mail.message_id), [])
                    if not rows:
                        self.lost.append(f"{mail.message_id} in inbox {inbox}: no ledger row")
                        continue
                    if len(rows) > 1:
                        self.duplicated.append(f"{mail.message_id}: {len(rows)} ledger rows")
                    copies.append(rows[0])
                if copies:
                    self._check_outcome(mail, copies, tickets_of)
        for (inbox, message_id), rows in by_key.items():
            if (inbox, message_id) not in delivered:
                self.duplicated.extend(f"unexpected ledger row {row}" for row in rows)
        return tickets_of

    def _check_outcome(self, mail, copies, tickets_of):
        expected = {"created": "processed", "updated": "processed"}.get(mail.kind, mail.kind)
        for row in copies:
            if row["state"] != expected:
                self.lost.append(f"{mail.message_id}: {row['state']} not {expected}: {row}")
                return
        actions = sorted(row["action"] or "" for row in copies)
        if mail.kind == "created":
            if actions != ["created"] + ["duplicate"] * (len(copies) - 1):
                self.duplicated.append(f"{mail.message_id} copies: {actions}")
            if len({row["ticket_id"] for row in copies}) != 1:
                self.duplicated.append(f"{mail.message_id} copies on different tickets")
            tickets_of[mail.message_id] = copies[0]["ticket_id"]
        elif mail.kind == "updated":
            if actions != ["updated"]:
                self.wrong.append(f"{mail.message_id}: {actions} instead of updated")
            self.updates.append((mail.message_id, copies[0]["ticket_id"], mail.root))

    def _check_tickets(self, tickets_of):
        cr = self.cr
        cr.execute("SELECT count(*) FROM helpdesk_mail_ticket")
        tickets = cr.fetchone()[0]
        created = sum(1 for row in self.rows if row["action"] == "created")
        if tickets != created:
            self.duplicated.append(f"{tickets} tickets for {created} creations")
        for message_id, posted in self.posted.items():
            if len(posted) > 1:
                self.duplicated.append(f"{message_id} posted {len(posted)} times: {posted}")
        for message_id, ticket_id, root in self.updates:
            if ticket_id != tickets_of.get(root):
                self.wrong.append(f"update {message_id} on {ticket_id}, not on its thread")
        landed = list(tickets_of.items()) + [(m, t) for m, t, _root in self.updates]
        for message_id, ticket_id in landed:
            if self.posted.get(f"<{message_id}>") != [ticket_id]:
                self.lost.append(
                    f"{message_id} not posted once on ticket {ticket_id}: "
                    f"{self.posted.get(f'<{message_id}>')}"
                )

    def _check_server(self):
        """The server holds exactly what the ledger says is on it: IMAP keeps every
        message, POP3 only those in error or undesired."""
        for login, box in self.x.boxes.items():
            rows = [row for row in self.rows if row["inbox_id"] == box["inbox_id"]]
            on_server = {row["uid"] for row in rows if row["on_server"]}
            if box["protocol"] == "imap":
                validity = self.x.dovecot.uidvalidity(login)
                present = {f"{validity}:{uid}" for uid in self.x.dovecot.uids(login)}
                if present != on_server:
                    self.lost.append(f"IMAP server {sorted(present ^ on_server)} disagree")
            else:
                remaining = len(self.x.dovecot.uids(login))
                kept = [row for row in rows if row["state"] in ("error", "undesired")]
                if remaining != len(kept) or len(on_server) != len(kept):
                    self.wrong.append(
                        f"POP3 server has {remaining} messages, the ledger {len(on_server)} "
                        f"on the server and {len(kept)} kept"
                    )


ROW_FIELDS = (
    "id", "inbox_id", "uid", "message_id", "state", "action", "ticket_id", "on_server",
    "attempts", "reason",
)  # fmt: skip


def run(messages, kills, seed, min_delay, max_delay, verbose=False):
    """One experiment; returns its report."""
    addons = addons_path()
    if not addons:
        raise RuntimeError("Odoo is not importable by this Python")
    with Experiment(messages, kills, seed, min_delay, max_delay, verbose) as experiment:
        experiment.setup(addons)
        experiment.torture()
        experiment.refused_download()
        experiment.refused_download(reset=True)
        experiment.renumbered()
        experiment.oversize()
        report = experiment.verify()
        if report["lost"] or report["duplicated"] or report["wrong"] or report["stalled"]:
            # Keep the evidence: the database and the logs.
            os.environ["HMT_KEEP_DB"] = "1"
            print(f"database kept: {experiment.db.name}", file=sys.stderr)
        return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--kills", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--min-delay", type=float, default=1.5)
    parser.add_argument("--max-delay", type=float, default=8.0)
    parser.add_argument("--verbose", "-v", action="store_true")
    options = parser.parse_args()
    started = time.monotonic()
    report = run(
        options.messages,
        options.kills,
        options.seed,
        options.min_delay,
        options.max_delay,
        options.verbose,
    )
    problems = report["lost"] + report["duplicated"] + report["wrong"] + report["stalled"]
    for problem in problems:
        print(problem)
    print(
        f"runs {report['runs']}, kills {report['kills']}, messages {report['messages']}, "
        f"lost {len(report['lost'])}, duplicated {len(report['duplicated'])}, "
        f"wrong {len(report['wrong'])}, stalled {len(report['stalled'])}, "
        f"{time.monotonic() - started:.0f} s"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
