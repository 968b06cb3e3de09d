# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Helpdesk Tickets from Emails - OCA Helpdesk",
    "summary": "Incoming eMail Inboxes create and update OCA helpdesk_mgmt tickets",
    "version": "18.0.1.1.0",
    "category": "Services/Helpdesk",
    "website": "https://github.com/helpdesk-mail-ticket/helpdesk_mail_ticket",
    "author": "helpdesk_mail_ticket developers",
    "license": "AGPL-3",
    "installable": True,
    "auto_install": True,
    "depends": ["helpdesk_mail_ticket", "helpdesk_mgmt"],
    "data": ["data/mail_message_subtype_data.xml"],
    "uninstall_hook": "uninstall_hook",
}
