"""Alert channel configuration mistakes as system checks (ct.E030 a bad CT_ALERT_CHANNELS entry,
ct.E031 a missing or unreadable variable, ct.E032 an invalid value; ct.W030 a deprecated
SMOKE_ALERT_WEBHOOK / CT_ALERT_WEBHOOK in use). Messages name the channel
and the variable, never a value."""

from django.core.checks import Error, Warning, register

from alerting_app.channels import deprecated, registry


@register()
def check_alert_channels(app_configs=None, **kwargs):
    found = [Error(p.message, hint=p.hint, id=p.id) for p in registry.problems()]
    return found + [Warning(m, hint=h, id="ct.W030") for m, h in deprecated.warnings()]
