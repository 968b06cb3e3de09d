/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import { registry } from "@web/core/registry";

// The test passes the email in window.hmtTour: {filename, eml}, eml in base64 so its
// CRLF line ends and 8-bit bytes reach the server unchanged.
function uploadEml() {
    const { filename, eml } = window.hmtTour;
    const bytes = Uint8Array.from(atob(eml), (char) => char.charCodeAt(0));
    const input = document.querySelector(".modal .o_field_widget[name='eml'] input[type='file']");
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], filename, { type: "message/rfc822" }));
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
}

const result = ".modal .o_hmt_test_result";

registry.category("web_tour.tours").add("helpdesk_mail_ticket_test_email", {
    steps: () => [
        {
            content: "Open the inbox",
            trigger: ".o_data_row td:contains('test-email-tour-inbox')",
            run: "click",
        },
        {
            content: "Open the Test an email wizard",
            trigger: ".o_form_view button[name='action_test_email']",
            run: "click",
        },
        {
            content: "Upload the .eml",
            trigger: ".modal .o_field_widget[name='eml'] .o_select_file_button",
            run: uploadEml,
        },
        {
            content: "The file is uploaded",
            trigger: ".modal .o_field_widget[name='eml'] .o_clear_file_button",
        },
        {
            content: "Analyze it",
            trigger: ".modal-footer button[name='action_analyze']",
            run: "click",
        },
        {
            content: "Verdict: a new ticket would be created",
            trigger: `${result} .o_field_widget[name='outcome']:contains('Create a ticket')`,
        },
        {
            content: "No ticket matches",
            trigger: `${result} .o_field_widget[name='explanation']:contains('No ticket matches')`,
        },
        {
            content: "The title is the subject",
            trigger: `${result} .o_field_widget[name='title']:contains('Another PDF with')`,
        },
        {
            content: "The caller is the known contact",
            trigger: `${result} .o_field_widget[name='caller_id']:contains('Test Tester')`,
        },
        {
            content: "The description is the body",
            trigger: `${result} .o_field_widget[name='description_preview']:contains('Just attaching another PDF')`,
        },
        {
            content: "Open the Attachments tab",
            trigger: `${result} .o_notebook .nav-link:contains('Attachments')`,
            run: "click",
        },
        {
            content: "The PDF would be kept",
            trigger: `${result} .o_field_widget[name='attachments_report'] tr:contains('broken.pdf'):contains('application/pdf'):contains('kept')`,
        },
    ],
});
