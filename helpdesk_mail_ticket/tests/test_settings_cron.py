# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import time
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from ..mailharness.proxy import FaultProxy
from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestSettings(MailTicketCase):
    def _settings(self, **values):
        form = Form(self.env["res.config.settings"])
        for name, value in values.items():
            setattr(form, name, value)
        return form

    def test_defaults_are_itop_defaults(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.hmt_periodicity, 30)
        self.assertEqual(settings.hmt_body_parts_order, "text/html,text/plain")
        self.assertEqual(settings.hmt_maximum_email_size, "10M")
        self.assertEqual(settings.hmt_images_minimum_size, "100x20")
        self.assertEqual(settings.hmt_pop3_auth_option, "USER")
        self.assertIn("/^Out Of Office/i", settings.hmt_undesired_subject_patterns)
        self.assertFalse(settings.hmt_use_message_id_as_uid)

    def test_settings_persist_and_are_used(self):
        self._settings(
            hmt_undesired_subject_patterns="/^Ticket received/i",
            hmt_maximum_email_size="1K",
            hmt_periodicity=45,
        ).save().execute()
        params = self.env["ir.config_parameter"]
        self.assertEqual(params.get_param("helpdesk_mail_ticket.periodicity"), "45")
        self.assertEqual(self.env["res.config.settings"].create({}).hmt_maximum_email_size, "1K")
        self.deliver(make_email(subject="Ticket received: 42", message_id="<st-1@client.example>"))
        self.deliver(make_email(body="x" * 3000, message_id="<st-2@client.example>"))
        self.deliver(make_email(subject="About printers", message_id="<st-3@client.example>"))
        self.fetch()
        by_id = {m.message_id: m for m in self.ledger()}
        self.assertEqual(by_id["st-1@client.example"].state, "undesired")
        too_big = self.ledger().filtered(lambda m: m.state == "error")
        self.assertEqual(len(too_big), 1)
        self.assertIn("too big", too_big.reason)
        self.assertEqual(by_id["st-3@client.example"].action, "created")

    def test_invalid_pattern_refused_with_reason(self):
        with self.assertRaises(ValidationError) as caught:
            self._settings(hmt_multiline_delimiter_patterns="/(unclosed/").save().execute()
        self.assertIn("unclosed", str(caught.exception))
        with self.assertRaises(ValidationError):
            self._settings(hmt_maximum_email_size="ten megs").save().execute()

    def test_a_timeout_or_budget_that_stops_every_poll_is_refused(self):
        # A timeout of 0 s makes every connection fail (the mail source refuses it); a
        # negative budget has every cron run process nothing: all mail waits.
        for values in ({"hmt_socket_timeout": 0}, {"hmt_max_messages_per_run": -1}):
            with self.assertRaises(ValidationError, msg=str(values)):
                self._settings(**values).save().execute()
        self._settings(hmt_max_messages_per_run=0).save().execute()  # 0: no limit

    def test_a_stored_timeout_of_0_does_not_block_other_settings(self):
        # A timeout stored as "0" before the check existed (a system parameter): Odoo and
        # other apps save the settings for their own fields (stock does when a second
        # warehouse is created, l10n_ch at install); those saves must go on. This save
        # writes 0 as Odoo does (the parameter removed: the default timeout).
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("helpdesk_mail_ticket.socket_timeout", "0")
        params.set_param("helpdesk_mail_ticket.max_messages_per_run", "-1")
        self.env["res.config.settings"].create({"hmt_periodicity": 60}).execute()
        self.assertEqual(params.get_param("helpdesk_mail_ticket.periodicity"), "60")

    def test_a_budget_of_0_saved_in_settings_means_no_limit(self):
        # The settings tell the admin "0: no limit": saved, 0 must stay 0 (Odoo deletes
        # an integer parameter of 0, which the cron then reads as its default, 500).
        self._settings(hmt_max_messages_per_run=0).save().execute()
        params = self.env["mail.inbox"]._get_global_params()
        self.assertEqual(params.get("max_messages_per_run"), "0")
        self.assertEqual(self.env["res.config.settings"].create({}).hmt_max_messages_per_run, 0)

    def test_sub_address_separators_are_a_setting(self):
        # The separators of sub-addresses (Postfix's and Dovecot's recipient_delimiter)
        # decide which senders are our own mailboxes: an admin sets them in the settings,
        # not only by a system parameter, and a value that would make every address
        # a sub-address of another (a letter, "@", a space) is refused with the reason.
        self.assertEqual(self.env["res.config.settings"].create({}).hmt_recipient_delimiter, "+")
        local, _at, domain = self.mailbox_login.partition("@")
        self.assertFalse(self.inbox._is_own_address(f"{local}-web@{domain}"))
        self._settings(hmt_recipient_delimiter="+-").save().execute()
        params = self.env["ir.config_parameter"]
        self.assertEqual(params.get_param("helpdesk_mail_ticket.recipient_delimiter"), "+-")
        self.assertTrue(self.inbox._is_own_address(f"{local}-web@{domain}"))
        self.assertEqual(self.env["res.config.settings"].create({}).hmt_recipient_delimiter, "+-")
        for value in ("a", "+@", "+ -", "+,", "é"):
            with self.subTest(value=value), self.assertRaises(ValidationError) as caught:
                self._settings(hmt_recipient_delimiter=value).save().execute()
            self.assertIn("separator", str(caught.exception))
        self.assertEqual(params.get_param("helpdesk_mail_ticket.recipient_delimiter"), "+-")
        # "." as Postfix and Dovecot allow it: support.web@ reaches support@.
        self._settings(hmt_recipient_delimiter="+.").save().execute()
        self.assertTrue(self.inbox._is_own_address(f"{local}.web@{domain}"))
        # Set by hand as a system parameter, a letter is no separator either.
        params.set_param("helpdesk_mail_ticket.recipient_delimiter", "s-")
        self.assertEqual(self.inbox._get_recipient_delimiters(), "-")
        self.assertFalse(self.inbox._is_own_address(f"{local}sx@{domain}"))
        # Stored so before the check existed, it does not block another app's save of
        # the settings (stock saves them all when a second warehouse is made).
        self.env["res.config.settings"].create({"hmt_periodicity": 61}).execute()
        self.assertEqual(params.get_param("helpdesk_mail_ticket.periodicity"), "61")

    def test_invalid_title_pattern_refused(self):
        with self.assertRaises(ValidationError):
            self.inbox.title_pattern = "/R-([0-9]{6}/"


@tagged("post_install", "-at_install")
class TestCron(MailTicketCase):
    def test_cron_polls_active_inboxes_and_schedules_the_next_poll(self):
        self.env["mail.inbox"].search([("id", "!=", self.inbox.id)]).active = False
        login, password = self.new_mailbox()
        archived = self.create_inbox(login, password, active=False)
        self.deliver(make_email(message_id="<cr-1@client.example>"))
        self.deliver(make_email(message_id="<cr-2@client.example>"), login=login)
        cron = self.env.ref("helpdesk_mail_ticket.ir_cron_mail_inbox_fetch")
        self.assertEqual(cron.interval_type, "minutes")
        before = fields.Datetime.now()
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.periodicity", "20")
        self.env["mail.inbox"]._cron_fetch()
        self.assertEqual(self.ledger().state, "processed")
        self.assertFalse(self.ledger(archived), "an archived inbox is not polled")
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        self.assertTrue(
            any(
                before + timedelta(seconds=15) <= t.call_at <= before + timedelta(seconds=60)
                for t in triggers
            ),
            "the next poll is triggered periodicity seconds later",
        )

    def test_cron_connects_the_next_inboxes_while_it_polls_one(self):
        """A cron run over several inboxes opens the next ones' connections (LOGIN,
        SELECT) while it polls the first, instead of one after the other: a run over
        many inboxes waits for several servers at once. Every inbox's mail is still
        processed in its own cycle, and a wrong password still fails its inbox only."""
        self.env["mail.inbox"].search([]).active = False
        with FaultProxy(self.dovecot.imap_port) as proxy:
            inboxes, logins = self.env["mail.inbox"], []
            for number in range(4):
                login, password = self.new_mailbox()
                if number == 2:
                    password = "wrong-" + password
                inboxes |= self.create_inbox(login, password, port=proxy.port, sequence=number)
                logins.append(login)
                self.deliver(make_email(message_id=f"<ahead-{number}@client.example>"), login=login)
            opened = []
            original = type(inboxes)._fetch_from_source

            def fetch_from_source(inbox, source, limit):
                if not opened:  # the first inbox's cycle: have the others connected?
                    deadline = time.monotonic() + 10
                    while proxy.connections < 4 and time.monotonic() < deadline:
                        time.sleep(0.05)
                    opened.append(proxy.connections)
                return original(inbox, source, limit)

            with patch.object(type(inboxes), "_fetch_from_source", fetch_from_source):
                self.env["mail.inbox"]._cron_fetch()
        self.assertEqual(opened, [4], "the other inboxes connected while the first was polled")
        for number, inbox in enumerate(inboxes):
            if number == 2:
                self.assertEqual(inbox.state, "error")
                self.assertIn("rejected the login", inbox.last_error)
                self.assertFalse(self.ledger(inbox))
            else:
                self.assertEqual(inbox.state, "ok", inbox.last_error)
                self.assertEqual(self.ledger(inbox).state, "processed")

    def test_an_inbox_whose_connection_cannot_be_prepared_fails_alone(self):
        """An inbox whose connection settings cannot even be prepared (a timeout that
        is no number, a login with a line break) fails its own cycle with the reason,
        whether the cron prepares its connection ahead or in its turn: the cron run
        goes on with the other inboxes."""
        inboxes = self.only_inboxes_with_mail(3, "prep")
        broken = inboxes[1]
        self.env.cr.execute(
            "UPDATE mail_inbox SET login = %s WHERE id = %s", [broken.login + "\nx", broken.id]
        )
        broken.invalidate_recordset(["login"])
        with self.assertLogs("odoo.addons.helpdesk_mail_ticket.models.mail_inbox", "ERROR"):
            self.env["mail.inbox"]._cron_fetch()
        self.assertEqual(broken.state, "error")
        self.assertIn("line breaks", broken.last_error)
        for inbox in inboxes - broken:
            self.assertEqual(inbox.state, "ok", inbox.last_error)
            self.assertEqual(self.ledger(inbox).state, "processed")

    def test_cron_caps_each_run(self):
        self.env["mail.inbox"].search([("id", "!=", self.inbox.id)]).active = False
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.max_messages_per_run", "2")
        for number in range(5):
            self.deliver(make_email(message_id=f"<cap-{number}@client.example>"))
        self.env["mail.inbox"]._cron_fetch()
        self.assertEqual(self.ledger().mapped("state").count("processed"), 2)
        self.env["mail.inbox"]._cron_fetch()
        self.env["mail.inbox"]._cron_fetch()
        self.assertEqual(set(self.ledger().mapped("state")), {"processed"})
