/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import { registry } from "@web/core/registry";

// The test passes the mailbox's login and password in window.hmtTour.
registry.category("web_tour.tours").add("helpdesk_mail_ticket_admin", {
    steps: () => [
        {
            content: "Create an inbox",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_field_widget[name='name'] input",
            run: "edit Admin tour inbox",
        },
        {
            content: "Mail server",
            trigger: ".o_field_widget[name='server'] input",
            run: "edit 127.0.0.1",
        },
        {
            content: "Login",
            trigger: ".o_field_widget[name='login'] input",
            run: (helpers) => helpers.edit(window.hmtTour.login),
        },
        {
            content: "Password",
            trigger: ".o_field_widget[name='password'] input",
            run: (helpers) => helpers.edit(window.hmtTour.password),
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_saved",
        },
        {
            content: "Test the connection",
            trigger: "button[name='action_test_connection']",
            run: "click",
        },
        {
            content: "The server answers",
            trigger: ".o_notification:contains('Connection test succeeded')",
        },
        {
            content: "Fetch now",
            trigger: "button[name='action_fetch_now']",
            run: "click",
        },
        {
            content: "Two new messages were processed",
            trigger: ".o_notification:contains('2 new message(s)')",
        },
        {
            content: "The form shows the fetched inbox again (one message in error)",
            trigger: ".oe_stat_button:contains('Errors'):contains('1')",
        },
        {
            content: "Browse the Incoming eMails",
            trigger: ".o_notebook .nav-link:contains('Incoming eMails')",
            run: "click",
        },
        {
            content: "The unknown sender's message is in error",
            trigger: ".o_field_one2many .o_data_row:contains('Unknown caller (eve@unknown.example)')",
        },
        {
            content: "Reset it",
            trigger: ".o_field_one2many .o_data_row:contains('eve@unknown.example') button[name='action_reset_status']",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "It is new again",
            trigger: ".o_field_one2many .o_data_row:contains('eve@unknown.example'):contains('New')",
        },
    ],
});
