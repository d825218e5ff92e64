"""scripts/system-deps: apt as root, otherwise one message with the command.

Every case runs the script with a PATH that holds only stand-ins written by the
test: ``id`` says which user runs it, ``apt-get`` (when there is one) records
its arguments instead of installing, and the commands a group needs are there
or not. Nothing is installed and nothing on the machine is read.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from paths import ROOT

SCRIPT = ROOT / "scripts" / "system-deps"
BASH = shutil.which("bash") or "/bin/bash"
CHMOD = shutil.which("chmod") or "/bin/chmod"


def stand_in(folder: Path, name: str, body: str = "exit 0") -> None:
    path = folder / name
    path.write_text(f"#!{BASH}\n{body}\n")
    path.chmod(0o755)


@pytest.fixture
def machine(tmp_path):
    """A fake machine: ``machine(uid, apt, have)`` returns ``run(*groups)``."""

    def make(uid=1000, apt=True, have=()):
        home = Path(tempfile.mkdtemp(dir=tmp_path))
        bin_, log = home / "bin", home / "apt.log"
        bin_.mkdir()
        stand_in(bin_, "id", f'[[ "$1" == -u ]] && echo {uid}')
        if apt:
            # an install makes a command of each package's name appear
            stand_in(
                bin_,
                "apt-get",
                f'echo "$DEBIAN_FRONTEND $*" >> {log}\n'
                '[[ "$1" == install ]] || exit 0\n'
                'for p in "$@"; do [[ "$p" == -* ]] && continue\n'
                f'  printf "#!{BASH}\\n" > {bin_}/"$p"\n'
                f'  {CHMOD} +x {bin_}/"$p"\n'
                "done",
            )
        for name in have:
            stand_in(bin_, name)

        os.symlink(BASH, bin_ / "bash")  # for make's recipes

        def run(*groups, command=None):
            done = subprocess.run(
                command or [BASH, str(SCRIPT), *groups],
                cwd=ROOT,
                capture_output=True,
                text=True,
                env={"PATH": str(bin_), "HOME": str(home)},
            )
            calls = log.read_text().splitlines() if log.exists() else []
            return done.returncode, done.stdout + done.stderr, calls

        return run

    return make


def test_nothing_to_do_when_everything_is_there(machine):
    rc, out, calls = machine(uid=0, have=["chromium", "npm"])("browser", "npm")
    assert (rc, out, calls) == (0, "", [])


def test_root_with_apt_installs_after_one_update(machine):
    rc, out, calls = machine(uid=0)("browser", "npm")
    assert rc == 0, out
    assert calls[0].split() == ["update", "-qq"]
    assert calls[1:] == [
        "noninteractive install -y -qq --no-install-recommends chromium npm"
    ]


def test_not_root_stops_with_the_command_to_run(machine):
    rc, out, calls = machine(uid=1000)("browser")
    assert rc == 1 and calls == []
    assert out.count("\n") == 1, "one message"
    assert "sudo apt-get update && sudo apt-get install -y chromium" in out


def test_without_apt_names_the_packages(machine):
    for uid in (0, 1000):
        rc, out, calls = machine(uid=uid, apt=False)("browser")
        assert rc == 1 and calls == []
        assert (
            "chromium" in out and "package manager" in out and "sudo" not in out
        )


def test_pdf_packages_named_once_each(machine):
    # pdftotext and pdfimages both come from poppler-utils; kpsewhich and
    # fc-list find nothing, so the TeX packages and the font are missing too
    rc, out, _ = machine(
        uid=1000, have=["xelatex", "latexmk", "kpsewhich", "fc-list"]
    )("pdf")
    assert rc == 1
    packages = out.split("install -y ")[1].split(",")[0].split()
    assert packages == [
        "texlive-latex-extra",
        "lmodern",
        "texlive-fonts-recommended",
        "fonts-freefont-otf",
        "poppler-utils",
    ]


def test_an_install_that_does_not_provide_the_command_fails(machine):
    # Debian's package is named chromium; a system whose package of that name
    # installs no chromium command (a snap stub, say) must not pass
    run = machine(uid=0)
    rc, out, calls = run("pdf")
    assert rc == 1 and "still missing" in out, out


def test_unknown_group_is_an_error(machine):
    rc, out, calls = machine(uid=0)("browsers")
    assert rc == 2 and "no group 'browsers'" in out and calls == []


def test_make_test_checks_the_browser_before_any_test():
    dry = subprocess.run(
        ["make", "-n", "--no-print-directory", "test"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    first_test = next(i for i, line in enumerate(dry) if "pytest" in line)
    assert any(
        "scripts/system-deps browser" in line for line in dry[:first_test]
    ), dry[:first_test]


def test_make_test_stops_with_the_message_on_a_machine_without_chromium(
    machine,
):
    make = shutil.which("make")
    run = machine(uid=1000)
    rc, out, calls = run(command=[make, "--no-print-directory", "browser-deps"])
    assert rc != 0 and calls == []
    assert "sudo apt-get update && sudo apt-get install -y chromium" in out
