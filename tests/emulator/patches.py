"""Where moto falls short of AWS for this tool, and how the tests' emulator closes each gap.

Pinned to moto 5.2.1 (tests/emulator/requirements.txt): each patch replaces one moto function
whose code it was written against, and `apply()` refuses to run on another moto version rather
than patch code it has not seen. Each gap, with the AWS behaviour restored:

1. Conditions on a key the request does not carry. moto: a `StringEquals` on a missing key (say
   `sts:ExternalId` when no ExternalId is sent) passes. AWS: it fails (only `...IfExists` passes).
   moto also evaluated conditions for trust policies only; here identity policies get the same
   request context, and the `Bool` operator is known.
2. GetSessionToken. moto returns a fixed example key that belongs to nobody (every call signed
   with it fails under enforcement). Here it mints real `ASIA...` credentials bound to the calling
   user: they act as that user (policies, trust, GetCallerIdentity) and are refused for another
   GetSessionToken ("Cannot call GetSessionToken with session credentials"). It needs no
   permission, as in AWS.
3. MFA. moto accepts any code. Here `SerialNumber`/`TokenCode` (GetSessionToken, AssumeRole) are
   checked as RFC 6238 TOTP (SHA-1, 30 s, 6 digits, one step of drift) against the virtual
   device's seed, and the device must belong to the calling user; a failure is AWS's AccessDenied
   "MultiFactorAuthentication failed ...".
4. `aws:MultiFactorAuthPresent` is evaluated: true for session credentials made with MFA, for a
   role assumed with valid MFA fields, and carried to roles assumed with such credentials.
5. DurationSeconds limits: GetSessionToken 900-129600; AssumeRole 900 to the role's
   MaxSessionDuration, at most 3600 when signed with temporary credentials (role chaining, or a
   session token), with AWS's ValidationError messages.
6. Expiry: temporary credentials (session tokens, role credentials) past their expiration are
   refused with ExpiredToken. A test-only lower floor, EMULATOR_MIN_DURATION (seconds, default
   900), lets a test ask for credentials that expire while it watches; EMULATOR_ROLE_LIFETIME
   (seconds, default 0: off) makes AssumeRole hand out credentials that expire that soon,
   whatever was asked, for a client that cannot ask for less than 15 minutes.
7. AssumeRoleWithWebIdentity. AWS takes it unsigned (the token is the proof); moto, with auth
   enforced, crashes on the missing Authorization header, accepts any token and checks no trust.
   Here it needs no signature; the token must be one this emulator issued (`web_identity_token`,
   for the OIDC provider `OIDC_PROVIDER`), else InvalidIdentityToken; and the role's trust must
   allow that provider `sts:AssumeRoleWithWebIdentity`, else AccessDenied.
8. Pagination. moto pages attached-policy lists only when the caller sends `MaxItems`, so a
   client that never follows `Marker` passes. AWS may cut a page short whatever the caller asks
   ("IAM might return fewer than the MaxItems number of results even when there are more"): here
   IAM list calls without `MaxItems` come in pages of `IAM_PAGE_SIZE` (1) items where moto pages
   at all, so every client must follow `IsTruncated`/`Marker`.
"""

import base64
import hashlib
import hmac
import os
import secrets
import string
import struct
import threading
import time
from datetime import datetime, timedelta, timezone

import moto
from moto.core.exceptions import _RESTError
from moto.iam import access_control
from moto.core.responses import BaseResponse
from moto.core.utils import utcnow
from moto.iam.models import iam_backends
from moto.iam.responses import IamResponse
from moto.iam.policy_conditions import CONDITION_OPERATIONS
from moto.sts import models as sts_models
from moto.sts import responses as sts_responses
from moto.sts.exceptions import STSValidationError

MOTO_VERSION = "5.2.1"
# The OIDC provider the seeded account trusts, and the key its tokens are signed with.
OIDC_PROVIDER = "oidc.ci.example"
_OIDC_KEY = secrets.token_bytes(32)
MIN_DURATION = int(os.environ.get("EMULATOR_MIN_DURATION", "900"))
ROLE_LIFETIME = int(os.environ.get("EMULATOR_ROLE_LIFETIME", "0"))
CHAINED_MAX = 3600
IAM_PAGE_SIZE = 1


class AccessDenied(_RESTError):
    code = 403

    def __init__(self, message):
        super().__init__("AccessDenied", message)


class ExpiredToken(_RESTError):
    code = 400

    def __init__(self):
        super().__init__("ExpiredToken", "The security token included in the request is expired")


MFA_FAILED = "MultiFactorAuthentication failed with invalid MFA one time pass code."
MFA_NOT_YOURS = (
    "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial "
    "number is valid and associated with this user."
)


# ---- state kept beside moto's backends -----------------------------------------------------

_lock = threading.Lock()
# Session-token credentials by access key id.
SESSIONS = {}
# Whether MFA was used to make a role's credentials, by the role credentials' access key id.
ROLE_MFA = {}


class Session:
    def __init__(self, account_id, partition, user_name, duration, mfa):
        self.account_id = account_id
        self.partition = partition
        self.user_name = user_name
        self.mfa = mfa
        self.access_key_id = "ASIA" + "".join(secrets.choice(string.ascii_uppercase + "234567") for _ in range(16))
        self.secret_access_key = base64.b64encode(secrets.token_bytes(30)).decode()
        self.session_token = "FQoGZXIvYXdz" + base64.b64encode(secrets.token_bytes(120)).decode()
        self.expiration = datetime.now(timezone.utc) + timedelta(seconds=duration)

    @property
    def user(self):
        return iam_backends[self.account_id][self.partition].get_user(self.user_name)


def _expired(expiration):
    if expiration.tzinfo is None:
        expiration = expiration.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc) >= expiration


# ---- 3. TOTP --------------------------------------------------------------------------------

def totp(seed_base32, at=None, step=30, digits=6):
    """RFC 6238 code for a base32 seed at unix time `at` (now by default)."""
    key = base64.b32decode(seed_base32 + "=" * (-len(seed_base32) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def check_mfa(account_id, partition, user_name, serial, code):
    """Raises AccessDenied unless `serial` is `user_name`'s device and `code` is current."""
    backend = iam_backends[account_id][partition]
    device = backend.virtual_mfa_devices.get(serial)
    if device is None or device.user is None or device.user.name != user_name:
        raise AccessDenied(MFA_NOT_YOURS)
    now = time.time()
    if code not in {totp(device.base32_string_seed, now + d * 30) for d in (-1, 0, 1)}:
        raise AccessDenied(MFA_FAILED)


# ---- 2, 6. who signed the request -------------------------------------------------------------

class SessionTokenAccessKey(access_control.IAMUserAccessKey):
    """Session-token credentials: the user they were issued to, with the token checked."""

    def __init__(self, session, headers):
        self.account_id = session.account_id
        self.partition = session.partition
        self._owner_user_name = session.user_name
        self._access_key_id = session.access_key_id
        self._secret_access_key = session.secret_access_key
        self._session_token = session.session_token
        self.session = session
        if headers.get("X-Amz-Security-Token") != session.session_token:
            raise access_control.CreateAccessKeyFailure(reason="InvalidToken")
        if _expired(session.expiration):
            raise access_control.CreateAccessKeyFailure(reason="ExpiredToken")

    def create_credentials(self):
        return access_control.Credentials(self._access_key_id, self._secret_access_key, self._session_token)


_original_create_access_key = access_control.create_access_key


def create_access_key(account_id, partition, access_key_id, headers):
    session = SESSIONS.get(access_key_id)
    if session is not None:
        return SessionTokenAccessKey(session, headers)
    key = _original_create_access_key(account_id, partition, access_key_id, headers)
    if isinstance(key, access_control.AssumedRoleAccessKey):
        for role in sts_models.sts_backends[account_id][partition].assumed_roles:
            if role.access_key_id == access_key_id and _expired(role.expiration):
                raise access_control.CreateAccessKeyFailure(reason="ExpiredToken")
    return key


_original_raise_invalid_access_key = access_control.IAMRequest._raise_invalid_access_key


def _raise_invalid_access_key(self, reason):
    if reason == "ExpiredToken":
        raise ExpiredToken()
    _original_raise_invalid_access_key(self, reason)


def request_mfa(access_key):
    """Whether the signing credentials were made with MFA."""
    if isinstance(access_key, SessionTokenAccessKey):
        return access_key.session.mfa
    if isinstance(access_key, access_control.AssumedRoleAccessKey):
        return ROLE_MFA.get(access_key._access_key_id, False)
    return False


def _param(data, name):
    value = data.get(name)
    if isinstance(value, list):
        return value[0] if value else None
    return value


# ---- 1, 2, 3, 4. authorization --------------------------------------------------------------

def _check_conditions(self, incoming_condition_values):
    """Every condition key must be present and match (AWS semantics)."""
    expected = self._statement.get("Condition")
    if not expected:
        return True
    incoming = incoming_condition_values or {}
    for operator, pairs in expected.items():
        if_exists = operator.endswith("IfExists")
        operation = CONDITION_OPERATIONS.get(operator[: -len("IfExists")] if if_exists else operator)
        if operation is None:
            continue  # as moto: operators it does not implement are not evaluated
        for key, wanted in pairs.items():
            if key not in incoming:
                if if_exists:
                    continue
                return False
            if not operation(wanted, incoming[key]):
                return False
    return True


def bool_operation(expected, actual):
    wanted = expected if isinstance(expected, list) else [expected]
    return str(actual).lower() in [str(w).lower() for w in wanted]


def check_action_permitted(self, resource):
    """moto's check, with the request context (MFA, external id) given to every policy, MFA
    fields verified, and GetSessionToken's own rules."""
    key = self._access_key
    temporary = isinstance(key, (SessionTokenAccessKey, access_control.AssumedRoleAccessKey))
    if self._action == "sts:GetCallerIdentity":
        return
    if self._action == "sts:GetSessionToken":
        if temporary:
            raise AccessDenied("Cannot call GetSessionToken with session credentials")
        return  # needs no permission in AWS; the MFA fields are checked by the operation
    mfa = request_mfa(key)
    serial, code = _param(self._data, "SerialNumber"), _param(self._data, "TokenCode")
    if self._action == "sts:AssumeRole" and serial:
        user_name = getattr(key, "_owner_user_name", None)
        if user_name is None or not code:
            raise AccessDenied(MFA_NOT_YOURS)
        check_mfa(key.account_id, key.partition, user_name, serial, code)
        mfa = True
    context = {"aws:MultiFactorAuthPresent": "true" if mfa else "false"}
    external_id = _param(self._data, "ExternalId")
    if external_id is not None:
        context["sts:ExternalId"] = external_id

    permitted = False
    for policy in key.collect_policies():
        statements = access_control.IAMPolicy(policy)
        result = statements.is_action_permitted(self._action, resource, None, context)
        if result == access_control.PermissionResult.DENIED:
            self._raise_access_denied()
        elif result == access_control.PermissionResult.PERMITTED:
            permitted = True
    if permitted and self._is_assuming_role_operation(resource):
        role = self.backend.get_role_by_arn(resource)
        trust = access_control.IAMPolicy(role.assume_role_policy_document)
        result = trust.is_action_permitted(self._action, resource, key.arn, context)
        permitted = result == access_control.PermissionResult.PERMITTED
    if not permitted:
        self._raise_access_denied()


# ---- 2, 3, 5. the operations ------------------------------------------------------------------

def _caller(response):
    """(account, partition, user name or None, access key id) of the request's signer."""
    access_key_id = response.get_access_key()
    session = SESSIONS.get(access_key_id)
    if session is not None:
        return session.account_id, session.partition, session.user_name, access_key_id
    backend = iam_backends[response.current_account][response.partition]
    user = backend.get_user_from_access_key_id(access_key_id)
    return response.current_account, response.partition, user.name if user else None, access_key_id


def get_session_token(self):
    duration = self._get_int_param("DurationSeconds", 43200)
    if not MIN_DURATION <= duration <= 129600:
        raise STSValidationError(
            f"1 validation error detected: Value '{duration}' at 'durationSeconds' failed to satisfy "
            f"constraint: Member must have value {'greater' if duration < MIN_DURATION else 'less'} than or equal "
            f"to {MIN_DURATION if duration < MIN_DURATION else 129600}"
        )
    account_id, partition, user_name, _ = _caller(self)
    if user_name is None:
        raise AccessDenied("Cannot call GetSessionToken with session credentials")
    serial, code = self._get_param("SerialNumber"), self._get_param("TokenCode")
    if serial or code:
        if not (serial and code):
            raise AccessDenied(MFA_NOT_YOURS)
        check_mfa(account_id, partition, user_name, serial, code)
    session = Session(account_id, partition, user_name, duration, mfa=bool(serial))
    with _lock:
        SESSIONS[session.access_key_id] = session
    return sts_responses.ActionResult(
        {
            "Credentials": {
                "AccessKeyId": session.access_key_id,
                "SecretAccessKey": session.secret_access_key,
                "SessionToken": session.session_token,
                "Expiration": session.expiration,
            }
        }
    )


_original_assume_role = sts_responses.TokenResponse.assume_role


def assume_role(self):
    duration = self._get_int_param("DurationSeconds", 3600)
    role_arn = self._get_param("RoleArn")
    access_key_id = self.get_access_key()
    backend = iam_backends[self.current_account][self.partition]
    role = backend.get_role_by_arn(role_arn)
    signed_with_temporary = access_key_id in SESSIONS or access_key_id.startswith("ASIA")
    role_max = int(role.max_session_duration or 3600)
    maximum = min(role_max, CHAINED_MAX) if signed_with_temporary else role_max
    if duration < MIN_DURATION:
        raise STSValidationError(
            f"1 validation error detected: Value '{duration}' at 'durationSeconds' failed to satisfy "
            f"constraint: Member must have value greater than or equal to {MIN_DURATION}"
        )
    if duration > maximum:
        if signed_with_temporary and duration > CHAINED_MAX:
            raise STSValidationError(
                "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
            )
        raise STSValidationError(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
        )
    session = SESSIONS.get(access_key_id)
    mfa = session.mfa if session else ROLE_MFA.get(access_key_id, False)
    if self._get_param("SerialNumber"):
        mfa = True  # verified by check_action_permitted before the operation runs
    result = _original_assume_role(self)
    if ROLE_LIFETIME:
        credentials = result.result["Credentials"]
        credentials.expiration = min(credentials.expiration, utcnow() + timedelta(seconds=ROLE_LIFETIME))
    with _lock:
        ROLE_MFA[result.result["Credentials"].access_key_id] = mfa
    return result


_original_get_caller_identity = sts_models.STSBackend.get_caller_identity


def get_caller_identity(self, access_key_id, region):
    session = SESSIONS.get(access_key_id)
    if session is not None:
        user = session.user
        return user.id, user.arn, user.account_id
    return _original_get_caller_identity(self, access_key_id, region)


def web_identity_token(subject):
    """A token of the emulator's OIDC provider for `subject` (what a CI job is handed)."""
    body = base64.urlsafe_b64encode(f"{OIDC_PROVIDER}|{subject}".encode()).decode().rstrip("=")
    mac = hmac.new(_OIDC_KEY, body.encode(), hashlib.sha256).hexdigest()
    return f"{body}.{mac}"


def _valid_token(token):
    body, _, mac = (token or "").partition(".")
    good = hmac.new(_OIDC_KEY, body.encode(), hashlib.sha256).hexdigest()
    return bool(mac) and hmac.compare_digest(mac, good)


class InvalidIdentityToken(_RESTError):
    code = 400

    def __init__(self):
        super().__init__(
            "InvalidIdentityToken", "The web identity token that was passed could not be validated by AWS."
        )


_original_authenticate = None


def authenticate_and_authorize(self, iam_request_cls, resource="*"):
    # AWS takes AssumeRoleWithWebIdentity unsigned: the token is the credential.
    if self._get_action() == "AssumeRoleWithWebIdentity" and "Authorization" not in self.headers:
        return
    return _original_authenticate(self, iam_request_cls, resource)


_original_assume_role_with_web_identity = sts_responses.TokenResponse.assume_role_with_web_identity


def assume_role_with_web_identity(self):
    import json

    if not _valid_token(self._get_param("WebIdentityToken")):
        raise InvalidIdentityToken()
    role_arn = self._get_param("RoleArn")
    backend = iam_backends[self.current_account][self.partition]
    role = backend.get_role_by_arn(role_arn)
    provider = f"arn:aws:iam::{self.current_account}:oidc-provider/{OIDC_PROVIDER}"
    trust = json.loads(role.assume_role_policy_document)
    statements = trust.get("Statement", [])
    statements = statements if isinstance(statements, list) else [statements]

    def allows(st):
        actions = st.get("Action", [])
        actions = actions if isinstance(actions, list) else [actions]
        federated = st.get("Principal", {}).get("Federated", [])
        federated = federated if isinstance(federated, list) else [federated]
        return st.get("Effect") == "Allow" and "sts:AssumeRoleWithWebIdentity" in actions and provider in federated

    if not any(allows(st) for st in statements):
        raise AccessDenied(f"Not authorized to perform sts:AssumeRoleWithWebIdentity on {role_arn}")
    duration = self._get_int_param("DurationSeconds", 3600)
    if not MIN_DURATION <= duration <= int(role.max_session_duration or 3600):
        raise STSValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    return _original_assume_role_with_web_identity(self)


# ---- 8. pagination ------------------------------------------------------------------------------

def iam_int_param(self, param_name, if_none=None):
    if param_name == "MaxItems" and self._get_param("MaxItems") is None:
        return IAM_PAGE_SIZE
    return BaseResponse._get_int_param(self, param_name, if_none)


def apply():
    if moto.__version__ != MOTO_VERSION:
        raise SystemExit(
            f"tests/emulator/patches.py is written for moto {MOTO_VERSION}, found {moto.__version__}: "
            "reinstall the pinned test dependencies (make test)"
        )
    CONDITION_OPERATIONS["Bool"] = bool_operation
    access_control.IAMPolicyStatement._check_conditions = _check_conditions
    access_control.create_access_key = create_access_key
    access_control.IAMRequest._raise_invalid_access_key = _raise_invalid_access_key
    access_control.IAMRequestBase.check_action_permitted = check_action_permitted
    sts_responses.TokenResponse.get_session_token = get_session_token
    sts_responses.TokenResponse.assume_role = assume_role
    sts_models.STSBackend.get_caller_identity = get_caller_identity
    global _original_authenticate
    from moto.core.authorization import ActionAuthenticatorMixin

    _original_authenticate = ActionAuthenticatorMixin._authenticate_and_authorize_action
    ActionAuthenticatorMixin._authenticate_and_authorize_action = authenticate_and_authorize
    sts_responses.TokenResponse.assume_role_with_web_identity = assume_role_with_web_identity
    IamResponse._get_int_param = iam_int_param
