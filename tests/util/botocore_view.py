"""What botocore makes of the config files in the environment, for one profile: prints one JSON
line, {"region": ...} or {"error": "<botocore exception class>"}. The comparison tests in
tests/config_files.rs run it beside aws-runas on the same files.

    botocore_view.py <profile>
"""

import json
import sys

import botocore.session


def main():
    try:
        session = botocore.session.Session(profile=sys.argv[1])
        region = session.get_config_variable("region")
        # Where botocore checks the region name: making a client.
        session.create_client(
            "sts", aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="x"
        )
        print(json.dumps({"region": region}))
    except Exception as e:  # the exception's class is what is compared
        print(json.dumps({"error": type(e).__name__}))


main()
