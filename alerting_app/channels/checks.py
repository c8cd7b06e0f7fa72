"""Alert channel configuration mistakes as system checks (ct.E030 a bad CT_ALERT_CHANNELS entry,
ct.E031 a missing or unreadable variable, ct.E032 an invalid value). Messages name the channel
and the variable, never a value."""

from django.core.checks import Error, register

from alerting_app.channels import registry


@register()
def check_alert_channels(app_configs=None, **kwargs):
    return [Error(p.message, hint=p.hint, id=p.id) for p in registry.problems()]
