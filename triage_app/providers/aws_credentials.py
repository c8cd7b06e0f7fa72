"""Whether this process has AWS credentials for Bedrock, asked of the AWS chain once.

botocore looks for credentials on every new client (environment, shared files, SSO, web identity,
container role) and, when none of those has any, asks the EC2 instance metadata service (IMDS): a
network round trip with a one-second timeout that it does not remember having failed. A process
without credentials would pay that on every assisted answer, so the chain is resolved once; when it
finds nothing, IMDS is switched off for the process (AWS_EC2_METADATA_DISABLED=true) and Bedrock
reports itself not configured. Credentials added later count after a restart."""

import functools
import logging
import os

log = logging.getLogger(__name__)
SEARCHED = "the environment, shared config files, SSO, web identity, container or EC2 instance role"


@functools.cache
def missing() -> str | None:
    """None when the chain has credentials, else why not (never a credential or a profile's content)."""
    import botocore.session
    from botocore.exceptions import BotoCoreError

    try:
        found = botocore.session.get_session().get_credentials() is not None
        reason = None if found else f"none found in {SEARCHED}"
    except BotoCoreError as exc:
        reason = f"the credential chain failed: {type(exc).__name__}"
    if reason:
        os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
        log.info("assisted triage via bedrock: no AWS credentials (%s); IMDS is off for this process", reason)
    return reason
