"""Browser-test fixtures: the app served by uvicorn on a free 127.0.0.1 port, Debian's Chromium
driven by Playwright (never a downloaded browser), screenshots kept under artifacts/.

Without /usr/bin/chromium the tests skip with that reason — unless CI=true, where they fail.
"""

from __future__ import annotations

import os
import pathlib
import socket
import threading
import time

import pytest

CHROMIUM = os.environ.get("FAIRDUE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = pathlib.Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "screenshots"
SERVER_START_TIMEOUT_S = 20


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not os.path.exists(CHROMIUM):
        if _ci():
            pytest.fail(f"browser tests are mandatory under CI=true but {CHROMIUM} is missing", pytrace=False)
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); browser tests skipped")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """A uvicorn server running `app` in a thread; `url` is its base address."""

    def __init__(self, app) -> None:
        import uvicorn

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = app
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        )
        self.thread = threading.Thread(target=self.server.run, name="uvicorn-test", daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def page(browser, request):
    """A fresh browser context (own cookies) and page; Chinese by default, like a CN borrower."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def screenshot(page, name: str) -> pathlib.Path:
    """Save a full-page screenshot under artifacts/screenshots/ (git-ignored) and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def backend() -> str:
    """Browser flows run on SQLite (the API suite covers PostgreSQL)."""
    return "sqlite"


@pytest.fixture
def web_app(engine, clock):
    from web_testing import add_staff, make_app

    app = make_app(engine, clock)
    add_staff(app, "agent1", "agent", display_name="王敏")
    return app


@pytest.fixture
def live_server():
    """LiveServer(app): use as a context manager for an app the test built itself."""
    return LiveServer


@pytest.fixture
def live(web_app):
    with LiveServer(web_app) as server:
        yield server


@pytest.fixture
def shot():
    """shot(page, name): save a full-page screenshot under artifacts/screenshots/."""
    return screenshot
