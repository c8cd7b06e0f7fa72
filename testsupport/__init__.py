"""Test support shared by every app's tests (not shipped in the image: deploy/Dockerfile.dockerignore).

testenv (the `-p` plugin preparing the environment), personas, tiers and warehouse (fixture plugins
the root conftest registers), builders (the telemetry builder), emulator (the Snowflake emulator),
stubs (stub source APIs), live_servers (real processes on free ports), llm_server, webhook_receiver,
smtp_receiver, and the smaller helpers named for what they hold."""
