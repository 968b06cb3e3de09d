"""The private PostgreSQL of the demo and the test command (tools/pgcluster.py).

Real Debian binaries (initdb, pg_ctl) and a real connection with psycopg2: the cluster is
started in a temporary folder on a free loopback port, answers, and leaves nothing behind.
"""

import importlib.util
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load():
    spec = importlib.util.spec_from_file_location("hmt_pgcluster", ROOT / "tools" / "pgcluster.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pgcluster = _load()
psycopg2 = pytest.importorskip("psycopg2", reason="PSYCOPG2 MISSING: cannot connect to it")
if pgcluster.find_bindir() is None:
    pytest.skip(
        "!!! NO POSTGRESQL BINARIES (Debian's postgresql package): PRIVATE CLUSTER NOT TESTED !!!",
        allow_module_level=True,
    )


def _dead_port():
    """A loopback port where nothing listens (bound and released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_private_cluster_starts_answers_and_goes_away():
    cluster = pgcluster.PrivateCluster(user="root").start()
    workdir = Path(cluster.workdir)
    try:
        assert workdir.is_dir()
        assert cluster.host == "127.0.0.1"
        assert pgcluster.answers(cluster.host, cluster.port)
        with (
            psycopg2.connect(
                host=cluster.host, port=cluster.port, user="root", dbname="postgres"
            ) as conn,
            conn.cursor() as cr,
        ):
            cr.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
            assert cr.fetchone() == ("root", True)
            cr.execute("SHOW server_encoding")
            assert cr.fetchone() == ("UTF8",)
        conn.close()
    finally:
        cluster.stop()
    assert not workdir.exists()
    assert not pgcluster.answers("127.0.0.1", cluster.port)


def test_nothing_answering_starts_a_private_cluster_stopped_at_exit(tmp_path):
    """database_server() pointed at a dead port, in a child process: it reports a private
    cluster that a client reaches; once the child exits, the cluster and its folder are gone."""
    port = _dead_port()
    script = tmp_path / "child.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / 'tools')!r})\n"
        "import pgcluster, psycopg2\n"
        "server = pgcluster.database_server()\n"
        "conn = psycopg2.connect(host=server.host, port=server.port, user=server.user,"
        " dbname='postgres')\n"
        "conn.close()\n"
        "print('SERVER', server.host, server.port, server.user, server.cluster.workdir)\n"
    )
    env = {
        **os.environ,
        "HMT_DB_HOST": "127.0.0.1",
        "HMT_DB_PORT": str(port),
        "HMT_DB_USER": "root",
    }
    result = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("SERVER"))
    _, host, used_port, user, workdir = line.split()
    assert (host, user) == ("127.0.0.1", "root")
    assert int(used_port) != port
    assert f"No PostgreSQL answers at 127.0.0.1:{port}" in result.stdout
    assert not Path(workdir).exists()
    assert not pgcluster.answers("127.0.0.1", int(used_port))


def test_a_server_that_answers_is_used_as_it_is():
    cluster = pgcluster.PrivateCluster(user="root").start()
    try:
        server = pgcluster.database_server(
            host=cluster.host, port=cluster.port, user="root", environ={}
        )
        assert server.cluster is None
        assert (server.host, server.port, server.user) == (cluster.host, cluster.port, "root")
    finally:
        cluster.stop()


def test_settings_come_from_arguments_then_hmt_then_pg_variables():
    settings = pgcluster.settings
    assert settings(environ={}) == ("127.0.0.1", 5432, "root")
    pg = {"PGHOST": "db.example", "PGPORT": "6432", "PGUSER": "odoo"}
    assert settings(environ=pg) == ("db.example", 6432, "odoo")
    hmt = {**pg, "HMT_DB_HOST": "h", "HMT_DB_PORT": "7000", "HMT_DB_USER": "u"}
    assert settings(environ=hmt) == ("h", 7000, "u")
    assert settings(host="a", port=1, user="b", environ=hmt) == ("a", 1, "b")


def test_a_server_refusing_the_default_role_is_replaced_by_a_private_cluster():
    """A stock Debian server knows only ``postgres``: not pointed at, it is left alone."""
    cluster = pgcluster.PrivateCluster(user="root").start()
    try:
        server = pgcluster.database_server(
            cluster.host, cluster.port, "hmt_no_such_role", environ={}, replace_refusing=True
        )
        try:
            assert server.cluster is not None
            assert server.port != cluster.port
            psycopg2.connect(
                host=server.host, port=server.port, user="hmt_no_such_role", dbname="postgres"
            ).close()
        finally:
            server.cluster.stop()
    finally:
        cluster.stop()


@pytest.mark.parametrize("signum", ["SIGHUP", "SIGQUIT", "SIGTERM"])
def test_a_hangup_stops_the_private_cluster(signum):
    """Closing the terminal (SIGHUP) or Ctrl-\\ (SIGQUIT) must not leave the server running:
    the postmaster has its own session, so only the owner can stop it."""
    import signal
    import time

    # The owner as a terminal starts it: every signal at its default. A test run under
    # nohup inherits SIGHUP ignored, which pgcluster rightly keeps (no hangup then).
    code = (
        "import signal, sys, time\n"
        f"signal.signal(signal.{signum}, signal.SIG_DFL)\n"
        f"sys.path.insert(0, {str(ROOT / 'tools')!r})\n"
        "import pgcluster\n"
        f"server = pgcluster.database_server(port={_dead_port()}, user='root', environ={{}})\n"
        "print('HOLDING', server.cluster.workdir, server.port, flush=True)\n"
        "time.sleep(600)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        line = child.stdout.readline().split()
        while line[:1] != ["HOLDING"]:
            line = child.stdout.readline().split()
        workdir, port = Path(line[-2]), int(line[-1])
        assert pgcluster.answers("127.0.0.1", port)
        child.send_signal(getattr(signal, signum))
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert not workdir.exists()
    deadline = time.monotonic() + 30  # the postmaster closes its socket as it exits
    while pgcluster.answers("127.0.0.1", port) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not pgcluster.answers("127.0.0.1", port)


def test_a_cluster_left_by_a_killed_owner_is_removed_by_the_next_start():
    """SIGKILL cannot be caught: the next private cluster stops and removes the orphan."""
    import time

    code = (
        "import sys, time\n"
        f"sys.path.insert(0, {str(ROOT / 'tools')!r})\n"
        "import pgcluster\n"
        "cluster = pgcluster.PrivateCluster(user='root').start()\n"
        "print('HOLDING', cluster.workdir, cluster.port, flush=True)\n"
        "time.sleep(600)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline().split()
        workdir, port = Path(line[-2]), int(line[-1])
    finally:
        child.kill()
        child.wait()
    assert workdir.exists() and pgcluster.answers("127.0.0.1", port)
    with pgcluster.PrivateCluster(user="root") as fresh:
        assert Path(fresh.workdir).exists()
        assert not workdir.exists()
    deadline = time.monotonic() + 30
    while pgcluster.answers("127.0.0.1", port) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not pgcluster.answers("127.0.0.1", port)


def test_run_tests_without_any_database_still_prints_its_total(tmp_path):
    """No server answers and the PostgreSQL binaries are broken: the test command says so
    loudly, counts the Odoo part as failed and still ends with its total."""
    broken = tmp_path / "bin"
    broken.mkdir()
    for name in ("initdb", "pg_ctl"):
        (broken / name).write_text("#!/bin/sh\necho broken installation >&2\nexit 1\n")
        (broken / name).chmod(0o755)
    env = {
        **os.environ,
        "HMT_ONLY": "odoo",
        "HMT_DB_PORT": str(_dead_port()),
        "HMT_PG_BINDIR": str(broken),
    }
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "run_tests.py")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert "NO POSTGRESQL" in result.stdout
    assert "total: 0 passed, 1 failed" in result.stdout
    assert result.returncode == 1
