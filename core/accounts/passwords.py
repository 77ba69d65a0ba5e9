"""Password hashing with argon2id (argon2-cffi's defaults follow RFC 9106)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn
from zxcvbn.matching import add_frequency_lists

from core.errors import InvalidInput

# RFC 9106's second recommended option (argon2-cffi's default: 64 MiB, 3 passes), about 0.16 s of
# one core per hash.
PRODUCTION = profiles.RFC_9106_LOW_MEMORY

_hasher = PasswordHasher.from_parameters(PRODUCTION)
_dummy_hash: str | None = None  # made by prepare(): a hash costs 0.16 s, and a command never needs it

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256  # as RegisterIn allows at sign-up
# zxcvbn's score, 0 to 4: under 2 a password falls within a million guesses (a listed common password,
# a keyboard row, a sequence, a repeat, the account's own e-mail); "1234567890" and "password12" did
MIN_GUESS_SCORE = 2
GUESS_CHECKED_CHARACTERS = 72  # zxcvbn refuses longer input: a password's first 72 characters decide
# zxcvbn's ranked lists are English; the pinyin words, names and numbers Chinese passwords are made
# of join them as one more (its documented ``add_frequency_lists``), so "woaini1314" and
# "zhangwei1234" fall within its guesses as "iloveyou1314" and "johnsmith1234" do.
CHINESE_LIST = Path(__file__).with_name("chinese_passwords.txt")
add_frequency_lists({"chinese": list(dict.fromkeys(  # an entry listed twice keeps its first, higher rank
    line.strip() for line in CHINESE_LIST.read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")))})
# zxcvbn keeps each call's user_inputs in a dictionary all calls share: two checks at once (the
# server's thread pool) could judge a password against the other account's e-mail and name.
_ZXCVBN_LOCK = threading.Lock()
EASY_TO_GUESS = ("this password is easy to guess (a common password, a keyboard row, a sequence, a repeat or "
                 "your own e-mail or name): choose a longer or less usual one")


def check_new_password(password: str, known: Iterable[str] = ()) -> None:
    """The one rule for a password being set, at sign-up, on the account page, by a reset link or
    from the command line: its length, and not guessable from lists of common passwords, patterns or
    what the account itself says (``known``: its e-mail and name), as NIST SP 800-63B asks of a
    verifier. zxcvbn, Dropbox's estimator, judges."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput.said("password must have at least %(n)s characters", n=MIN_PASSWORD_LENGTH).about("password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput.said("a password has at most %(n)s characters", n=MAX_PASSWORD_LENGTH).about("password")
    inputs = [word for value in known if value for word in (value, value.split("@")[0])]
    with _ZXCVBN_LOCK:
        score = zxcvbn(password[:GUESS_CHECKED_CHARACTERS], user_inputs=inputs)["score"]
    if score < MIN_GUESS_SCORE:
        raise InvalidInput(EASY_TO_GUESS).about("password")


def use_parameters(parameters: Parameters) -> None:
    """Hash new passwords with ``parameters`` in this process from now on.

    Only the test suite calls it, with argon2's ``profiles.CHEAPEST``: it creates thousands of
    accounts, and at 0.16 s each the hashing alone took a quarter of its time. Servers, workers and
    the command line never call it, so they hash with ``PRODUCTION``; a hash records its own
    parameters, so verifying works whichever set made it."""
    global _hasher, _dummy_hash
    _hasher = PasswordHasher.from_parameters(parameters)
    _dummy_hash = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def prepare() -> str:
    """The hash an unknown e-mail is checked against, made now if it was not. The app calls it at
    start: made on the first unknown e-mail instead, that request would take twice as long."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("not-a-real-password-0000")
    return _dummy_hash


def verify_nothing(password: str) -> None:
    """Spend what verifying ``password`` costs, for an unknown e-mail: timing does not reveal accounts."""
    verify_password(prepare(), password)
