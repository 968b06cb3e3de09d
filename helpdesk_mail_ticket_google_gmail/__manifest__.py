# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Helpdesk Tickets from Emails - Gmail OAuth2",
    "summary": "Incoming eMail Inboxes log in to Gmail with OAuth2, connected with "
    "Odoo's Google Gmail module",
    "version": "18.0.1.0.0",
    "category": "Services/Helpdesk",
    "website": "https://github.com/helpdesk-mail-ticket/helpdesk_mail_ticket",
    "author": "helpdesk_mail_ticket developers",
    "license": "AGPL-3",
    "installable": True,
    "auto_install": True,
    "depends": ["helpdesk_mail_ticket", "google_gmail"],
    "data": ["views/mail_inbox_views.xml"],
}
