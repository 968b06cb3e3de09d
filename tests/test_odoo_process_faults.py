"""Fault injection on real Odoo processes: SIGKILL ``helpdesk_fetch`` at random moments.

A fresh database with the addon, a private Dovecot with an IMAP mailbox (mail kept) and a
POP3 mailbox (mail deleted), a few hundred generated messages, and fetch processes killed
at seeded random moments while more mail arrives; then every message must have exactly
one outcome. The engine is ``bench/faults.py`` (its long run is the benchmark).

Skipped only when Odoo is not importable; any failure once Odoo is there fails.
"""

import os
import subprocess

import psycopg2


def test_sigkill_at_random_moments_loses_and_duplicates_nothing(faults, addons):
    with faults.Experiment(messages=300, kills=8, seed=20261125, min_delay=1.5,
                           max_delay=6.0) as experiment:  # fmt: skip
        experiment.setup(addons)
        experiment.torture()
        report = experiment.verify()
        # Inside the experiment: a failure keeps its logs (printed on stderr).
        assert report["kills"] == 8
        assert report["messages"] >= 300
        assert report["lost"] == []
        assert report["duplicated"] == []
        assert report["wrong"] == []
        assert report["stalled"] == []
        # Then a mail whose processing is killed every time: set aside after the
        # ledger's attempts, never blocking the mail after it (checked by verify).
        poison = experiment.poison(kills=3)
        after = experiment.verify()
        assert poison[0] == "error", poison
        assert poison[1] == 3 and "failed 3 times" in poison[2], poison
        assert after["lost"] == [] and after["duplicated"] == [] and after["wrong"] == []
        assert after["stalled"] == []
        assert after["kills"] == 11


def test_poison_in_the_middle_of_a_batch_is_set_aside_alone(faults, addons):
    """A mail that kills its worker every time, among new mail processed in one batch:
    the batch dies with it (nothing committed), each of its mails goes alone from then
    on; only the poison ends in error, after the ledger's attempts, and the mail around
    it is processed exactly once (checked by verify)."""
    with faults.Experiment(messages=20, kills=0, seed=20261205) as experiment:
        experiment.setup(addons)
        experiment.deliver(20)
        experiment.finish()
        poison = experiment.poison(kills=3, before=3)
        report = experiment.verify()
        with experiment.db.connect() as conn, conn.cursor() as cr:
            cr.execute(
                """SELECT m.state, m.attempts FROM mail_inbox_message m
                     JOIN mail_inbox_message p ON p.inbox_id = m.inbox_id
                    WHERE p.reason LIKE '%%failed 3 times%%' AND m.id <> p.id
                      AND m.id BETWEEN p.id - 3 AND p.id + 3 ORDER BY m.id"""
            )
            neighbours = cr.fetchall()
    # Each neighbour: the attempt of the batch that died, then its own.
    assert neighbours == [("processed", 2)] * 6, neighbours
    assert poison[0] == "error", poison
    assert poison[1] == 3 and "failed 3 times" in poison[2], poison
    assert report["stalled"] == [], report["stalled"]
    assert report["lost"] == [] and report["duplicated"] == [] and report["wrong"] == []


def test_message_refused_at_every_download_never_stalls_its_inbox(faults, addons):
    """IMAP NO to the FETCH of one message, POP3 -ERR to its RETR, at every try: set
    aside in error within the ledger's attempts, the mail after it processed."""
    with faults.Experiment(messages=40, kills=0, seed=20261204) as experiment:
        experiment.setup(addons)
        experiment.deliver(40)
        experiment.finish()
        refused = experiment.refused_download(attempts=3)
        report = experiment.verify()
    assert report["stalled"] == [], report["stalled"]
    assert [row[:2] for row in refused] == [("error", 3), ("error", 3)], refused
    assert all("Message damaged" in row[2] for row in refused), refused
    assert report["lost"] == [] and report["duplicated"] == [] and report["wrong"] == []


def test_message_whose_download_kills_the_connection_never_stalls_its_inbox(faults, addons):
    """The IMAP connection reset at every download of one message: each run fails, and
    the run after the ledger's attempts sets it aside, kept on the server; the mail
    after it is processed."""
    with faults.Experiment(messages=20, kills=0, seed=20261204) as experiment:
        experiment.setup(addons)
        experiment.deliver(20)
        experiment.finish()
        refused = experiment.refused_download(attempts=3, reset=True)
        report = experiment.verify()
    assert report["stalled"] == [], report["stalled"]
    assert [row[0] for row in refused] == ["error"], refused
    assert "died 3 times in a row" in refused[0][2], refused
    assert report["lost"] == [] and report["duplicated"] == [] and report["wrong"] == []


def test_oversize_mail_on_a_delete_inbox_is_never_lost(faults, addons):
    """Over maximum_email_size on an inbox deleting its errors and processed mail: kept
    on the server while no big_files_dir is set; then saved whole (the fetch killed
    while it writes the file), its ticket made from its small parts, and only then
    deleted from the server."""
    with faults.Experiment(messages=30, kills=1, seed=20261204) as experiment:
        experiment.setup(addons)
        experiment.torture()
        kills = experiment.kills
        kept, saved = experiment.oversize(megabytes=16)
        report = experiment.verify()
    assert experiment.kills == kills + 1, "the fetch was not killed while saving the file"
    assert kept == ("error", True, None), kept
    assert saved == ("processed", False, True), saved
    assert report["lost"] == [] and report["duplicated"] == [] and report["wrong"] == []


def test_a_database_still_used_by_a_killed_workers_session_is_dropped(faults, tmp_path):
    # An experiment drops its database at its end; the backend of a worker it killed may
    # not have noticed yet (or a worker still runs): dropdb refused it ("is being
    # accessed by other users"), silently, and the run left a database behind.
    database = faults.OdooDatabase(f"hmt_faults_drop_{os.getpid()}", "", str(tmp_path))
    subprocess.run(
        ["createdb", "-h", faults.DB_HOST, "-p", faults.DB_PORT, "-U", faults.DB_USER,
         database.name],
        check=True,
    )  # fmt: skip
    held = psycopg2.connect(
        host=faults.DB_HOST, port=faults.DB_PORT, user=faults.DB_USER, dbname=database.name
    )
    try:
        database.drop()
        check = psycopg2.connect(
            host=faults.DB_HOST, port=faults.DB_PORT, user=faults.DB_USER, dbname="postgres"
        )
        try:
            with check.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database.name])
                left = cursor.fetchone()
        finally:
            check.close()
    finally:
        held.close()
        subprocess.run(
            ["dropdb", "--if-exists", "-h", faults.DB_HOST, "-p", faults.DB_PORT, "-U",
             faults.DB_USER, database.name],
            check=False,
        )  # fmt: skip
    assert left is None, f"{database.name} left behind"
