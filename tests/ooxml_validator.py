"""Microsoft's Open XML SDK validator (npm @ooxml-tools/validate, .NET compiled to WebAssembly).

Its command checks one file per run, and each run starts the .NET runtime again: about
ten seconds of CPU before the first file, two or three for each file after it. So the
suite starts ``validate_many.mjs`` (beside this module) once per core, on first use: each
loads the package once and validates the files it is sent, until the test run ends
(``stop``, from conftest.py). Its findings are the command's: the package's ``validate``
function, whose result the command prints as JSON.

Where the package's module cannot be found (the command run through ``npx``), each file is
checked by the command, side by side.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
from pathlib import Path

import pytest

SERVER = Path(__file__).with_name("validate_many.mjs")
_servers: list[subprocess.Popen] = []


def _command() -> list[str]:
    exe = shutil.which("ooxml-validate")
    if exe:
        return [exe]
    if shutil.which("npx"):
        probe = subprocess.run(["npx", "--no-install", "ooxml-validate", "--version"], capture_output=True, timeout=120)
        if probe.returncode == 0:
            return ["npx", "--no-install", "ooxml-validate"]
    pytest.skip("ooxml-validate (npm @ooxml-tools/validate) is not installed")


def _module() -> Path | None:
    """The package's index.js, found from its command (…/dist/npm/bin/… -> …/dist/npm/index.js)."""
    exe, node = shutil.which("ooxml-validate"), shutil.which("node")
    if not exe or not node:
        return None
    index = Path(os.path.realpath(exe)).parent.parent / "index.js"
    return index if index.is_file() else None


def validate(paths: list[Path]) -> dict[Path, list]:
    """The validator's findings for each file ([] for a valid file)."""
    cmd = _command()
    index = _module()
    if index is None:
        return _one_by_one(cmd, paths)
    while len(_servers) < min(len(paths), os.cpu_count() or 1):
        _servers.append(subprocess.Popen(["node", str(SERVER), str(index)], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True))
    groups = [paths[i::len(_servers)] for i in range(len(_servers))]
    for server, group in zip(_servers, groups):
        if group:
            server.stdin.write(json.dumps([str(p) for p in group]) + "\n")
            server.stdin.flush()
    out: dict[Path, list] = {}
    for server, group in zip(_servers, groups):
        if not group:
            continue
        ready, _, _ = select.select([server.stdout], [], [], 600)
        line = server.stdout.readline() if ready else ""
        if not line:
            stop()
            pytest.fail(f"validate_many.mjs gave no answer within 10 minutes for {[p.name for p in group]}")
        found = json.loads(line)
        out.update({p: found[str(p)] for p in group})
    return out


def stop() -> None:
    """End the validators (their input closes; killed if they do not end)."""
    while _servers:
        server = _servers.pop()
        try:
            server.stdin.close()
            server.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            server.kill()
            server.wait()


def _one_by_one(cmd: list[str], paths: list[Path]) -> dict[Path, list]:
    procs = {p: subprocess.Popen(cmd + [str(p), "--output-format", "json"], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for p in paths}
    out = {}
    for p, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=600)
        try:
            out[p] = json.loads(stdout)  # it exits 0 even when it finds errors
        except json.JSONDecodeError:
            pytest.fail(f"ooxml-validate printed no JSON for {p.name}: {stdout[-500:]} {stderr[-500:]}")
    return out
