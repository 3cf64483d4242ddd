"""`bench.connector_speed --fakes FILE` measures against a sandbox server already running:
`sandbox.remote.attached` reads what `python -m sandbox serve` printed."""

from pathlib import Path

import pytest

from sandbox.remote import attached

SERVE_OUTPUT = """\
export SALESFORCE_LOGIN_URL=http://127.0.0.1:40001
export MARKETO_BASE_URL=http://127.0.0.1:40002
# sandbox serving /data/world (pid 4242); Ctrl-C to stop
export LATE=ignored
"""


def test_attached_reads_the_exports_and_the_servers_pid(tmp_path: Path) -> None:
    output = tmp_path / "serve.out"
    output.write_text(SERVE_OUTPUT)
    with attached(output) as sandbox:
        assert sandbox.pid == 4242
        assert sandbox.env == {
            "SALESFORCE_LOGIN_URL": "http://127.0.0.1:40001",
            "MARKETO_BASE_URL": "http://127.0.0.1:40002",
        }
        assert sandbox.admin_url("marketo") == "http://127.0.0.1:40002/__sandbox"


def test_attached_refuses_output_of_a_server_that_is_not_serving(tmp_path: Path) -> None:
    output = tmp_path / "serve.out"
    output.write_text(SERVE_OUTPUT.split("# sandbox")[0])
    with pytest.raises(RuntimeError, match="not hold the output of a serving sandbox"):
        attached(output)
