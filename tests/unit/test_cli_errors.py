"""The command line says in one line what is wrong instead of printing a traceback."""

import os
import subprocess
import sys


def test_an_unreachable_database_is_one_clear_line_and_exit_code_2() -> None:
    env = os.environ | {"GEO_SERVICE_DATABASE_URL": "postgresql+psycopg://u@127.0.0.1:1/gone"}
    done = subprocess.run(
        [sys.executable, "-m", "geo_service.cli", "token", "list", "--municipality", "1275"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 2
    assert "database_unavailable" in output and "127.0.0.1:1/gone" in output
    assert "Traceback" not in output and "make demo" in output
