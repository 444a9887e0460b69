"""The dependency lock (README: Dependencies): requirements*.txt are compiled from
requirements*.in by pip-compile with hashes, and must not drift from them."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def normal(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path):
    """{package: version} of a requirements file's `name==version` lines (extras dropped)."""
    found = {}
    for line in path.read_text().splitlines():
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^]]*\])?==([^\s;\\]+)", line)
        if match:
            found[normal(match[1])] = match[2]
    return found


def locked(path):
    """{package: [hashes]} of a compiled lock file."""
    entries, current = {}, None
    for line in path.read_text().splitlines():
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==", line)
        if match:
            current = normal(match[1])
            entries[current] = []
        hashed = re.search(r"--hash=sha256:([0-9a-f]{64})", line)
        if hashed and current:
            entries[current].append(hashed[1])
    return entries


@pytest.mark.parametrize(
    ("source", "lock"),
    [("requirements.in", "requirements.txt"), ("requirements-dev.in", "requirements-dev.txt")],
)
def test_the_lock_holds_every_source_pin_at_its_version_with_hashes(source, lock):
    wanted = pins(ROOT / source)
    if source == "requirements-dev.in":
        wanted |= pins(ROOT / "requirements.in")
    locked_pins = pins(ROOT / lock)

    assert wanted, source
    stale = {
        name: (v, locked_pins.get(name)) for name, v in wanted.items() if locked_pins.get(name) != v
    }
    assert not stale, f"recompile {lock} (README: Dependencies): {stale}"
    unhashed = [name for name, hashes in locked(ROOT / lock).items() if not hashes]
    assert not unhashed, unhashed


def test_the_development_lock_keeps_the_runtime_versions():
    runtime, development = pins(ROOT / "requirements.txt"), pins(ROOT / "requirements-dev.txt")

    assert len(runtime) > len(pins(ROOT / "requirements.in"))  # the transitive ones too
    assert {name: development.get(name) for name in runtime} == runtime
