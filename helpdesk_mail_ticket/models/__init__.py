from . import helpdesk_mail_ticket_mixin
from . import helpdesk_mail_ticket_stage
from . import helpdesk_mail_ticket
from . import mail_inbox
from . import mail_inbox_oauth2
from . import mail_inbox_message
from . import res_config_settings
