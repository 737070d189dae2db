"""Every `code` the sources can put in an error body is one of ERROR_CODES (the schema's
ErrorCodeEnum): a generated client with a closed enum never meets a value it cannot read."""
import re
from pathlib import Path

from api.exceptions import CODE_ALIASES, ERROR_CODES, code_for

ROOT = Path(__file__).resolve().parents[2]
PATTERNS = [
    re.compile(r"""\bcode\s*=\s*["']([a-z_]+)["']"""),           # Conflict(..., code="x"), ValidationError(code=)
    re.compile(r"""default_code\s*=\s*["']([a-z_]+)["']"""),     # APIException subclasses
    re.compile(r"""["']code["']\s*:\s*["']([a-z_]+)["']"""),     # hand-written bodies
    re.compile(r"""_error\(\s*\d{3},\s*["']([a-z_]+)["']"""),    # api.idempotency's answers
]


def _codes_in_sources():
    found = {}
    for path in ROOT.glob("*/*.py"):
        if path.parts[-2] in ("tests", "bench", "scale", ".venv") or path.name.startswith("test_"):
            continue
        for pattern in PATTERNS:
            for code in pattern.findall(path.read_text()):
                found.setdefault(code, set()).add(path.relative_to(ROOT).as_posix())
    return found


def test_every_code_raised_in_the_sources_is_listed():
    # Field-level validation codes never reach the top-level `code` (a 400 is always `invalid`),
    # so only the ones raised outside a field are checked.
    field_level = {"invalid_image", "invalid_phone", "out_of_range"}
    missing = {code: where for code, where in _codes_in_sources().items()
               if code not in ERROR_CODES and code not in CODE_ALIASES and code not in field_level}
    assert not missing, f"add these to api.exceptions.ERROR_CODES: {missing}"


def test_an_unknown_code_becomes_the_generic_one_of_its_status():
    assert code_for(409, "task_closed") == "task_closed"
    assert code_for(409, "something_new") == "conflict"
    assert code_for(401, "no_active_account") == "authentication_failed"
    assert code_for(418, "teapot") == "bad_request" and code_for(502, None) == "server_error"
