#!/usr/bin/env python3
"""One Odoo process of the benchmark, driven by ``bench/run`` (not meant to be run alone).

It loads Odoo in-process on one database, prints ``ready``, waits for a line on stdin, then
does one job and prints one JSON line with what it measured *from the go signal on*: wall
and CPU seconds (``getrusage`` of this process), SQL statements sent (Odoo's own
``odoo.sql_db.sql_counter``, the count of ``cursor.execute`` calls of this process) and the
process's peak RSS (which includes Odoo's registry, the same for both sides).

Jobs:

``native``   Odoo 18's ``fetchmail.server.fetch_mail()`` on the database's one server;
``ours``     ``mail.inbox._fetch()`` cycles on the one inbox until no message is left
             ``new`` (several such processes split one inbox through the ledger);
``prepare``  create contacts, the inbox and the fetchmail server from ``--config``;
``verify``   outcome counts (tickets, chatter messages, followers, attachments, ledger);
``poll``     ``--cycles`` idle cycles of the inbox, each timed (with bytes read);
``bigmail``  one cycle on a mailbox holding one big message, with peak-memory and bytes read;
``idle``     the IDLE/polling loop of the command line for ``--seconds`` (latency bench);
``seed``     ``--count`` processed, kept ledger rows (and tickets) for the idle-poll bench
             (``--gone``: lines of mail deleted from the server long ago);
``native_poll`` ``--cycles`` timed ``fetch_mail()`` of the fetchmail server ``--inbox``;
``enqueue``  one cycle of an inbox with ``use_queue_job`` (its messages handed to jobs);
``cron``     ``--cycles`` timed runs of the inbox cron (every active inbox);
``cron_loop`` the cron as scheduled (every ``periodicity`` s) for ``--seconds``.
"""

import argparse
import json
import os
import resource
import socket
import statistics
import sys
import time


def load_odoo(options):
    import odoo
    from odoo import SUPERUSER_ID, api

    odoo.tools.config.parse_config(
        [
            f"--addons-path={options.addons_path}",
            f"--db_host={options.db_host}",
            f"--db_user={options.db_user}",
            "--log-level=warn",
        ]
    )
    registry = odoo.modules.registry.Registry(options.database)
    cr = registry.cursor()
    return odoo, api.Environment(cr, SUPERUSER_ID, {})


class Meter:
    """CPU, wall, SQL and bytes-read counters between start() and stop()."""

    def __init__(self, odoo):
        self.odoo = odoo

    def start(self):
        usage = resource.getrusage(resource.RUSAGE_SELF)
        self.cpu0 = usage.ru_utime + usage.ru_stime
        self.wall0 = time.perf_counter()
        self.sql0 = self.odoo.sql_db.sql_counter
        return self

    def stop(self):
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "wall_s": time.perf_counter() - self.wall0,
            "cpu_s": usage.ru_utime + usage.ru_stime - self.cpu0,
            "sql": self.odoo.sql_db.sql_counter - self.sql0,
            "peak_rss_mb": usage.ru_maxrss / 1024,
        }


class CommandCounter:
    """Counts the IMAP commands (``UID FETCH`` counted as ``FETCH``...) this process sends."""

    names = []

    @classmethod
    def install(cls):
        import imaplib

        original = imaplib.IMAP4._command

        def command(client, name, *args):
            cls.names.append(f"UID {args[0]}" if name == "UID" and args else name)
            return original(client, name, *args)

        imaplib.IMAP4._command = command


class ByteCounter:
    """Counts the bytes every socket of this process receives (idle-poll and big-mail)."""

    total = 0

    @classmethod
    def install(cls):
        original_recv, original_recv_into = socket.socket.recv, socket.socket.recv_into

        def recv(sock, *args, **kwargs):
            data = original_recv(sock, *args, **kwargs)
            cls.total += len(data)
            return data

        def recv_into(sock, buffer, *args, **kwargs):
            count = original_recv_into(sock, buffer, *args, **kwargs)
            cls.total += count
            return count

        socket.socket.recv, socket.socket.recv_into = recv, recv_into


class CycleMeter:
    """Per cycle: the CPU this process spent (``getrusage``: not PostgreSQL's nor
    Dovecot's), the SQL statements it sent and the commits it made. Medians of these
    counts are steadier than wall times on a shared machine."""

    commits = 0

    @classmethod
    def install(cls, odoo):
        import logging

        original, sql_log = odoo.sql_db.Cursor.commit, logging.getLogger("odoo.sql_db")

        def commit(cursor):
            cls.commits += 1
            result = original(cursor)  # its flush's statements are logged before it
            sql_log.debug("COMMIT")  # in HMT_BENCH_SQL_LOG's file, between the statements
            return result

        odoo.sql_db.Cursor.commit = commit
        cls.odoo = odoo
        cls.cpu, cls.sql, cls.made = [], [], []

    @classmethod
    def start(cls):
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cls._started = (usage.ru_utime + usage.ru_stime, cls.odoo.sql_db.sql_counter, cls.commits)

    @classmethod
    def stop(cls):
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu, sql, commits = cls._started
        cls.cpu.append(usage.ru_utime + usage.ru_stime - cpu)
        cls.sql.append(cls.odoo.sql_db.sql_counter - sql)
        cls.made.append(cls.commits - commits)

    @classmethod
    def figures(cls):
        def median(values):
            return sorted(values)[len(values) // 2] if values else None

        return {
            "cpu_ms_median": round(1000 * median(cls.cpu), 2) if cls.cpu else None,
            "sql_median": median(cls.sql),
            "commits_median": median(cls.made),
        }


class PhaseMeter:
    """Where an idle cycle's wall time goes (``HMT_BENCH_POLL_PHASES=1``): the mail
    session (connecting, logging in, SELECT or LIST and UIDL, LOGOUT or QUIT), SQL
    statements, commits (psycopg2's and Odoo's around it), and the rest (Python: ORM,
    settings, trace). Exclusive times per cycle, medians in ms; a statement run by a
    commit's flush counts as SQL."""

    names = ("session", "sql", "commit")
    cycles = []
    _running = None

    @classmethod
    def install(cls, odoo):
        from odoo.addons.helpdesk_mail_ticket.mailsource.base import MailSource

        for owner, name, phase in (
            (MailSource, "connect", "session"),
            (MailSource, "close", "session"),
            (odoo.sql_db.Cursor, "execute", "sql"),
            (odoo.sql_db.Cursor, "commit", "commit"),
        ):
            setattr(owner, name, cls._timed(getattr(owner, name), phase))

    @classmethod
    def _timed(cls, original, phase):
        def timed(*args, **kwargs):
            running = cls._running
            if running is None:
                return original(*args, **kwargs)
            outer, started = running["phase"], time.perf_counter()
            running[outer] += started - running["since"]
            running["phase"], running["since"] = phase, started
            try:
                return original(*args, **kwargs)
            finally:
                now = time.perf_counter()
                running[phase] += now - running["since"]
                running["phase"], running["since"] = outer, now

        return timed

    @classmethod
    def start(cls):
        if os.environ.get("HMT_BENCH_POLL_PHASES"):
            cls._running = dict.fromkeys((*cls.names, "python"), 0.0)
            cls._running.update(phase="python", since=time.perf_counter())

    @classmethod
    def stop(cls):
        running, cls._running = cls._running, None
        if running:
            running["python"] += time.perf_counter() - running["since"]
            cls.cycles.append({name: running[name] for name in (*cls.names, "python")})

    @classmethod
    def figures(cls):
        if not cls.cycles:
            return {}
        return {
            f"{name}_ms_median": round(1000 * statistics.median(c[name] for c in cls.cycles), 2)
            for name in (*cls.names, "python")
        }


class BareExchange:
    """The bare protocol exchange on the inbox's mailbox with the standard library
    (IMAP: connect, LOGIN, SELECT, LOGOUT; POP3: connect, USER, PASS, LIST, UIDL,
    QUIT), timed in the poll worker itself right after each idle cycle of ours: the
    same process, the same moment of a shared machine (``bench/run`` times it in its
    own process too, before ours' cycles)."""

    def __init__(self, inbox):
        inbox = inbox.sudo()
        self.protocol, self.host, self.port = inbox.protocol, inbox.server, inbox.port
        self.login, self.password = inbox.login, inbox.password
        self.timings = []

    def run(self):
        import imaplib
        import poplib

        started = time.perf_counter()
        if self.protocol == "imap":
            client = imaplib.IMAP4(self.host, self.port)
            client.login(self.login, self.password)
            client.select("INBOX")
            client.logout()
        else:
            client = poplib.POP3(self.host, self.port)
            client.user(self.login)
            client.pass_(self.password)
            client.list()
            client.uidl()
            client.quit()
        self.timings.append(time.perf_counter() - started)

    def figures(self):
        return {"bare_in_worker_ms_median": round(1000 * statistics.median(self.timings), 2)}


def current_rss_mb():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def reset_peak_rss():
    """Start the peak RSS (VmHWM) again from the current RSS (Linux ``clear_refs``), so
    the peak read afterwards is the job's and not that of loading Odoo. False if the
    kernel refuses."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        return False
    return True


def peak_rss_mb():
    """The process's peak RSS since its start or the last ``reset_peak_rss()``."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def wait_for_go():
    print("ready", flush=True)
    sys.stdin.readline()


def job_prepare(env, config):
    partners = env["res.partner"]
    for name, email in config["senders"]:
        partners |= partners.create({"name": name, "email": email})
    model = env["ir.model"]._get("helpdesk.mail.ticket")
    for inbox in config.get("inboxes", []):
        env["mail.inbox"].create({**inbox, "target_model_id": model.id})
    for server in config.get("fetchmail", []):
        env["fetchmail.server"].create({**server, "object_id": model.id, "state": "done"})
    for key, value in config.get("params", {}).items():
        env["ir.config_parameter"].set_param(f"helpdesk_mail_ticket.{key}", value)
    for key, value in config.get("system_params", {}).items():
        env["ir.config_parameter"].set_param(key, value)
    env.cr.commit()
    return {"partners": len(partners)}


def job_native(env, odoo, options):
    server = env["fetchmail.server"].search([("name", "=", "native")], limit=1)
    wait_for_go()
    meter = Meter(odoo).start()
    server.with_context(fetchmail_cron_running=True).fetch_mail()
    env.cr.commit()
    return meter.stop()


def job_native_poll(env, odoo, options):
    """``--cycles`` timed ``fetch_mail()`` of the fetchmail server named ``--inbox``, as
    ``poll`` times ours (same handshake for a delivery before each cycle)."""
    ByteCounter.install()
    CommandCounter.install()
    CycleMeter.install(odoo)
    server = env["fetchmail.server"].search([("name", "=", options.inbox)], limit=1)
    server = server.with_context(fetchmail_cron_running=True)
    server.fetch_mail()  # warm, as ours
    env.cr.commit()
    if os.environ.get("HMT_BENCH_SQL_LOG"):
        log_sql_to(os.environ["HMT_BENCH_SQL_LOG"])
    return timed_cycles(options, server.fetch_mail, env)


def timed_cycles(options, cycle, env, name="native"):
    wait_for_go()
    timings, reads, commands = [], [], []
    profiler = start_poll_profile()
    for _cycle in range(options.cycles):
        if options.deliver_each:
            sys.stdout.write("deliver\n")
            sys.stdout.flush()
            sys.stdin.readline()
        before, sent = ByteCounter.total, len(CommandCounter.names)
        started = time.perf_counter()
        CycleMeter.start()
        cycle()
        env.cr.commit()
        CycleMeter.stop()
        timings.append(time.perf_counter() - started)
        reads.append(ByteCounter.total - before)
        commands.append(CommandCounter.names[sent:])
    stop_poll_profile(profiler, f"{name}-{options.inbox}")
    timings.sort()
    return {
        "cycle_ms_median": 1000 * timings[len(timings) // 2],
        "cycle_ms_min": 1000 * timings[0],
        "bytes_read_median": sorted(reads)[len(reads) // 2],
        "imap_commands": commands[-1],
        **CycleMeter.figures(),
    }


def start_poll_profile():
    """A running cProfile of the timed cycles when ``HMT_BENCH_POLL_PROFILE`` names a
    directory (ours and native alike), else None."""
    if not os.environ.get("HMT_BENCH_POLL_PROFILE"):
        return None
    import cProfile

    # HMT_BENCH_POLL_PROFILE_CLOCK=cpu: this process's CPU time only (waits on
    # PostgreSQL, Dovecot and the disk left out), to compare ours' Python with native's.
    if os.environ.get("HMT_BENCH_POLL_PROFILE_CLOCK") == "cpu":
        profiler = cProfile.Profile(time.process_time_ns, 1e-9)
    else:
        profiler = cProfile.Profile()
    profiler.enable()
    return profiler


def stop_poll_profile(profiler, name):
    if profiler:
        profiler.disable()
        directory = os.environ["HMT_BENCH_POLL_PROFILE"]
        profiler.dump_stats(os.path.join(directory, f"{name}-{os.getpid()}.prof"))


def job_cron(env, odoo, options):
    """``--cycles`` timed runs of the inbox cron (``mail.inbox._cron_fetch``: every
    active inbox, one after the other), after one warm run."""
    ByteCounter.install()
    CommandCounter.install()
    CycleMeter.install(odoo)
    inboxes = env["mail.inbox"]
    inboxes._cron_fetch()
    env.cr.commit()
    if os.environ.get("HMT_BENCH_SQL_LOG"):
        log_sql_to(os.environ["HMT_BENCH_SQL_LOG"])
    return {**timed_cycles(options, inboxes._cron_fetch, env), "inboxes": inboxes.search_count([])}


def job_cron_loop(env, odoo, options):
    """Odoo's cron as the addon schedules it: ``_cron_fetch``, then again ``periodicity``
    seconds after it ended (the cron re-triggers itself so), for ``--seconds``."""
    inboxes = env["mail.inbox"]
    periodicity = int(inboxes._get_global_params().get("periodicity") or 30)
    wait_for_go()
    deadline = time.monotonic() + options.seconds
    runs = 0
    while time.monotonic() < deadline:
        inboxes._cron_fetch()
        env.cr.commit()
        runs += 1
        time.sleep(periodicity)
    return {"runs": runs}


def log_sql_to(path):
    """Every statement this process sends, to ``path`` (``HMT_BENCH_SQL_LOG``), to see
    what one message costs; the timing of such a run means nothing."""
    import logging

    handler = logging.FileHandler(f"{path}.{os.getpid()}")
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("odoo.sql_db")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)


class Timeline:
    """What each step of this worker did when (``HMT_BENCH_TIMELINE``: a directory; one
    JSON file a process): ``[step, start s, end s, CPU s, detail]`` from the go signal on,
    for the cycles, synchronizations, batches, messages alone, waits for another worker's
    lease and the bench's own sleeps. Tells a worker waiting for the other from one
    working (``bench/README.md``)."""

    events = []
    origin = 0.0

    @classmethod
    def install(cls, env):
        from odoo.addons.helpdesk_mail_ticket.models import mail_inbox_message_claim as claim

        inbox, line = type(env["mail.inbox"]), type(env["mail.inbox.message"])
        cls.wrap(inbox, "_fetch", "cycle", lambda r, result: result.get("new"))
        cls.wrap(inbox, "_sync_mailbox", "sync", lambda r, result: len(result[0]))
        cls.wrap(line, "_process_batch", "batch",
                 lambda r, result: [len(r), sum(s is not None for s in result)])  # fmt: skip
        cls.wrap(line, "_process_isolated", "alone", lambda r, result: [r.id, result])
        original = claim.wait_for_lease

        def wait_for_lease(cr, record_id):
            with cls.step("wait_lease", record_id):
                return original(cr, record_id)

        claim.wait_for_lease = wait_for_lease

    @classmethod
    def wrap(cls, model, name, step, detail):
        original = getattr(model, name)

        def wrapper(records, *args, **kwargs):
            start, cpu = time.perf_counter(), time.process_time()
            result = original(records, *args, **kwargs)
            cls.add(step, start, cpu, detail(records, result))
            return result

        setattr(model, name, wrapper)

    @classmethod
    def step(cls, name, detail=None):
        import contextlib

        @contextlib.contextmanager
        def timed():
            start, cpu = time.perf_counter(), time.process_time()
            yield
            cls.add(name, start, cpu, detail)

        return timed()

    @classmethod
    def add(cls, name, start, cpu, detail):
        now = time.perf_counter()
        cls.events.append([name, round(start - cls.origin, 4), round(now - cls.origin, 4),
                           round(time.process_time() - cpu, 4), detail])  # fmt: skip

    @classmethod
    def dump(cls):
        directory = os.environ.get("HMT_BENCH_TIMELINE")
        if directory:
            with open(os.path.join(directory, f"{os.getpid()}.json"), "w") as handle:
                json.dump(cls.events, handle, default=str)


def job_ours(env, odoo, options):
    inbox = env["mail.inbox"].search([("name", "=", options.inbox)], limit=1)
    if os.environ.get("HMT_BENCH_SQL_LOG"):
        log_sql_to(os.environ["HMT_BENCH_SQL_LOG"])
    if os.environ.get("HMT_BENCH_TIMELINE"):
        Timeline.install(env)
    wait_for_go()
    Timeline.origin = time.perf_counter()
    meter = Meter(odoo).start()
    done = cycles = 0
    failures = []
    while True:
        result = inbox._fetch()
        cycles += 1
        if result.get("failure"):
            failures.append(result["failure"])
        done += result["processed"] + result["error"] + result["undesired"]
        # Done once the inbox was synchronized (by either worker: two workers started
        # together may both skip the first synchronization, one seeing the other's
        # status written since its snapshot) and no line is left new.
        env.cr.execute(
            """SELECT count(*), (SELECT sync_cursor IS NOT NULL FROM mail_inbox WHERE id = %s)
                 FROM mail_inbox_message WHERE inbox_id = %s AND state = 'new'""",
            [inbox.id, inbox.id],
        )
        left, synchronized = env.cr.fetchone()
        env.cr.commit()
        if not left and synchronized and result["new"] == 0:
            break
        if not result["processed"] + result["error"] + result["undesired"]:
            with Timeline.step("sleep"):
                time.sleep(0.05)  # the other worker holds what is left
    Timeline.dump()
    return {**meter.stop(), "done": done, "cycles": cycles, "failures": failures[:3]}


def job_enqueue(env, odoo, options):
    """One cycle of an inbox with ``use_queue_job``: every message recorded and handed to
    a queue job (the job runner of the Odoo server(s) processes them)."""
    inbox = env["mail.inbox"].search([("name", "=", options.inbox)], limit=1)
    wait_for_go()
    meter = Meter(odoo).start()
    result = inbox._fetch()
    env.cr.commit()
    return {**meter.stop(), **{k: v for k, v in result.items() if k != "failure"}}


def job_verify(env, odoo, options):
    cr = env.cr
    out = {}
    cr.execute("SELECT count(*) FROM helpdesk_mail_ticket")
    out["tickets"] = cr.fetchone()[0]
    cr.execute(
        "SELECT count(*) FROM mail_message WHERE model = 'helpdesk.mail.ticket' "
        "AND message_type = 'email'"
    )
    out["email_messages"] = cr.fetchone()[0]
    cr.execute(
        "SELECT count(DISTINCT res_id) FROM mail_message WHERE model = 'helpdesk.mail.ticket' "
        "AND message_type = 'email'"
    )
    out["tickets_with_email"] = cr.fetchone()[0]
    cr.execute(
        "SELECT count(*) FROM helpdesk_mail_ticket t JOIN mail_followers f ON "
        "f.res_model = 'helpdesk.mail.ticket' AND f.res_id = t.id AND f.partner_id = t.partner_id"
    )
    out["caller_followers"] = cr.fetchone()[0]
    cr.execute("SELECT count(*) FROM ir_attachment WHERE res_model = 'helpdesk.mail.ticket'")
    out["attachments"] = cr.fetchone()[0]
    # Emails posted on a ticket after the one that created it: the updates.
    out["updates"] = out["email_messages"] - out["tickets_with_email"]
    cr.execute("SELECT state, action, count(*) FROM mail_inbox_message GROUP BY 1, 2 ORDER BY 1, 2")
    out["ledger"] = {f"{state}/{action or '-'}": count for state, action, count in cr.fetchall()}
    # Exactly-once: no email (Message-ID) made or updated tickets twice.
    cr.execute(
        "SELECT count(*) FROM (SELECT stable_id FROM mail_inbox_message WHERE state = "
        "'processed' AND action IN ('created', 'updated') GROUP BY stable_id "
        "HAVING count(*) > 1) d"
    )
    out["duplicates"] = cr.fetchone()[0]
    cr.execute(
        "SELECT count(*) FROM (SELECT message_id FROM mail_message WHERE model = "
        "'helpdesk.mail.ticket' AND message_type = 'email' AND message_id IS NOT NULL "
        "GROUP BY message_id HAVING count(*) > 1) d"
    )
    out["duplicate_chatter_messages"] = cr.fetchone()[0]
    return out


def job_poll(env, odoo, options):
    ByteCounter.install()
    CommandCounter.install()
    CycleMeter.install(odoo)
    PhaseMeter.install(odoo)
    inbox = env["mail.inbox"].search([("name", "=", options.inbox)], limit=1)
    inbox._fetch()  # warm: first cycle after seeding may resynchronize
    env.cr.commit()
    if os.environ.get("HMT_BENCH_SQL_LOG"):
        log_sql_to(os.environ["HMT_BENCH_SQL_LOG"])
    bare = BareExchange(inbox) if not options.deliver_each else None
    wait_for_go()
    timings, reads, news, commands = [], [], [], []
    early_ab = bool(os.environ.get("HMT_BENCH_POLL_EARLY_AB"))
    with_early, without_early = [], []
    profiler = start_poll_profile()
    for number in range(options.cycles):
        if options.deliver_each:
            sys.stdout.write("deliver\n")
            sys.stdout.flush()
            sys.stdin.readline()
        before, sent = ByteCounter.total, len(CommandCounter.names)
        # HMT_BENCH_POLL_EARLY_AB=1: every other cycle without the TCP connection started
        # before the first read (the endpoint memo forgotten: the cycle as before it).
        early = not (early_ab and number % 2)
        if not early:
            getattr(env.registry, "hmt_inbox_endpoints", {}).pop(inbox.id, None)
        started = time.perf_counter()
        CycleMeter.start()
        PhaseMeter.start()
        result = inbox._fetch()
        PhaseMeter.stop()
        CycleMeter.stop()
        timings.append(time.perf_counter() - started)
        (with_early if early else without_early).append(timings[-1])
        reads.append(ByteCounter.total - before)
        news.append(result["new"])
        commands.append(CommandCounter.names[sent:])
        if bare:
            bare.run()
    stop_poll_profile(profiler, options.inbox)
    timings.sort()
    return {
        "cycle_ms_median": 1000 * timings[len(timings) // 2],
        "cycle_ms_min": 1000 * timings[0],
        "bytes_read_median": sorted(reads)[len(reads) // 2],
        "new_seen": sum(news),
        "imap_commands": commands[-1],
        **CycleMeter.figures(),
        **PhaseMeter.figures(),
        **(bare.figures() if bare else {}),
        **(
            {
                "early_ms_median": 1000 * statistics.median(with_early),
                "no_early_ms_median": 1000 * statistics.median(without_early),
            }
            if early_ab and with_early and without_early
            else {}
        ),
    }


def job_bigmail(env, odoo, options):
    ByteCounter.install()
    inbox = env["mail.inbox"].search([("name", "=", options.inbox)], limit=1)
    wait_for_go()
    # Loading Odoo peaked some 50 MB above the RSS it leaves: without a reset, that peak
    # would be taken for the cycle's.
    reset = reset_peak_rss()
    rss_before = current_rss_mb()
    before = ByteCounter.total
    result = inbox._fetch()
    peak = peak_rss_mb()
    env.cr.execute("SELECT state, reason FROM mail_inbox_message WHERE inbox_id = %s", [inbox.id])
    return {
        "bytes_read": ByteCounter.total - before,
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak,
        "extra_peak_mb": max(0.0, peak - rss_before),
        "peak_reset": reset,
        "result": {k: v for k, v in result.items() if k != "failure"},
        "ledger": env.cr.fetchall(),
    }


def job_idle(env, odoo, options):
    inbox = env["mail.inbox"].search([("name", "=", options.inbox)], limit=1)
    wait_for_go()
    inbox._run_idle_loop(max_seconds=options.seconds)
    return {}


def job_seed(env, odoo, options):
    """``count`` kept messages: processed ledger rows keyed like the mailbox's UIDs, each on
    a ticket (one ticket per two messages), inserted in bulk (the bench measures polling,
    not their import)."""
    inbox = env["mail.inbox"].search([("name", "=", options.inbox)], limit=1)
    cr = env.cr
    count, validity = options.count, options.uidvalidity
    partner = env["res.partner"].search([("email", "!=", False)], limit=1)
    stage = env["helpdesk.mail.ticket.stage"].search([("is_closed", "=", False)], limit=1)
    cr.execute(
        "INSERT INTO helpdesk_mail_ticket (name, reference, ticket_type, partner_id, stage_id, "
        "is_closed, company_id, origin, mail_inbox_id, create_date, write_date, priority) "
        "SELECT 'seeded ' || g, 'S-' || g, 'user_request', %s, %s, FALSE, 1, 'mail', %s, "
        "now() - interval '1 day', now() - interval '1 day', '1' FROM generate_series(1, %s) g "
        "RETURNING id",
        [partner.id, stage.id, inbox.id, (count + 1) // 2],
    )
    tickets = [row[0] for row in cr.fetchall()]
    if options.keys:
        with open(options.keys) as handle:
            keys = handle.read().split()
    else:
        keys = [f"{validity}:{n}" for n in range(1, count + 1)]
    rows = [(inbox.id, key, key, tickets[n // 2]) for n, key in enumerate(keys)]
    on_server = "FALSE" if options.gone else "TRUE"
    for start in range(0, len(rows), 10000):
        chunk = rows[start : start + 10000]
        args = ",".join(
            cr.mogrify(
                "(%s, 1, %s, %s, 100, 'processed', 'created', 'helpdesk.mail.ticket', %s, 1, "
                f"{on_server}, now() at time zone 'UTC' - interval '1 day', "
                "now() at time zone 'UTC' - interval '1 day')",
                row,
            ).decode()
            for row in chunk
        )
        cr.execute(
            "INSERT INTO mail_inbox_message (inbox_id, company_id, uid, server_uid, size, state, "
            "action, ticket_model, ticket_id, attempts, on_server, create_date, write_date) "
            f"VALUES {args}"
        )
    cr.execute("ANALYZE mail_inbox_message")
    cr.execute("ANALYZE helpdesk_mail_ticket")
    cr.commit()
    return {"seeded": count}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("job")
    parser.add_argument("--database", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--db-host", default="127.0.0.1")
    parser.add_argument("--db-user", default="root")
    parser.add_argument("--config", help="JSON file (prepare)")
    parser.add_argument("--inbox", default="bench")
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--uidvalidity", default="")
    parser.add_argument("--keys", help="file of ledger keys (seed), one per line")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--deliver-each", action="store_true")
    parser.add_argument("--gone", action="store_true", help="seed: lines of mail gone")
    parser.add_argument("--profile", help="write a cProfile of the job to this file")
    options = parser.parse_args()
    odoo, env = load_odoo(options)
    try:
        if options.job == "prepare":
            with open(options.config) as handle:
                result = job_prepare(env, json.load(handle))
        else:
            job = globals()[f"job_{options.job}"]
            if options.profile:
                import cProfile

                profiler = cProfile.Profile()
                result = profiler.runcall(job, env, odoo, options)
                profiler.dump_stats(options.profile)
            else:
                result = job(env, odoo, options)
    finally:
        env.cr.close()
    print("RESULT " + json.dumps(result, default=str), flush=True)
    os._exit(0)  # no slow interpreter teardown of Odoo's registry


if __name__ == "__main__":
    main()
