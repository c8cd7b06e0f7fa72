"""Low throttle rates for a test. Rates are read on each request from DRF's api_settings, which
reloads when pytest-django's `settings` fixture changes REST_FRAMEWORK (and again when it undoes it)."""


def set_rates(settings, **rates: str) -> None:
    """set_rates(settings, writes="2/min", user="") -- scope=rate; "" = no limit."""
    current = settings.REST_FRAMEWORK
    settings.REST_FRAMEWORK = {
        **current,
        "DEFAULT_THROTTLE_RATES": {**current["DEFAULT_THROTTLE_RATES"], **rates},
    }
