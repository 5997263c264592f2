"""账号 page: an admin opens accounts (the password shown once), changes roles, disables and enables them —
through the same use cases as ``users`` (ledger/usecases/accounts.py), with CSRF, and only where web/access.py's RULES
allow.
"""

from __future__ import annotations

import html
import re

import pytest

from tests.e2e.test_web_pages import browser
from tests.e2e.web_support import ROLES, Site, make_site


@pytest.fixture
def site(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Site:
    return make_site(store_url, monkeypatch)


def _events(site: Site) -> int:
    return site.app.recorder.max_notification_id()


def _row(page: str, login: str) -> str:
    found = re.search(rf'<tr class="account[^"]*" data-login="{re.escape(login)}">(.*?)</tr>', page, re.S)
    assert found, login
    return found.group(1)


def test_an_admin_opens_an_account_and_sees_its_password_once(site: Site) -> None:
    admin, csrf = browser(site, "admin")
    r = admin.post("/app/accounts", data={"csrf": csrf, "login": "Zhang.San", "role": "unit", "unit": "daiyue",
                                          "name": "张三"})
    assert r.status_code == 200 and "已开设账号 zhang.san" in r.text
    password = re.search(r'<code class="secret">([^<]+)</code>', r.text).group(1)
    assert len(html.unescape(password)) >= 10
    # the password works: the new account logs in, as a unit account of 岱岳区
    login = site.login("zhang.san", html.unescape(password), client=type(site.client)(site.client.app))
    assert login.status_code == 200 and login.json()["role"] == "unit"
    assert site.app.account("zhang.san").unit == "daiyue"
    # it is shown once: the page afterwards lists the account, never the password
    again = admin.get("/app/accounts").text
    assert "张三" in _row(again, "zhang.san") and password not in again
    # the admin's own row offers no role change or disabling (one click would lock the admin out)
    assert "/app/accounts/admin/" not in _row(again, "admin") and "本人账号" in _row(again, "admin")
    assert "/app/accounts/zhang.san/state" in _row(again, "zhang.san")
    # the event names the admin who opened it; no secret in the log
    (by,) = site.app.refresh().db.execute("SELECT opened_by FROM accounts WHERE login='zhang.san'").fetchone()
    assert by == "admin"
    log = site.client.get("/api/v1/log", headers=site.as_("admin")).text
    assert html.unescape(password) not in log


@pytest.mark.parametrize(("form", "status", "message"), [
    ({"login": "clerk", "role": "clerk"}, 409, "an account with login 'clerk' already exists"),
    ({"login": "new.unit", "role": "unit"}, 422, "a unit account needs its unit"),
    ({"login": "bad login", "role": "viewer"}, 422, "is not valid"),
    ({"login": "x1", "role": "king"}, 422, "unknown role"),
])
def test_a_refused_account_is_said_on_the_form_and_records_nothing(site: Site, form: dict[str, str], status: int,
                                                                    message: str) -> None:
    admin, csrf = browser(site, "admin")
    before = _events(site)
    r = admin.post("/app/accounts", data={"csrf": csrf, **form})
    assert r.status_code == status and message in html.unescape(r.text)
    assert 'class="secret"' not in r.text and f'value="{form["login"]}"' in r.text  # what was typed is kept
    assert _events(site) == before


def test_an_admin_changes_a_role_and_the_account_has_it_on_its_next_request(site: Site) -> None:
    admin, csrf = browser(site, "admin")
    r = admin.post("/app/accounts/viewer/role", data={"csrf": csrf, "role": "auditor", "unit": ""})
    assert r.status_code == 200 and "角色已改为 审计" in r.text and "审计" in _row(r.text, "viewer")
    assert site.client.get("/api/v1/me", headers=site.as_("viewer")).json()["role"] == "auditor"
    assert site.client.get("/api/v1/verify", headers=site.as_("viewer")).status_code == 200  # an auditor verifies
    before = _events(site)
    same = admin.post("/app/accounts/viewer/role", data={"csrf": csrf, "role": "auditor", "unit": ""})
    assert same.status_code == 422 and "already has the role auditor" in html.unescape(_row(same.text, "viewer"))
    assert _events(site) == before


def test_a_disabled_account_is_refused_at_once_and_enabled_again(site: Site) -> None:
    admin, csrf = browser(site, "admin")
    clerk, _ = browser(site, "clerk")
    assert clerk.get("/app/record").status_code == 200
    r = admin.post("/app/accounts/clerk/state", data={"csrf": csrf, "enabled": "no"})
    assert r.status_code == 200 and "已停用" in _row(r.text, "clerk")
    assert clerk.get("/app/record", follow_redirects=False).status_code == 303  # its session: back to the login
    assert site.client.get("/api/v1/me", headers=site.as_("clerk")).status_code == 401  # its token too
    r = admin.post("/app/accounts/clerk/state", data={"csrf": csrf, "enabled": "yes"})
    assert r.status_code == 200 and "启用" in _row(r.text, "clerk")
    assert site.client.get("/api/v1/me", headers=site.as_("clerk")).status_code == 200


@pytest.mark.parametrize(("path", "form"), [
    ("/app/accounts", {"login": "mallory", "role": "admin"}),
    ("/app/accounts/viewer/role", {"role": "admin"}),
    ("/app/accounts/admin/state", {"enabled": "no"}),
])
def test_only_an_admin_may_and_only_with_the_csrf_token(site: Site, path: str, form: dict[str, str]) -> None:
    before = _events(site)
    for role in ROLES[1:]:  # every role but admin: 403, with its own valid token
        client, csrf = browser(site, role)
        assert client.post(path, data={"csrf": csrf, **form}).status_code == 403, role
    admin, csrf = browser(site, "admin")
    missing = admin.post(path, data=form)  # the admin without the token: refused before the use case runs
    assert missing.status_code == 403 and "CSRF" in missing.text
    assert _events(site) == before
    assert admin.post(path, data={"csrf": csrf, **form}).status_code == 200  # with it: done
    assert _events(site) > before


def test_an_admins_api_token_may_post_the_form_too(site: Site) -> None:
    # A browser never sends a Bearer token by itself, so no CSRF token is asked of one; the same rule applies.
    r = site.client.post("/app/accounts", headers=site.as_("admin"), data={"login": "bot", "role": "viewer"})
    assert r.status_code == 200 and site.app.account("bot").role == "viewer"
