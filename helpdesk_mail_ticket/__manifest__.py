# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Helpdesk Tickets from Emails",
    "summary": "Turn support mailboxes (IMAP, POP3) into helpdesk tickets, "
    "with replies threaded, auto-replies set aside and every message accounted for",
    "version": "18.0.1.4.0",
    "category": "Services/Helpdesk",
    "website": "https://github.com/helpdesk-mail-ticket/helpdesk_mail_ticket",
    "author": "helpdesk_mail_ticket developers",
    "license": "AGPL-3",
    "application": True,
    "installable": True,
    "depends": ["mail", "base_setup"],
    "external_dependencies": {"python": ["lxml", "Pillow", "html2text"]},
    "data": [
        "security/helpdesk_mail_ticket_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/helpdesk_mail_ticket_stage_data.xml",
        "data/mail_message_subtype_data.xml",
        "data/ir_cron_data.xml",
        "views/helpdesk_mail_ticket_views.xml",
        "views/helpdesk_mail_ticket_stage_views.xml",
        "views/mail_inbox_message_views.xml",
        "wizard/mail_inbox_test_email_views.xml",
        "views/mail_inbox_views.xml",
        "views/res_config_settings_views.xml",
        "wizard/itop_import_views.xml",
        "views/helpdesk_mail_ticket_menus.xml",
    ],
    "demo": ["demo/helpdesk_mail_ticket_demo.xml"],
    "uninstall_hook": "uninstall_hook",
    "assets": {
        "web.assets_tests": [
            "helpdesk_mail_ticket/static/tests/tours/*.js",
        ],
    },
}
