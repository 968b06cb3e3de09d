#!/usr/bin/env python3
"""Fault injection through queue_job: SIGKILL the Odoo processes that run the jobs.

``bench/faults.py``'s experiment (the same two mailboxes, mail, checks), with the queue_job
bridge (``helpdesk_mail_ticket_queue_job``) installed and *Process as Queue Jobs* ticked on
both inboxes::

    python3 bench/faults_queue_job.py --messages 300 --kills 12 --workers 1 --seed 7 [-v]

An Odoo server (prefork, ``--workers`` 1 or 2: one or two Odoo processes running the jobs,
queue_job's runner with ``root:<workers>``) runs the jobs; ``odoo helpdesk_fetch``
processes are the cron's cycles (they record the mail, hand it to jobs, delete or move
what was processed). Each kill SIGKILLs, at a seeded random moment (half after a random
delay, half right after a random number of messages were done), one of: the process
running a started job (queue_job's ``worker_pid``; the server's master starts another;
the kill counts only when it landed inside the job), the whole server (restarted), or
the cycle. Mail is appended between kills. A dead job is requeued by queue_job's runner
at once rather than up to 70 s later (``_requeue_dead``). Then the server runs
undisturbed and cycles run until no message is new and no job is left (or a stall), and
the checks of ``faults.py`` compare the ledger, the tickets and the servers with what
was delivered.

Prints ``runs, kills, messages, lost, duplicated, wrong, stalled`` and the jobs by state;
all four counts must be 0.

``--runner-down`` runs another scenario instead: the cron's cycles with no job runner
(their jobs pile up pending), then the bridge uninstalled with those jobs pending, then
the main addon's cycles; the same checks.
"""

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import faults  # noqa: E402

BRIDGE = "helpdesk_mail_ticket_queue_job"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class QueueJobDatabase(faults.OdooDatabase):
    install = BRIDGE


class QueueJobExperiment(faults.Experiment):
    """The experiment of faults.py, its mail processed by queue jobs."""

    snapshot_addons = (faults.ADDON, BRIDGE)
    database_class = QueueJobDatabase

    def __init__(self, *args, workers=1, **kwargs):
        super().__init__(*args, **kwargs)
        self.workers = workers
        self.server = None
        self.port = None
        self.server_logs = 0
        self.killed = {"job process": 0, "server": 0, "cycle": 0}
        self.started_at_kill = 0  # jobs in state started when their process was killed
        # Kills of a job's own process that landed inside the job: the job still
        # started by the killed process afterwards (it died running it).
        self.landed = 0

    def __exit__(self, *exc_info):
        self.stop_server()  # and, through faults.py, Dovecot and the database
        return super().__exit__(*exc_info)

    def setup(self, addons):
        super().setup(addons)
        with contextlib.closing(self.db.connect()) as conn, conn.cursor() as cr:
            cr.execute("UPDATE mail_inbox SET use_queue_job = TRUE")
            conn.commit()

    # -- the job server ---------------------------------------------------------------------

    def start_server(self):
        self.port, gevent_port = free_port(), free_port()
        env = dict(
            os.environ,
            ODOO_QUEUE_JOB_CHANNELS=f"root:{self.workers}",
            ODOO_QUEUE_JOB_HOST="127.0.0.1",
            ODOO_QUEUE_JOB_PORT=str(self.port),
        )
        # odoo-bin when there is one: the prefork server starts its gevent process again
        # from sys.argv[0] (as bench/run).
        import odoo

        odoo_bin = Path(odoo.__path__[0]).parent / "odoo-bin"
        launcher = [str(odoo_bin)] if odoo_bin.is_file() else ["-m", "odoo"]
        self.server_logs += 1
        log = open(os.path.join(self.db.log_dir, f"server-{self.server_logs:03d}.log"), "wb")
        self.server = subprocess.Popen(
            [sys.executable, *launcher, f"--addons-path={self.db.addons}", "-d", self.db.name,
             f"--db-filter=^{self.db.name}$", "--load=base,web,queue_job",
             f"--workers={self.workers}", "--max-cron-threads=0", f"--http-port={self.port}",
             f"--gevent-port={gevent_port}", "--http-interface=127.0.0.1", "--log-level=warn",
             "--limit-time-real=600", "--limit-time-cpu=600", *self.db.db_args()],
            cwd=faults.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        self.server.log = log
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/web/health", timeout=5)
                return
            except OSError:
                if time.monotonic() > deadline or self.server.poll() is not None:
                    raise RuntimeError("the queue_job Odoo server did not start") from None
                time.sleep(0.5)

    def stop_server(self):
        if self.server:
            faults.kill_group(self.server)
            self.server = None

    def job_processes(self):
        """The server's HTTP worker processes (the ones that run jobs): children of the
        master with the master's own command line (forked), not its gevent process."""
        master = self.server.pid
        children = subprocess.run(
            ["ps", "--ppid", str(master), "-o", "pid=,args="],
            capture_output=True, text=True, check=False,
        ).stdout.splitlines()  # fmt: skip
        # The gevent process has "gevent" as its own argument; every forked process also
        # carries the master's --gevent-port=... (a substring test dropped them all).
        return [int(line.split()[0]) for line in children if "gevent" not in line.split()]

    # -- the kills --------------------------------------------------------------------------

    def torture(self):
        """Kill a job process, the server or a cycle at each round until the planned
        kills are done, with new mail before each round (a few more mails than asked
        once they are all delivered: a kill needs a job running)."""
        initial = int(self.total * 0.4)
        remaining = self.total - initial
        per_run = max(1, remaining // max(1, self.kills_planned))
        self.start_server()
        batch = initial
        victims = ["job process", "job process", "server", "cycle"]
        self.rng.shuffle(victims)
        while self.kills < self.kills_planned and self.runs < 5 * self.kills_planned:
            self.deliver(batch)
            remaining -= min(batch, remaining) if self.runs else 0
            cycle = self.db.start_fetch()
            self.runs += 1
            # One round in four, a second cycle at once (the cron and Fetch Now): both
            # may hand the same new mail to jobs.
            racer = self.db.start_fetch() if self.rng.random() < 0.25 else None
            self.runs += bool(racer)
            # Every four kills: two of a job's process, one of the server, one of a cycle,
            # in a seeded order; a kill that missed its job is tried again next round.
            victim = victims[self.kills % len(victims)]
            killed, how = self._kill(victim, cycle)
            if killed:
                self.kills += 1
                self.killed[victim] += 1
            self.log(f"run {self.runs}: {victim}: {how}{', two cycles' if racer else ''}")
            for process in filter(None, [cycle, racer]):
                if process.poll() is None:
                    process.wait(timeout=600)
                with contextlib.suppress(ValueError):
                    process.log.close()
            if self.server is None or self.server.poll() is not None:
                self.stop_server()
                self.start_server()
                with contextlib.closing(self.db.connect()) as conn:
                    conn.autocommit = True
                    self._requeue_dead(conn, timeout=30)  # the jobs the server ran
            batch = min(per_run, remaining) or 5
        self.deliver(remaining)
        return self.finish()

    def _kill(self, victim, cycle):
        if victim == "cycle":
            if self.rng.random() < 0.5:
                return self._kill_after_delay(cycle)
            return self._kill_after_progress(cycle)
        with contextlib.closing(self.db.connect()) as conn:
            conn.autocommit = True
            if not self._wait_for_started_job(conn, cycle):
                return False, "no job started"
            if self.rng.random() < 0.5:
                # A job of a few messages is done within a second: killed early in it.
                delay = self.rng.uniform(0, 0.3)
                time.sleep(delay)
                how = f"SIGKILL {delay:.2f} s after a job started"
            else:
                target = self.rng.randint(1, 3)  # inside the job's batch
                pause = self.rng.uniform(0, 0.05)
                base = self._done(conn)
                deadline = time.monotonic() + 60
                while self._done(conn) < base + target and time.monotonic() < deadline:
                    if not self._active_jobs(conn):
                        break
                    time.sleep(0.02)
                time.sleep(pause)
                how = f"SIGKILL {pause:.3f} s after {self._done(conn) - base} message(s) done"
            started = self._started_jobs(conn)
        how += f", {started} job(s) started"
        self.started_at_kill += started
        if victim == "server":
            self.stop_server()
            return True, how
        with contextlib.closing(self.db.connect()) as conn:
            conn.autocommit = True
            if not self._kill_started_job(conn):
                return False, how + ", the job ended before its process was killed"
        return True, how + ", inside it"

    def _wait_for_started_job(self, conn, cycle, timeout=90):
        """Whether a job started: as soon as the cycle enqueued it (a job of a few
        messages is done within a second), or once queue_job requeued a dead one."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._started_jobs(conn):
                return True
            if cycle.poll() is not None and not self._active_jobs(conn):
                return False
            time.sleep(0.01)
        return False

    def _kill_started_job(self, conn, uuid=None):
        """SIGKILL the process running a started job (``uuid``, or any); whether the
        kill landed inside the job (it is still started by the dead process after the
        kill). The dead job is then requeued at once (``_requeue_dead``)."""
        with conn.cursor() as cr:
            cr.execute(
                "SELECT uuid, worker_pid FROM queue_job WHERE state = 'started' "
                "AND (%s IS NULL OR uuid = %s) ORDER BY date_started DESC LIMIT 1",
                [uuid, uuid],
            )
            row = cr.fetchone()
        if not row or not row[1]:
            return False
        uuid, pid = row
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)
        deadline = time.monotonic() + 30
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        with conn.cursor() as cr:
            cr.execute("SELECT state, worker_pid FROM queue_job WHERE uuid = %s", [uuid])
            landed = cr.fetchone() == ("started", pid)
        self.landed += landed
        self._requeue_dead(conn, timeout=30)
        return landed

    def _requeue_dead(self, conn, timeout=0):
        """What queue_job's runner does to a job whose process died, now instead of up
        to 70 s later: it requeues a started job whose lock no live process holds only
        once enqueued for 10 s (a fence for the jobs not started yet) and only when it
        wakes (a notification, or its 60 s select timeout; both hard-coded). A started
        job whose process is dead and whose lock its dead backend released is dated
        back by those 10 s, and the runner woken: the requeue itself (lock free, retry
        counted, failed past max_retries) is still queue_job's. Waits up to ``timeout``
        seconds for the locks of the dead to be released; returns the dead jobs whose
        lock is still held."""
        deadline = time.monotonic() + timeout
        while True:
            with conn.cursor() as cr:
                cr.execute("SELECT id, worker_pid FROM queue_job WHERE state = 'started'")
                dead = [job_id for job_id, pid in cr.fetchall() if not pid or not _alive(pid)]
                # The runner's own test: a lock row nobody holds (the backend of a killed
                # process ends a moment after it).
                cr.execute(
                    "SELECT queue_job_id FROM queue_job_lock WHERE queue_job_id = ANY(%s) "
                    "FOR NO KEY UPDATE SKIP LOCKED",
                    [dead],
                )
                free = [row[0] for row in cr.fetchall()]
                if free:
                    cr.execute(
                        "UPDATE queue_job SET date_enqueued = LEAST(date_enqueued, "
                        "now() AT TIME ZONE 'utc' - interval '11 sec') "
                        "WHERE id = ANY(%s) AND state = 'started'",
                        [free],
                    )
                    cr.execute("NOTIFY queue_job, 'hmt-faults-wakeup'")
            held = len(dead) - len(free)
            if not held or time.monotonic() > deadline:
                return held
            time.sleep(0.05)

    @staticmethod
    def _started_jobs(conn):
        with conn.cursor() as cr:
            cr.execute("SELECT count(*) FROM queue_job WHERE state = 'started'")
            return cr.fetchone()[0]

    def poison_job(self, kills=3, parts=10_000, before=4):
        """A mail that takes seconds to process (``faults.poison_mail``) in one job's
        batch, between ordinary mails; the job process is SIGKILLed while it processes
        that mail, ``kills`` times (the ledger's MAX_ATTEMPTS): queue_job requeues the
        dead job each time. The mail must end set aside in error with its reason, the
        mail around it processed once: returns its ledger row (state, attempts, reason)."""
        login = next(login for login, box in self.boxes.items() if box["protocol"] == "imap")
        corpus = self.corpus[login]
        self._append(login, corpus.generate(before))
        message_id = f"poison.{os.getpid()}@client.example"
        raw = faults.poison_mail(corpus.callers[0], message_id, parts)
        uid = self.dovecot.append(login, raw)
        key = f"{self.dovecot.uidvalidity(login)}:{uid}"
        corpus.mails.append(faults.Mail(message_id, "error", raw, boxes=[login]))
        self._append(login, corpus.generate(3))
        inbox_id = self.boxes[login]["inbox_id"]
        self._cycle()  # hands the mail to jobs
        with contextlib.closing(self.db.connect()) as conn:
            conn.autocommit = True
            for attempt in range(1, kills + 1):
                if not self._kill_job_while_processing(conn, inbox_id, key, attempt):
                    raise AssertionError(f"the poison's attempt {attempt} never came")
                self.kills += 1
                self.killed["job process"] += 1
                self.log(f"SIGKILL of the job processing the poison ({attempt})")
        self.finish()
        with contextlib.closing(self.db.connect()) as conn, conn.cursor() as cr:
            cr.execute(
                "SELECT state, attempts, reason FROM mail_inbox_message "
                "WHERE inbox_id = %s AND uid = %s",
                [inbox_id, key],
            )
            return cr.fetchone()

    def _kill_job_while_processing(self, conn, inbox_id, key, attempt, timeout=300):
        """SIGKILL the process of the job holding the line ``key`` once the line is new
        with ``attempt`` attempts counted (its processing under way): whether the kill
        landed inside the job; queue_job requeues the job."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with conn.cursor() as cr:
                cr.execute(
                    "SELECT state, attempts FROM mail_inbox_message "
                    "WHERE inbox_id = %s AND uid = %s",
                    [inbox_id, key],
                )
                row = cr.fetchone()
            if row == ("new", attempt):
                time.sleep(0.2)  # well inside the seconds its processing takes
                with conn.cursor() as cr:
                    cr.execute(
                        "SELECT uuid FROM queue_job WHERE state = 'started' AND "
                        "(records #>> '{}')::jsonb -> 'ids' @> to_jsonb(ARRAY[("
                        "SELECT id FROM mail_inbox_message WHERE inbox_id = %s AND uid = %s)])",
                        [inbox_id, key],
                    )
                    job = cr.fetchone()
                return bool(job) and self._kill_started_job(conn, job[0])
            if row and row[0] != "new":
                return False
            time.sleep(0.02)
        return False

    def runner_down_then_uninstalled(self, cycles=3, per_cycle=5):
        """No job runner while the cron's cycles run (each hands the new mail to jobs),
        then the bridge uninstalled with those jobs pending (its uninstall hook deletes
        them), then the main addon's cycles until nothing is new. Returns the pending
        jobs before the uninstallation, the lines in more than one of them, and the
        jobs left after it."""
        self.deliver(int(self.total * 0.8))
        for _cycle in range(cycles):
            self._cycle()
            self.deliver(per_cycle)
        with contextlib.closing(self.db.connect()) as conn, conn.cursor() as cr:
            cr.execute("SELECT count(*) FROM queue_job WHERE state = 'pending'")
            pending = cr.fetchone()[0]
            cr.execute(SEVERAL_JOBS_QUERY)
            several = len(cr.fetchall())
        self.db.script(UNINSTALL_CODE, {})
        with contextlib.closing(self.db.connect()) as conn, conn.cursor() as cr:
            cr.execute("SELECT count(*) FROM queue_job")
            left = cr.fetchone()[0]
        self.deliver(max(0, self.total - sum(len(c.mails) for c in self.corpus.values())))
        for _cycle in range(5):
            self._cycle()
            if not self.pending():
                break
        self._cycle()  # the server side of the last ones
        return pending, several, left

    def finish(self, timeout=1800, patience=3, job_wait=60):
        """The server undisturbed, cycles until no message is new and no job is left,
        then one more cycle (the server side of what the jobs processed). Stops at
        ``patience`` cycles in a row that left as many messages new and no job done
        (a stall: queue_job not requeuing a dead job, the bridge not enqueuing a
        message again): the messages still new are then the verdict's ``stalled``."""
        deadline = time.monotonic() + timeout
        last, idle = None, 0
        with contextlib.closing(self.db.connect()) as conn:
            conn.autocommit = True
            while time.monotonic() < deadline:
                self._cycle()
                wait_until = time.monotonic() + job_wait
                while time.monotonic() < wait_until:
                    if not self._active_jobs(conn):
                        break
                    self._requeue_dead(conn)  # a job of a killed server, or cycle
                    time.sleep(0.2)
                if not self.pending() and not self._active_jobs(conn):
                    self._cycle()
                    return True
                progress = (self.pending(), self._done_jobs(conn))
                idle = idle + 1 if progress == last else 0
                last = progress
                if idle >= patience - 1:
                    self.log(f"stalled: {progress[0]} new, no job done in {patience} cycles")
                    return False
        raise AssertionError(f"messages still new after {timeout} s: {self.pending()}")

    @staticmethod
    def _done_jobs(conn):
        with conn.cursor() as cr:
            cr.execute("SELECT count(*) FROM queue_job WHERE state IN ('done', 'failed')")
            return cr.fetchone()[0]

    def _cycle(self):
        process = self.db.start_fetch()
        self.runs += 1
        try:
            process.wait(timeout=600)
        finally:
            faults.kill_group(process)

    @staticmethod
    def _active_jobs(conn):
        with conn.cursor() as cr:
            cr.execute("SELECT count(*) FROM queue_job WHERE state NOT IN ('done', 'failed')")
            return cr.fetchone()[0]

    def jobs(self):
        with contextlib.closing(self.db.connect()) as conn, conn.cursor() as cr:
            cr.execute("SELECT state, count(*) FROM queue_job GROUP BY 1 ORDER BY 1")
            jobs = dict(cr.fetchall())
            cr.execute("SELECT exc_name, count(*) FROM queue_job WHERE state = 'failed' GROUP BY 1")
            failed = dict(cr.fetchall())
            cr.execute("SELECT count(*) FROM queue_job WHERE retry > 1")  # run again
            retried = cr.fetchone()[0]
            # Lines handed to more than one job (a job given up, a reply handed on, two
            # cycles at once): harmless when each is processed once, counted to see it.
            cr.execute(SEVERAL_JOBS_QUERY)
            return jobs, failed, retried, len(cr.fetchall())


def _alive(pid):
    """Whether the process ``pid`` runs (a zombie child of the master does not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


# The lines handed to more than one job.
SEVERAL_JOBS_QUERY = """
    SELECT count(*) FROM (
        SELECT jsonb_array_elements_text((records #>> '{}')::jsonb -> 'ids') AS id
          FROM queue_job WHERE method_name = '_process_job'
    ) ids GROUP BY id HAVING count(*) > 1"""

UNINSTALL_CODE = f"""
    module = env["ir.module.module"].search([("name", "=", "{BRIDGE}")])
    module.button_immediate_uninstall()
    cr.commit()
    print(json.dumps(module.state))
"""


def runner_down(messages, seed, verbose=False):
    """``--runner-down``: no runner while cycles run, then the bridge uninstalled."""
    with QueueJobExperiment(messages, 0, seed, verbose=verbose) as experiment:
        experiment.setup(faults.addons_path())
        pending, several, left = experiment.runner_down_then_uninstalled()
        report = experiment.verify()
        problems = report["lost"] + report["duplicated"] + report["wrong"] + report["stalled"]
        for problem in problems:
            print(problem)
        print(
            f"runner down: {pending} jobs pending, {several} lines in several jobs; "
            f"uninstalled: {left} jobs left; messages {report['messages']}, lost "
            f"{len(report['lost'])}, duplicated {len(report['duplicated'])}, wrong "
            f"{len(report['wrong'])}, stalled {len(report['stalled'])}"
        )
        if problems:
            os.environ["HMT_KEEP_DB"] = "1"
        return 1 if problems else 0


def run(messages, kills, seed, min_delay, max_delay, workers, verbose=False):
    addons = faults.addons_path()
    if not addons:
        raise RuntimeError("Odoo is not importable by this Python")
    with QueueJobExperiment(
        messages, kills, seed, min_delay, max_delay, verbose, workers=workers
    ) as experiment:
        experiment.setup(addons)
        experiment.torture()
        poison = experiment.poison_job()
        report = experiment.verify()
        report["poison"] = poison
        report["jobs"], report["failed_jobs"], report["retried"], report["rejobbed"] = (
            experiment.jobs()
        )
        report["started_at_kill"] = experiment.started_at_kill
        report["landed"] = experiment.landed
        report["failed_logs"] = experiment.db.failed_logs()
        report["killed"] = experiment.killed
        if report["lost"] or report["duplicated"] or report["wrong"] or report["stalled"]:
            os.environ["HMT_KEEP_DB"] = "1"
            print(f"database kept: {experiment.db.name}", file=sys.stderr)
        return report


def main():
    # Ended by SIGTERM too (a run in the background ignores SIGINT): cleaned up as on Ctrl-C.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--kills", type=int, default=12)
    parser.add_argument("--workers", type=int, default=1, help="job-running Odoo processes")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--min-delay", type=float, default=1.0)
    parser.add_argument("--max-delay", type=float, default=8.0)
    parser.add_argument("--verbose", "-v", action="store_true")
    parser.add_argument(
        "--runner-down",
        action="store_true",
        help="instead: cycles with no job runner, then the bridge uninstalled, then cycles",
    )
    options = parser.parse_args()
    if options.runner_down:
        return runner_down(options.messages, options.seed, options.verbose)
    started = time.monotonic()
    report = run(
        options.messages, options.kills, options.seed, options.min_delay, options.max_delay,
        options.workers, options.verbose,
    )  # fmt: skip
    problems = report["lost"] + report["duplicated"] + report["wrong"] + report["stalled"]
    for problem in problems:
        print(problem)
    if options.verbose and report["failed_logs"]:
        print(report["failed_logs"][-20000:])
    print(f"poison killed with its job 3 times: {report['poison']}")
    print(
        f"workers {options.workers}, runs {report['runs']}, kills {report['kills']} "
        f"{report['killed']}, messages {report['messages']}, lost {len(report['lost'])}, "
        f"duplicated {len(report['duplicated'])}, wrong {len(report['wrong'])}, "
        f"stalled {len(report['stalled'])}, jobs {report['jobs']}, failed "
        f"{report['failed_jobs']}, retried {report['retried']}, lines in several jobs "
        f"{report['rejobbed']}, jobs started at the kills "
        f"{report['started_at_kill']}, job process kills inside a job {report['landed']}, "
        f"{time.monotonic() - started:.0f} s"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
