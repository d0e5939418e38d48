"""Every environment variable the code reads is in docs/deploy.md's table."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READERS = re.compile(
    r"""(?:(?:os\.)?environ\.get|os\.environ\[|os\.getenv|env_bool|env_list|env_int)\(?\s*f?["']([A-Z][A-Z0-9_]*)"""
)
SKIPPED_DIRS = {"tests", "migrations", "bench", "scripts", "node_modules", ".venv", "var"}


def _variables_read() -> set[str]:
    found = set()
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if SKIPPED_DIRS & set(relative.parts) or relative.name in {"conftest.py", "manage.py"}:
            continue
        found |= set(READERS.findall(path.read_text()))
    return found


def test_every_environment_variable_is_documented():
    variables = _variables_read()
    assert {"DATABASE_URL", "PTCE_SITE_URL", "DJANGO_SECRET_KEY", "PTCE_RATE_LIMIT_"} <= variables
    documented = (ROOT / "docs" / "deploy.md").read_text()
    missing = sorted(name for name in variables if f"`{name}" not in documented)
    assert not missing, f"variables absentes de docs/deploy.md : {missing}"
