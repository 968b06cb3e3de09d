/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("helpdesk_mail_ticket_mailbox_content", {
    url: "/odoo/action-helpdesk_mail_ticket.mail_inbox_action",
    steps: () => [
        {
            content: "Open the inbox",
            trigger: ".o_data_row td:contains('tour-inbox')",
            run: "click",
        },
        {
            content: "The form shows the iTop sections",
            trigger: ".o_form_view:contains('Behavior on Incoming eMails'):contains('Unknown Callers')",
        },
        {
            content: "Open the Incoming eMails tab",
            trigger: ".o_notebook .nav-link:contains('Incoming eMails')",
            run: "click",
        },
        {
            content: "The processed message is listed with its state",
            trigger: ".o_field_one2many .o_data_row:contains('Tour printer request'):contains('Processed')",
        },
        {
            content: "The message in error shows its reason",
            trigger: ".o_field_one2many .o_data_row:contains('Unknown caller (stranger@unknown.example)')",
        },
        {
            content: "Reset the message in error",
            trigger: ".o_field_one2many .o_data_row:contains('Unknown caller') button[name='action_reset_status']",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "It is new again",
            trigger: ".o_field_one2many .o_data_row:contains('stranger@unknown.example'):contains('New')",
        },
    ],
});
