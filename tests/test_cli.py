"""The facilitate console script, run as a user runs it (a real subprocess)."""

import socket
import subprocess
import sys
from pathlib import Path

from participant.io.store import create_session
from tests.sample_agendas import GOOD, UNREPORTED

FACILITATE = str(Path(sys.executable).parent / "facilitate")
AGENDAS = Path(__file__).resolve().parent.parent / "agendas"


def facilitate(*args, cwd=None):
    return subprocess.run([FACILITATE, *args], capture_output=True, text=True, cwd=cwd, check=False)


def test_check_accepts_every_bundled_agenda():
    """facilitate check exits 0 and prints nothing for valid agendas."""
    result = facilitate("check", *sorted(str(path) for path in AGENDAS.glob("*.toml")))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_check_prints_one_line_per_problem_across_files(tmp_path):
    """Exit 1, one line per problem, each naming its file; valid files add nothing."""
    good, bad, broken = tmp_path / "good.toml", tmp_path / "bad.toml", tmp_path / "broken.toml"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text('title = "W"\n[[steps]]\ntitle = "Break"\nkind = "break"\nduration = "15"\n')
    broken.write_text('title = "W"\n[[steps]]\ntitle = "A\n')
    result = facilitate("check", str(good), str(bad), str(broken))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines == [
        f'{bad}: step 1 "Break": duration: "15" is not a duration; write it like "10m", "90s" or "1h15m"',
        f"{broken}: line 3, column 11: not valid TOML: illegal character '\\n'; a text value is missing"
        ' its closing quote; use """ for several lines',
    ]
    assert "Traceback" not in result.stderr


def test_check_warns_without_failing(tmp_path):
    """A warning is printed in the one-line form, marked "warning:"; with only warnings, exit 0."""
    path = tmp_path / "w.toml"
    path.write_text(UNREPORTED, encoding="utf-8")
    result = facilitate("check", str(path))
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        f'{path}: step 4 "Last talk": kind: warning: this breakout has no report-back after it, so its'
        ' notes never reach the projector; add a step with kind = "reportback" after it'
    ]


def test_check_of_a_missing_file():
    """A path that does not exist is one line, exit 1."""
    result = facilitate("check", "nope.toml")
    assert (result.returncode, result.stdout) == (1, "nope.toml: no such file; check the path\n")


def test_run_refuses_a_broken_agenda_before_opening_the_projector(tmp_path):
    """facilitate run on a broken agenda prints the problems and how to re-check, exit 1."""
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "W"\n[[steps]]\ntitle = "A"\nkind = "lecture"\nduration = "5m"\n')
    result = facilitate("run", str(bad))
    assert result.returncode == 1
    assert '"lecture" is not a kind of step' in result.stderr
    assert f"facilitate check {bad}" in result.stderr


def test_run_on_a_port_in_use_says_so_and_exits(tmp_path):
    """The server starts on its own thread: a port already taken is told in one line, exit 1,
    the process ends (no thread left waiting), and no empty session is left behind."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        agenda = str(AGENDAS / "working-alliance-mutuality.toml")
        result = subprocess.run(
            [FACILITATE, "run", agenda, "--host", "127.0.0.1", "--port", str(port), "--data", str(tmp_path)],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    assert result.returncode == 1
    assert f"Cannot listen on 127.0.0.1:{port}" in result.stderr
    assert f"Is another facilitate running? Try --port {port + 1}." in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_resume_on_a_port_in_use_keeps_the_session(tmp_path):
    """Resuming on a taken port fails the same way, and the session it would continue stays."""
    store = create_session("Working alliances", GOOD, data_dir=tmp_path)
    store.close()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = facilitate("run", "--resume", "latest", "--host", "127.0.0.1", "--port", str(port),
                            "--data", str(tmp_path))  # fmt: skip
    assert result.returncode == 1
    assert f"Cannot listen on 127.0.0.1:{port}" in result.stderr
    assert store.path.exists()


def test_usage_errors_are_explained():
    """No command, or a bad option, prints usage and exits 2 (argparse's convention)."""
    result = facilitate()
    assert result.returncode == 2
    assert "usage: facilitate" in result.stderr


def test_sessions_lists_stored_sessions(tmp_path):
    """facilitate sessions says when there are none, and lists each session with its answers."""
    assert facilitate("sessions", "--data", str(tmp_path)).stdout == f"No sessions yet in {tmp_path}\n"
    create_session("Working alliances", GOOD, data_dir=tmp_path).close()
    result = facilitate("sessions", "--data", str(tmp_path))
    assert result.returncode == 0
    assert result.stdout.rstrip().endswith("0 answers  Working alliances")


def test_resume_without_sessions_says_where_it_looked(tmp_path):
    """--resume with nothing stored is a one-line error naming the data dir, exit 1."""
    result = facilitate("run", "--resume", "--data", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr == f"No sessions yet in {tmp_path}\n"


def test_run_needs_an_agenda_or_resume_but_not_both(tmp_path):
    """Giving neither, or both, is explained; exit 2."""
    for args in ([], [str(AGENDAS / "collaborative-alliance.toml"), "--resume"]):
        result = facilitate("run", *args, "--data", str(tmp_path))
        assert result.returncode == 2
        assert "give an AGENDA file, or --resume" in result.stderr


def test_resume_of_a_session_whose_stored_agenda_no_longer_loads(tmp_path):
    """The stored agenda's problem is one line naming the session's file, with no advice to check an
    agenda file there is none of."""
    store = create_session("Old", 'title = "Old"\n', data_dir=tmp_path)
    store.close()
    result = facilitate("run", "--resume", "--data", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr == (
        f"{store.path}: its stored agenda does not load: steps: none found;"
        " add at least one step under a [[steps]] header\n"
    )


def test_sessions_delete_removes_a_session_and_its_files(tmp_path):
    """sessions --delete removes the file and its -wal and -shm files, and says so in one line."""
    store = create_session("Working alliances", GOOD, data_dir=tmp_path)
    wal = Path(f"{store.path}-wal")
    assert wal.exists()  # the store is open: SQLite keeps its WAL and shared-memory files
    result = facilitate("sessions", "--delete", store.session.id, "--data", str(tmp_path))
    store.close()
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f"Deleted {store.path}, {wal}, {store.path}-shm\n"
    assert list(tmp_path.iterdir()) == []


def test_sessions_delete_refuses_unknown_sessions_and_other_files(tmp_path):
    """An unknown session is one line, exit 1; a file that is no session is never deleted."""
    result = facilitate("sessions", "--delete", "20260101-000000-abcd", "--data", str(tmp_path))
    assert result.returncode == 1
    assert (
        result.stderr
        == f"No session '20260101-000000-abcd' in {tmp_path}: `facilitate sessions` lists them\n"
    )
    other = tmp_path / "thesis.txt"
    other.write_text("years of work")
    result = facilitate("sessions", "--delete", str(other), "--data", str(tmp_path / "data"))
    assert result.returncode == 1
    assert result.stderr.startswith(f"{other}: not a facilitate session file")
    assert result.stderr.endswith("; nothing deleted\n")
    assert other.read_text() == "years of work"


def test_sessions_lists_readable_sessions_and_names_a_damaged_file(tmp_path):
    """A damaged session file gets one line on stderr; the other sessions are listed; exit 0."""
    create_session("Working alliances", GOOD, data_dir=tmp_path).close()
    damaged = tmp_path / "20260101-000000-abcd.sqlite3"
    damaged.write_bytes(b"\x00" * 4096)
    result = facilitate("sessions", "--data", str(tmp_path))
    assert result.returncode == 0
    assert result.stdout.rstrip().endswith("0 answers  Working alliances")
    assert result.stderr == f"{damaged}: not a facilitate session file (file is not a database)\n"
