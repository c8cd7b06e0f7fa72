import pytest

from alerting_app.tests import channels


@pytest.fixture(autouse=True)
def _test_channels(settings):
    """Notifications go to the in-memory test channel unless a test routes them elsewhere."""
    settings.CT_ALERT_CHANNELS_PROVIDER = "alerting_app.tests.channels.get"
    settings.CT_ALERT_DEFAULT_CHANNELS = ["memory"]
    channels.SENT.clear()
    yield channels.SENT
