"""Asks one of botocore's own credential providers for credentials, once, with a 1 s timeout
and no retry, and prints the access key id it got (or `none`).

    sdk_credentials.py imds <endpoint URL>        InstanceMetadataProvider (IMDSv2, else v1)
    sdk_credentials.py ecs <full URI> <token>     ContainerProvider

The abuse tests run it while hostile connections are held: an SDK client that cannot get
through within a second fails here, as it would in a program.
"""

import sys

from botocore.credentials import ContainerProvider, InstanceMetadataProvider
from botocore.utils import ContainerMetadataFetcher, InstanceMetadataFetcher


class OneSecondContainerFetcher(ContainerMetadataFetcher):
    TIMEOUT_SECONDS = 1
    RETRY_ATTEMPTS = 1


def main():
    kind = sys.argv[1]
    if kind == "imds":
        fetcher = InstanceMetadataFetcher(timeout=1, num_attempts=1, base_url=sys.argv[2])
        provider = InstanceMetadataProvider(iam_role_fetcher=fetcher)
    else:
        environ = {
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": sys.argv[2],
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": sys.argv[3],
        }
        provider = ContainerProvider(environ=environ, fetcher=OneSecondContainerFetcher())
    try:
        credentials = provider.load()
    except Exception as e:  # the provider's own failure, reported as the test's
        print(f"none ({type(e).__name__}: {e})")
        return
    print(credentials.access_key if credentials else "none")


main()
