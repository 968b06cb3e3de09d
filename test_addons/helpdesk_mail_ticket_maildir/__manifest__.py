# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Helpdesk Tickets from Emails - Maildir source (tests only)",
    "summary": "Inboxes that read a local Maildir folder: proves that a mail source plugs in",
    "version": "18.0.1.0.0",
    "category": "Hidden/Tests",
    "website": "https://github.com/helpdesk-mail-ticket/helpdesk_mail_ticket",
    "author": "helpdesk_mail_ticket developers",
    "license": "AGPL-3",
    "installable": True,
    "depends": ["helpdesk_mail_ticket"],
}
