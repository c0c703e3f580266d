"""`fairdue demo --port N` (issue 17 item 6): a busy port stops the demo at once, before any seeding, with a zh/en
message naming the port and the option, and a non-zero exit; a free port passes the check."""

from __future__ import annotations

import re
import socket

from typer.testing import CliRunner


def _listening_socket() -> tuple[socket.socket, int]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    return sock, sock.getsockname()[1]


def test_fairdue_demo_on_a_busy_port_stops_at_once_naming_the_port_and_the_option_issue17_item6(tmp_path):
    from fairdue.cli import app
    from fairdue.cli.demo import PORT_BUSY_EXIT

    sock, port = _listening_socket()
    try:
        db = tmp_path / "demo.db"
        result = CliRunner().invoke(app, ["demo", "--port", str(port), "--database-url", f"sqlite:///{db}"])
    finally:
        sock.close()
    assert result.exit_code == PORT_BUSY_EXIT != 0
    text = result.output
    assert f"port {port} on 127.0.0.1 is already in use" in text and "--port" in text
    assert f"端口 {port}（127.0.0.1）已被占用" in text
    assert "seeding" not in text and not db.exists()  # stopped before any work


def test_the_port_check_tells_a_busy_port_from_a_free_one_issue17_item6():
    from fairdue.cli.demo import port_busy_message, port_is_free

    sock, port = _listening_socket()
    try:
        assert not port_is_free("127.0.0.1", port)
        message = port_busy_message("127.0.0.1", port)
        assert message is not None
        suggested = re.search(r"demo --port (\d+|PORT)`", message)
        assert suggested is not None and suggested.group(1) != str(port)
    finally:
        sock.close()
    assert port_is_free("127.0.0.1", port)  # closed: free again
    assert port_busy_message("127.0.0.1", port) is None


def test_fairdue_demo_port_must_be_a_tcp_port_issue17_item6(tmp_path):
    from fairdue.cli import app

    result = CliRunner().invoke(app, ["demo", "--port", "70000", "--database-url", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code == 2 and "--port" in result.output
