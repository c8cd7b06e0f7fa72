"""Where notifications go: one small adapter per vendor (channels/<kind>.py), each turning a
Message into that vendor's documented payload. The outbox (alerting_app) calls deliver(); an
adapter never retries by itself and never stores anything."""
