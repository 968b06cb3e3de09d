from . import helpdesk_fetch
