# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Import of an iTop configuration: config-itop.php settings and MailInbox CSV exports."""

import base64

from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from ..mailparse import Settings
from .common import sample

ITOP = "itop/"


@tagged("post_install", "-at_install")
class TestItopImport(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="hmt_itop_manager",
            groups="helpdesk_mail_ticket.group_helpdesk_mail_ticket_manager",
        )
        cls.agent = new_test_user(
            cls.env,
            login="hmt_itop_agent",
            groups="helpdesk_mail_ticket.group_helpdesk_mail_ticket_user",
        )
        cls.sysadmin = new_test_user(
            cls.env,
            login="hmt_itop_sysadmin",
            groups="base.group_system,helpdesk_mail_ticket.group_helpdesk_mail_ticket_manager",
        )

    def run_import(self, config=None, inboxes=None, user=None):
        vals = {}
        if config:
            vals["config_file"] = base64.b64encode(sample(ITOP + config))
        if inboxes:
            vals["inbox_file"] = base64.b64encode(sample(ITOP + inboxes))
        # The global settings are a Settings administrator's; the inboxes a manager's.
        user = user or (self.sysadmin if config else self.manager)
        model = self.env["helpdesk.mail.ticket.itop.import"].with_user(user)
        wizard = model.create(vals)
        wizard.action_import()
        self.assertEqual(wizard.state, "done")
        return wizard

    def params(self):
        return self.env["mail.inbox"]._get_global_params()

    def inbox(self, login):
        return (
            self.env["mail.inbox"].with_context(active_test=False).search([("login", "=", login)])
        )

    def test_config_file_sets_every_global_setting(self):
        wizard = self.run_import(config="config-itop.php")
        params = self.params()
        self.assertEqual(params["debug"], "True")
        self.assertEqual(params["periodicity"], "60")
        self.assertEqual(params["body_parts_order"], "text/html,text/plain")
        self.assertEqual(params["pop3_auth_option"], "USER")
        self.assertEqual(params["imap_options"], "imap,novalidate-cert")
        self.assertEqual(
            params["exclude_attachment_types"], "application/exe\napplication/x-msdownload"
        )
        self.assertEqual(params["maximum_email_size"], "20M")
        self.assertEqual(
            params["introductory-patterns"].split("\n"),
            ["/^le .+ a écrit :$/i", "/^on .+ wrote:$/i", "|^[0-9]{4}/[0-9]{1,2}/[0-9]{1,2} .+:$|"],
        )
        # PHP-string semantics: '/\\RFrom: .+/m' in the file is the pattern /\RFrom: .+/m.
        self.assertEqual(
            params["multiline-delimiter-patterns"].split("\n"),
            [
                r"/\RFrom: .+\RSent: .+\R/m",
                r"/\R_+\R/m",
                r"/\RDe : .+\R\R?Envoyé : /m",
                r"/\RDe : .+\RDate d'envoi : .+\R/m",
                r"/\R-----Message d'origine-----\R/m",
                r"/\RExpéditeur: .+\RDate:/m",
                r"/\RDe : .+\RDate : /m",
                r"/\RVon: .+\RGesendet: /m",
            ],
        )
        self.assertIn(r"/\TO:.+\RCC:/m", wizard.result, "the skipped invalid pattern is reported")
        self.assertEqual(params["big_files_dir"], "/var/lib/itop/big-emails")
        self.assertNotIn("use_message_id_as_uid", params)  # false: not set
        self.assertEqual(params["images_minimum_size"], "100x20")
        self.assertEqual(params["images_maximum_size"], "1000x1000")
        self.assertEqual(
            params["undesired-subject-patterns"].split("\n"),
            [
                "/^Out Of Office/i",
                "/^Automatic answer$/i",
                "/^Réponse automatique:/",
                "/^Abwesenheitsnotiz/i",
            ],
        )
        # public_log is our chatter (no line); private_log does not exist here: reported.
        self.assertNotIn("ticket_log", params)
        self.assertIn("private_log", wizard.result)
        # What was imported is what the email core runs with.
        settings = self.env["mail.inbox"]._get_parse_settings()
        self.assertEqual(settings.maximum_email_size, 20 * 1024 * 1024)
        self.assertEqual(settings.images_maximum_size, (1000, 1000))
        self.assertEqual(settings.exclude_attachment_types[1], "application/x-msdownload")
        self.assertEqual(settings.multiline_delimiter_patterns[0], r"/\RFrom: .+\RSent: .+\R/m")
        self.assertNotEqual(settings, Settings())
        # The settings page shows them and saves them back without complaint.
        config = self.env["res.config.settings"].create({})
        self.assertEqual(config.hmt_periodicity, 60)
        self.assertTrue(config.hmt_debug)
        config.execute()

    def test_ticket_log_naming_an_existing_field(self):
        text = """<?php $MyModuleSettings = array(
            'itop-standard-email-synchro' => ["ticket_log" => ['UserRequest' => 'description',
                                                              'Problem' => "description"]],
        );"""
        wizard = self.env["helpdesk.mail.ticket.itop.import"].create(
            {"config_file": base64.b64encode(text.encode())}
        )
        wizard.action_import()
        self.assertEqual(self.params()["ticket_log"], "helpdesk.mail.ticket:description")

    def test_invalid_pattern_is_refused_with_the_reason(self):
        text = """<?php $MyModuleSettings = array('combodo-email-synchro' => array(
            'undesired-subject-patterns' => array('/^Out Of Office(/i')));"""
        wizard = self.env["helpdesk.mail.ticket.itop.import"].create(
            {"config_file": base64.b64encode(text.encode())}
        )
        with self.assertRaisesRegex(UserError, "not valid here"):
            wizard.action_import()
        self.assertNotIn("undesired-subject-patterns", self.params())

    def test_php_that_is_not_a_literal_is_refused(self):
        text = "<?php $a = array('combodo-email-synchro' => array('debug' => $debug));"
        wizard = self.env["helpdesk.mail.ticket.itop.import"].create(
            {"config_file": base64.b64encode(text.encode())}
        )
        with self.assertRaisesRegex(UserError, "cannot be read.*line 1"):
            wizard.action_import()

    def test_csv_with_labels_creates_every_inbox_field(self):
        wizard = self.run_import(config="config-itop.php", inboxes="MailInboxStandard-labels.csv")
        first = self.inbox("support@example.com")
        self.assertEqual(len(first), 1)
        self.assertRecordValues(
            first.sudo(),
            [
                {
                    "server": "mail.example.com",
                    "password": "Secr3t;pass",
                    "protocol": "imap",
                    "port": 143,
                    "security": "starttls",
                    "verify_certificate": False,  # imap_options has novalidate-cert
                    "mailbox": "Support",
                    "active": True,
                    "trace": False,
                    "error_behavior": "mark_as_error",
                    "notify_errors_to": "admin@example.com",
                    "notify_errors_from": "itop@example.com",
                    "behavior": "both",
                    "email_storage": "keep",
                    "target_model": "helpdesk.mail.ticket",
                    "ticket_type": "user_request",
                    "ticket_default_values": "service_id:1\npriority:3",
                    "ticket_default_title": "Empty subject",
                    "title_pattern": "/R-([0-9]{6})/",
                    "unknown_caller_behavior": "create_contact",
                    "caller_default_values": "first_name:Unknown",
                }
            ],
        )
        second = self.inbox("incidents@example.com")
        self.assertRecordValues(
            second.sudo(),
            [
                {
                    "server": "pop.example.com",
                    "password": False,  # iTop exports no password
                    "protocol": "pop3",
                    "port": 995,
                    "security": "ssl",
                    "mailbox": False,
                    "active": False,
                    "trace": True,
                    "error_behavior": "delete",
                    "notify_errors_to": False,
                    "notify_errors_from": False,
                    "behavior": "create_only",
                    "email_storage": "delete",
                    "ticket_type": "incident",
                    "ticket_default_values": False,
                    "ticket_default_title": False,
                    "title_pattern": "/I-([0-9]{6})/",
                    "unknown_caller_behavior": "reject_email",
                    "caller_default_values": False,
                }
            ],
        )
        self.assertIn("enter it on the inbox", wizard.result)
        self.assertIn("Comment", wizard.result)  # the unknown column is reported

    def test_csv_with_codes_and_reimport_updates(self):
        self.run_import(inboxes="MailInboxStandard-codes.csv")
        inbox = self.inbox("changes@example.org")
        self.assertRecordValues(
            inbox.sudo(),
            [
                {
                    "server": "imap.example.org",
                    "password": "pw-changes",
                    "protocol": "imap",
                    "port": 993,
                    "security": "ssl",
                    "verify_certificate": True,
                    "mailbox": "INBOX/Changes",
                    "active": True,
                    "trace": True,
                    "error_behavior": "delete",
                    "notify_errors_to": "ops@example.org",
                    "notify_errors_from": "noreply@example.org",
                    "behavior": "update_only",
                    "email_storage": "keep",
                    "ticket_type": "change",
                    "ticket_default_values": "priority:2",
                    "ticket_default_title": "Change without subject",
                    "title_pattern": "/C-([0-9]{6})/",
                    "unknown_caller_behavior": "create_contact",
                    "caller_default_values": "comment:Created from an email\nlang:fr_FR",
                }
            ],
        )
        inbox.title_pattern = "/X-([0-9]{4})/"
        wizard = self.run_import(inboxes="MailInboxStandard-codes.csv")
        self.assertEqual(self.inbox("changes@example.org"), inbox, "the same mailbox: updated")
        self.assertEqual(inbox.title_pattern, "/C-([0-9]{6})/")
        self.assertIn("updated", wizard.result)

    def test_only_managers_import(self):
        with self.assertRaises(AccessError):
            self.env["helpdesk.mail.ticket.itop.import"].with_user(self.agent).create({})
        action = self.env.ref("helpdesk_mail_ticket.helpdesk_mail_ticket_itop_import_menu")
        self.assertEqual(
            action.groups_id,
            self.env.ref("helpdesk_mail_ticket.group_helpdesk_mail_ticket_manager"),
        )

    def test_manager_cannot_import_the_global_settings(self):
        """The global settings (imap_options among them) reach every inbox's connection:
        a helpdesk manager who is not a Settings administrator cannot set them."""
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.imap_options", "imap")
        text = """<?php $MyModuleSettings = array('combodo-email-synchro' => array(
            'imap_options' => array('imap', 'notls', 'novalidate-cert'), 'debug' => true));"""
        wizard = self.env["helpdesk.mail.ticket.itop.import"].with_user(self.manager)
        with self.assertRaisesRegex(UserError, "Settings administrator"):
            wizard.create({"config_file": base64.b64encode(text.encode())}).action_import()
        self.assertEqual(self.params()["imap_options"], "imap")
        self.assertNotIn("debug", self.params())
        # A Settings administrator imports them.
        self.env["helpdesk.mail.ticket.itop.import"].with_user(self.sysadmin).create(
            {"config_file": base64.b64encode(text.encode())}
        ).action_import()
        self.assertEqual(self.params()["imap_options"], "imap,notls,novalidate-cert")
