# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Ledger changes that must leave the idle POP3 skip a trace: a line's stamp leaves
its inbox with the line (deleted, or moved to another inbox, after a change the
remembered snapshot did not see set it off the server), or the ledger is truncated.
The mail still listed is recorded again by the next cycle, as the full comparison did.

These tests commit for real, as those of test_pop3_idle (whose helpers they use)."""

from odoo.tests import tagged

from .test_pop3_idle import Pop3IdleCase


@tagged("post_install", "-at_install")
class TestAttackPop3Stamps(Pop3IdleCase):
    def _set_first_off(self, inbox):
        """Another worker (an older session, a DELE whose QUIT was lost) sets the
        inbox's first line off the server, the mail still there; committed. Returns
        the line's id."""
        other = self._real_env()
        other.cr.execute(
            "UPDATE mail_inbox_message SET on_server = FALSE WHERE id = "
            "(SELECT min(id) FROM mail_inbox_message WHERE inbox_id = %s) RETURNING id",
            [inbox.id],
        )
        line_id = other.cr.fetchone()[0]
        other.cr.commit()
        return line_id

    def test_line_set_off_then_deleted_is_recorded_again(self):
        # Off the server, a user may delete the line (unlink allows it); both before
        # the next cycle: the line's stamp goes with it.
        env, _login, inbox = self._committed_inbox()
        self.cycle(inbox)
        self.cycle(inbox)
        line_id = self._set_first_off(inbox)
        other = self._real_env()
        other.cr.execute("DELETE FROM mail_inbox_message WHERE id = %s", [line_id])
        other.cr.commit()
        self.assertEqual(self.cycle(inbox)["new"], 1, "the mail still listed is recorded again")
        self.set_done(env, inbox)
        self.assert_all_on_server(env, inbox)

    def test_line_set_off_then_moved_to_another_inbox_is_recorded_again(self):
        env, _login, inbox = self._committed_inbox()
        _env, _other_login, elsewhere = self._committed_inbox(count=0)
        self.cycle(inbox)
        self.cycle(inbox)
        line_id = self._set_first_off(inbox)
        other = self._real_env()
        other.cr.execute(
            "UPDATE mail_inbox_message SET inbox_id = %s WHERE id = %s", [elsewhere.id, line_id]
        )
        other.cr.commit()
        self.assertEqual(self.cycle(inbox)["new"], 1, "the mail still listed is recorded again")
        self.set_done(env, inbox)
        self.assert_all_on_server(env, inbox)

    def test_truncated_ledger_is_recorded_again(self):
        # TRUNCATE fires no row trigger: the whole ledger gone, the listing unchanged.
        env, _login, inbox = self._committed_inbox()
        self.cycle(inbox)
        self.cycle(inbox)
        other = self._real_env()
        other.cr.execute("SET lock_timeout = '10s'")
        other.cr.execute("TRUNCATE mail_inbox_message CASCADE")  # the test wizards too
        other.cr.commit()
        self.assertEqual(self.cycle(inbox)["new"], 4, "the mail still listed is recorded again")
        self.set_done(env, inbox)
        self.assert_all_on_server(env, inbox)

    def test_message_deleted_by_another_client_leaves_the_ledger_on_the_server(self):
        # The listing changes, the ledger does not: only the digest tells.
        env, login, inbox = self._committed_inbox()
        self.cycle(inbox)
        self.cycle(inbox)
        with self.dovecot.imap(login, "INBOX") as client:
            client.uid("STORE", "1", "+FLAGS", "(\\Deleted)")
            client.expunge()
        self.cycle(inbox)
        self.assert_all_on_server(env, inbox, count=3)
        self.assertEqual(len(self.lines(env, inbox)), 4)
