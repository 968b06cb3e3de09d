/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import { registry } from "@web/core/registry";

async function imageLoaded(selector) {
    for (let attempt = 0; attempt < 100; attempt++) {
        const img = document.querySelector(selector);
        if (img && img.complete && img.naturalWidth > 0) {
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${selector} did not load`);
}

registry.category("web_tour.tours").add("helpdesk_mail_ticket_inline_image", {
    steps: () => [
        {
            content: "Open the ticket made from the email",
            trigger: ".o_kanban_record:contains('Screen flickers')",
            run: "click",
        },
        {
            content: "The inline image is shown in place in the description",
            trigger: ".o_field_widget[name='description'] a img.o_hmt_inline_image[src^='/web/image/']",
        },
        {
            content: "It loads from its attachment",
            trigger: ".o_field_widget[name='description'] img.o_hmt_inline_image",
            run: () => imageLoaded(".o_field_widget[name='description'] img.o_hmt_inline_image"),
        },
    ],
});
