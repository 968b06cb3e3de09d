"""Two Odoo processes polling the same inboxes at the same time make no duplicate.

Real ``helpdesk_fetch`` processes on a fresh database and a private Dovecot (an IMAP
mailbox kept, a POP3 mailbox deleted, a third of the requests delivered to both), started
in pairs, several rounds with new mail in between. Skipped only when Odoo is not
importable.
"""


def test_two_processes_on_the_same_inboxes_make_no_duplicate(faults, addons):
    # No replies: which of two racing workers sees a reply's parent first is a matter
    # of timing, not of duplicates. Every other outcome is exact.
    with faults.Experiment(
        messages=240, kills=0, seed=4242, reply_ratio=0.0, shared_ratio=0.35
    ) as experiment:
        experiment.setup(addons)
        codes = experiment.race(rounds=3, processes=2)
        assert codes == [0] * 6, f"a fetch process failed:\n{experiment.db.failed_logs()}"
        experiment.finish()
        report = experiment.verify()
        with experiment.db.connect() as conn, conn.cursor() as cr:
            cr.execute("SELECT count(*) FROM mail_inbox_message WHERE action = 'duplicate'")
            duplicates_recognised = cr.fetchone()[0]
    assert duplicates_recognised > 0, "no mail reached both inboxes: the race was not tried"
    assert report["lost"] == []
    assert report["duplicated"] == []
    assert report["wrong"] == []
