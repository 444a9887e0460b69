"""`make test` and `make run` set the machine up themselves (scripts/check-system.sh) and find the
browser wherever the system put it (scripts/find-chromium.sh).

The scripts run as real processes against a PATH of stand-ins: an `apt-get` that records what it
was asked and "installs" a chromium, an `id` that says who we are, a `sudo`, no Chromium unless
the test puts one there.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECK = ROOT / "scripts" / "check-system.sh"
FIND = ROOT / "scripts" / "find-chromium.sh"
# What the scripts call, linked from the real system; chromium and apt-get are left out.
TOOLS = [
    "bash", "env", "grep", "mktemp", "rm", "basename", "dirname", "ls", "cat", "chmod", "touch",
    "ldconfig", "msgfmt", "initdb", "seq", "sleep",
]  # fmt: skip


def executable(path, text):
    path.write_text("#!/bin/bash\n" + text)
    path.chmod(0o755)
    return path


@pytest.fixture
def bin_dir(tmp_path):
    """A PATH with the system's tools but no Chromium (and none at Debian's place either)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        real = shutil.which(tool) or shutil.which(tool, path="/sbin:/usr/sbin")
        if real:
            (bin_dir / tool).symlink_to(real)
    return bin_dir


def run(script, bin_dir, *args, uid=0, terminal=False, **env):
    executable(bin_dir / "id", f'[ "$1" = -u ] && echo {uid} || exec /usr/bin/id "$@"\n')
    environment = {
        "PATH": str(bin_dir),
        "HOME": str(bin_dir.parent),
        "CHROMIUM_DEBIAN_PATH": str(bin_dir.parent / "no-chromium-here"),
        **env,
    }
    command = [str(script), *args]
    if terminal:  # stdin a terminal, as when a person types `make test`
        (bin_dir / "script").symlink_to(shutil.which("script"))
        command = ["script", "-qec", " ".join(command), "/dev/null"]
        environment["SHELL"] = str(bin_dir / "bash")
    return subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=60, check=False
    )


def fake_apt_get(bin_dir):
    """apt-get that logs its arguments and, asked to install chromium, puts one on PATH."""
    log = bin_dir.parent / "apt.log"
    executable(
        bin_dir / "apt-get",
        f'echo "$*" >> {log}\n'
        f'case " $* " in *" chromium "*) printf "#!/bin/bash\\n" > {bin_dir}/chromium;'
        f" chmod +x {bin_dir}/chromium;; esac\n",
    )
    return log


def test_the_browser_is_found_on_path_when_not_at_debians_place(bin_dir):
    # Ubuntu: no /usr/bin/chromium, a snap's chromium (or chromium-browser) on PATH.
    browser = executable(bin_dir / "chromium-browser", "exit 0\n")

    found = run(FIND, bin_dir)

    assert found.returncode == 0
    assert found.stdout.strip() == str(browser)


def test_the_browser_at_debians_place_comes_before_path(bin_dir, tmp_path):
    executable(bin_dir / "chromium", "exit 0\n")
    debian = executable(tmp_path / "usr-bin-chromium", "exit 0\n")

    found = run(FIND, bin_dir, CHROMIUM_DEBIAN_PATH=str(debian))

    assert found.stdout.strip() == str(debian)


def test_chromium_in_the_environment_comes_first(bin_dir, tmp_path):
    executable(bin_dir / "chromium", "exit 0\n")
    chosen = executable(tmp_path / "my-chromium", "exit 0\n")

    assert run(FIND, bin_dir, CHROMIUM=str(chosen)).stdout.strip() == str(chosen)
    wrong = run(FIND, bin_dir, CHROMIUM=str(tmp_path / "missing"))
    assert wrong.returncode == 1
    assert "is not an executable file" in wrong.stderr


def test_without_any_browser_the_lookup_fails(bin_dir):
    found = run(FIND, bin_dir)

    assert found.returncode == 1
    assert found.stdout == ""


def test_as_root_it_installs_what_is_missing_and_goes_on(bin_dir):
    log = fake_apt_get(bin_dir)

    result = run(CHECK, bin_dir, CHECK_BROWSER="1")

    assert result.returncode == 0, result.stderr
    assert "Installing system packages: chromium" in result.stderr
    calls = log.read_text().splitlines()
    assert calls[0] == "update -qq"
    assert calls[1].startswith("install -y -qq --no-install-recommends")
    assert calls[1].split()[-1] == "chromium"


def test_when_the_install_does_not_provide_it_it_says_so_and_stops(bin_dir):
    executable(bin_dir / "apt-get", "exit 0\n")  # "succeeds" but installs nothing

    result = run(CHECK, bin_dir, CHECK_BROWSER="1")

    assert result.returncode == 1
    assert "sudo apt-get install chromium" in result.stderr


def test_no_system_install_only_names_the_command(bin_dir):
    log = fake_apt_get(bin_dir)

    result = run(CHECK, bin_dir, CHECK_BROWSER="1", NO_SYSTEM_INSTALL="1")

    assert result.returncode == 1
    assert "Missing system packages. Install them with:" in result.stderr
    assert "    sudo apt-get install chromium" in result.stderr
    assert not log.exists()


def test_a_user_without_a_terminal_gets_the_command_not_a_sudo_prompt(bin_dir):
    log = fake_apt_get(bin_dir)
    sudo_log = bin_dir.parent / "sudo.log"
    executable(bin_dir / "sudo", f'echo "$*" >> {sudo_log}\nexec "$@"\n')

    result = run(CHECK, bin_dir, uid=1000, CHECK_BROWSER="1")

    assert result.returncode == 1
    assert "sudo apt-get install chromium" in result.stderr
    assert not log.exists() and not sudo_log.exists()


@pytest.mark.skipif(not shutil.which("script"), reason="needs script(1) for a terminal")
def test_a_user_at_a_terminal_installs_through_sudo(bin_dir):
    log = fake_apt_get(bin_dir)
    sudo_log = bin_dir.parent / "sudo.log"
    executable(bin_dir / "sudo", f'echo "$*" >> {sudo_log}\nexec "$@"\n')

    result = run(CHECK, bin_dir, uid=1000, terminal=True, CHECK_BROWSER="1")

    assert result.returncode == 0, result.stdout + result.stderr
    assert sudo_log.read_text().splitlines()[0] == "apt-get update -qq"
    assert log.read_text().splitlines()[1].split()[-1] == "chromium"


def test_on_ubuntu_it_asks_for_ubuntus_package_name(bin_dir):
    # Ubuntu has no "chromium" package; "chromium-browser" installs the snap.
    with_os = bin_dir / "grep"
    with_os.unlink()
    real_grep = shutil.which("grep")
    executable(
        with_os,
        f'if [ "${{@: -1}}" = /etc/os-release ]; then echo ID=ubuntu | {real_grep} "${{@:1:$#-1}}";'
        f' else exec {real_grep} "$@"; fi\n',
    )

    result = run(CHECK, bin_dir, CHECK_BROWSER="1", NO_SYSTEM_INSTALL="1")

    assert "sudo apt-get install chromium-browser" in result.stderr


def test_the_list_of_missing_packages_names_everything_make_test_needs(bin_dir):
    result = run(CHECK, bin_dir, "--list-missing")

    assert result.returncode == 0
    assert "chromium" in result.stdout.split()


def test_ci_is_just_make_test():
    lines = [
        line
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    assert lines[-1] == "exec make test"
    assert not any("apt-get" in line for line in lines)
