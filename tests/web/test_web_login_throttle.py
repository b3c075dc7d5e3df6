"""Repeated failed logins are slowed and logged without holding a server thread: a locked
name or address is refused at once (429 + Retry-After), per user and per client address."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from flask import Flask

from pipeline.web.throttle import LoginThrottle

from .conftest import PASSWORD, csrf_of, read


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_lock_grows_with_failures_up_to_a_cap_and_runs_out() -> None:
    clock = Clock()
    t = LoginThrottle(step=2, cap=10, free=3, free_address=100, clock=clock)
    locks = [t.failed("ali", "10.0.0.1") for _ in range(3)]
    assert locks == [0, 0, 0] and t.wait("ali", "10.0.0.1") == 0  # 3 free attempts
    assert t.failed("ali", "10.0.0.1") == 2
    assert t.failed("ali", "10.0.0.1") == 4
    assert t.failed("ali", "10.0.0.1") == 8
    assert t.failed("ali", "10.0.0.1") == 10  # capped
    assert t.wait("ALI", "10.0.0.9") == 10  # per name, from any address, any case
    assert t.wait("abu", "10.0.0.1") == 0  # the address has 100 free attempts
    clock.now += 10
    assert t.wait("ali", "10.0.0.1") == 0
    clock.now += 901  # forgotten after 15 minutes without a failure
    t.failed("ali", "10.0.0.1")
    assert t.wait("ali", "10.0.0.1") == 0


def test_an_address_trying_many_names_is_locked_too() -> None:
    clock = Clock()
    t = LoginThrottle(step=1, cap=60, free=3, free_address=5, clock=clock)
    for n in range(5):
        assert t.failed(f"user{n}", "10.0.0.7") == 0
    assert t.failed("user5", "10.0.0.7") == 1
    assert t.wait("someone-else", "10.0.0.7") == 1
    assert t.wait("someone-else", "10.0.0.8") == 0


def test_a_success_forgets_the_name_and_step_zero_turns_it_off() -> None:
    clock = Clock()
    t = LoginThrottle(step=1, cap=60, free=1, clock=clock)
    t.failed("ali", None)
    t.succeeded("ali")
    assert t.failed("ali", None) == 0
    off = LoginThrottle(step=0, cap=60, free=0, clock=clock)
    assert off.failed("ali", "10.0.0.1") == 0 and off.wait("ali", "10.0.0.1") == 0


def _post(client, token: str, name: str, password: str, addr: str = "10.1.1.1"):
    return read(client.post("/login", data={"name": name, "password": password,
                                            "csrf_token": token},
                            environ_base={"REMOTE_ADDR": addr}))


@pytest.fixture
def throttled(app: Flask) -> Flask:
    app.config.update(LOGIN_DELAY_STEP=30.0, LOGIN_DELAY_MAX=300.0, LOGIN_FREE_ATTEMPTS=2,
                      LOGIN_ADDRESS_FREE_ATTEMPTS=4)
    return app


def test_a_locked_login_is_refused_at_once_without_checking_the_password(
        throttled: Flask, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.register import accounts

    c = throttled.test_client()
    token = csrf_of(read(c.get("/login")).text)
    with caplog.at_level(logging.WARNING, logger="ika.web"):
        assert _post(c, token, "reader", "salah-1").status_code == 401
        r = _post(c, token, "reader", "salah-2")
        assert r.status_code == 401 and "Retry-After" not in r.headers
        r = _post(c, token, "reader", "salah-3")  # the third failure locks for 30 s
        assert r.status_code == 401 and r.headers["Retry-After"] == "30"
        assert "30 saat" in r.text  # said in Malay
        checked: list[str] = []
        real = accounts.authenticate
        monkeypatch.setattr(accounts, "authenticate",
                            lambda *a, **k: checked.append(a[1]) or real(*a, **k))
        t = time.perf_counter()
        r = _post(c, token, "reader", PASSWORD)  # even the right password: locked
        assert time.perf_counter() - t < 1.0  # answered at once, no sleep
        assert r.status_code == 429 and int(r.headers["Retry-After"]) == 30
        assert checked == []
        assert _post(c, token, "clerk", PASSWORD, addr="10.1.1.2").status_code == 302
    assert sum("failed login for 'reader' from 10.1.1.1" in m for m in caplog.messages) == 3
    assert any("login refused for 'reader'" in m and "locked" in m for m in caplog.messages)
    throttle = throttled.extensions["ika_login_throttle"]
    later = throttle.clock() + 31
    throttle.clock = lambda: later
    c = throttled.test_client()  # the clerk's login began a new session: a new form
    assert _post(c, csrf_of(read(c.get("/login")).text), "reader", PASSWORD).status_code == 302


def test_many_names_from_one_address_lock_the_address(throttled: Flask) -> None:
    c = throttled.test_client()
    token = csrf_of(read(c.get("/login")).text)
    statuses = [_post(c, token, name, "salah-salah", addr="10.9.9.9").status_code
                for name in ("a1", "a2", "a3", "a4", "a5", "a6")]
    assert statuses == [401, 401, 401, 401, 401, 429]
    assert _post(c, token, "clerk", PASSWORD, addr="10.9.9.9").status_code == 429
    assert _post(c, token, "clerk", PASSWORD, addr="10.9.9.10").status_code == 302


def test_locked_attempts_hold_no_thread(throttled: Flask) -> None:
    """Twenty attempts at once on a locked name all come back at once."""
    c0 = throttled.test_client()
    token = csrf_of(read(c0.get("/login")).text)
    for n in range(3):
        _post(c0, token, "ab", f"salah-{n}")
    times: list[float] = []
    statuses: list[int] = []

    def attempt() -> None:
        c = throttled.test_client()
        own = csrf_of(read(c.get("/login")).text)
        t = time.perf_counter()
        r = _post(c, own, "ab", "lagi-salah")
        times.append(time.perf_counter() - t)
        statuses.append(r.status_code)

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=30)
    assert statuses == [429] * 20
    assert max(times) < 5.0


def test_a_wrong_current_password_is_throttled_too(throttled: Flask, login) -> None:
    c = login("clerk")
    statuses = [c.post("/password", {"current": f"salah-{n}", "new": "baharu-12345",
                                     "again": "baharu-12345"}).status_code
                for n in range(4)]
    assert statuses == [400, 400, 400, 429]
