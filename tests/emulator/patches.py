"""Where moto falls short of AWS for this tool, and how the tests' emulator closes each gap.

Pinned to moto 5.2.1 (tests/emulator/requirements.txt): each patch replaces one moto function
whose code it was written against; `apply()` refuses to run on another moto version rather than
patch code it has not seen. Each patch is listed here with the AWS behaviour it restores.

1. Trust and identity policy conditions on a key the request does not carry.
   moto: a `StringEquals` on a missing key (say `sts:ExternalId` when no ExternalId is sent)
   passes. AWS: it fails (only the `...IfExists` forms pass on a missing key). So a role whose
   trust requires an external id refuses an AssumeRole without one.
"""

import moto
from moto.iam import access_control
from moto.iam.policy_conditions import CONDITION_OPERATIONS

MOTO_VERSION = "5.2.1"


def _check_conditions(self, incoming_condition_values):
    """Patch 1: every condition key must be present and match (AWS semantics)."""
    expected = self._statement.get("Condition")
    if not expected:
        return True
    incoming = incoming_condition_values or {}
    for operator, pairs in expected.items():
        if operator.endswith("IfExists"):
            base = CONDITION_OPERATIONS.get(operator[: -len("IfExists")])
            if base is None:
                continue
            for key, wanted in pairs.items():
                if key in incoming and not base(wanted, incoming[key]):
                    return False
            continue
        operation = CONDITION_OPERATIONS.get(operator)
        if operation is None:
            continue  # as moto: operators it does not implement are not evaluated
        for key, wanted in pairs.items():
            if key not in incoming or not operation(wanted, incoming[key]):
                return False
    return True


def apply():
    if moto.__version__ != MOTO_VERSION:
        raise SystemExit(
            f"tests/emulator/patches.py is written for moto {MOTO_VERSION}, found {moto.__version__}: "
            "reinstall the pinned test dependencies (make test)"
        )
    access_control.IAMPolicyStatement._check_conditions = _check_conditions
