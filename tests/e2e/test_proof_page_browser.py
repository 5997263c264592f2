"""The standalone verifier page (verifier/proof_check.html) in headless Chromium, driven by Playwright.

The page is a second implementation, in JavaScript with WebCrypto: it must accept the proof files
`proof check` accepts, refuse the same edits (an event, the ruleset, a sibling hash, the
signature), check consistency files, and make no request beyond its own file.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, browser_env
from tests.e2e.test_cli_proof import (
    _edit_event_count,
    _edit_root,
    _edit_ruleset,
    _edit_sibling,
    _edit_signature,
    _flip_hex,
    _prove,
    _seal,
    sealed,  # noqa: F401 - the fixture
)
from tests.e2e.test_cli_proof_workorders import _edit_fact, demo_sealed  # noqa: F401 - the fixture
from tests.e2e.test_cli_proof_workorders import _prove as workorder_proof

pytestmark = pytest.mark.browser
PAGE = Path(__file__).resolve().parents[2] / "verifier" / "proof_check.html"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def page() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (scripts/test.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], env=browser_env())
        tab = browser.new_page()
        requests: list[str] = []
        tab.on("request", lambda r: requests.append(r.url))
        tab.goto(PAGE.as_uri())
        tab.requests = requests
        yield tab
        browser.close()


def _check_in_page(page: Any, path: Path, key: str) -> tuple[str, str]:
    page.fill("#key", key)
    page.set_input_files("#file", str(path))
    page.click("#check")
    # A selector, not a JS predicate: the page's Content-Security-Policy forbids evaluating strings.
    page.wait_for_selector("#result[data-state=ok], #result[data-state=failed]")
    return page.get_attribute("#result", "data-state"), page.inner_text("#result")


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_page_accepts_a_good_proof_and_refuses_every_edit(page: Any, cli: Cli, tmp_path: Path,
                                                               sealed: dict[str, Any]) -> None:  # noqa: F811
    path, doc = _prove(cli, tmp_path)
    state, text = _check_in_page(page, path, sealed["public_key"])
    assert state == "ok", text
    assert "events: 5 in the signed tree of 6" in text
    for edit, named in ((_edit_event_count, "not in the signed tree"), (_edit_ruleset, "not in the signed tree"),
                        (_edit_sibling, "not in the signed tree"), (_edit_signature, "the signature does not verify"),
                        (_edit_root, "the signature does not verify")):
        forged = copy.deepcopy(doc)
        edit(forged)
        bad = tmp_path / f"{edit.__name__}.json"
        bad.write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")
        state, text = _check_in_page(page, bad, sealed["public_key"])
        assert state == "failed" and named in text, (edit.__name__, text)
        # The Python checker refuses the same file.
        assert cli("proof", "check", str(bad), "--key", sealed["public_key"]).exit_code == 1
    other = cli.json("seal", "keygen", str(tmp_path / "other.pem"))["public_key"]
    state, text = _check_in_page(page, path, other)
    assert state == "failed" and "not signed by the key given" in text
    assert all(url.startswith("file://") for url in page.requests), page.requests


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_page_checks_a_consistency_proof(page: Any, cli: Cli, tmp_path: Path,
                                             sealed: dict[str, Any]) -> None:  # noqa: F811
    for day in ("2025-04-01", "2025-04-02", "2025-04-03"):
        cli.json("record", "--item", "2.1", "--unit", "taishan", "--date", day, "--evidence", day)
    later = _seal(cli, sealed["key_file"], "四月通报")
    out = tmp_path / "consistency.json"
    assert cli("proof", "consistency", "--from", sealed["seal"]["id"], "--to", later["id"],
               "--output", str(out)).exit_code == 0
    state, text = _check_in_page(page, out, sealed["public_key"])
    assert state == "ok", text
    assert f"tree head {later['tree_size']} extends tree head 6" in text
    doc = json.loads(out.read_text(encoding="utf-8"))
    doc["proof"][-1] = _flip_hex(doc["proof"][-1])
    out.write_text(json.dumps(doc), encoding="utf-8")
    state, text = _check_in_page(page, out, sealed["public_key"])
    assert state == "failed" and "proof refused" in text


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_page_checks_a_proof_with_the_units_work_orders(page: Any, cli: Cli, tmp_path: Path,
                                                            demo_sealed: dict[str, Any]) -> None:  # noqa: F811
    key = demo_sealed["public_key"]
    path = tmp_path / "taishan.proof.json"
    doc = workorder_proof(cli, path, "taishan")
    state, text = _check_in_page(page, path, key)
    assert state == "ok", text
    # ledger/usecases/demo.py: 泰山区 has 2,400 orders in the demo year, one chunk of its own.
    assert "work orders: 2400 facts of the unit's orders in 1 events" in text
    chunk_at = next(i for i, e in enumerate(doc["events"]) if e["topic"].endswith(":WorkOrderFactsRecorded"))
    forged = copy.deepcopy(doc)
    chunk = _edit_fact(forged)
    bad = tmp_path / "fact.json"
    bad.write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")
    state, text = _check_in_page(page, bad, key)
    assert state == "failed" and f"event #{chunk['notification_id']}" in text and "not in the signed tree" in text
    assert cli("proof", "check", str(bad), "--key", key).exit_code == 1
    # A chunk claimed for another unit is refused by both before its leaf is hashed.
    forged = copy.deepcopy(doc)
    facts = json.loads(forged["events"][chunk_at]["plain"])
    facts["unit"] = "daiyue"
    forged["events"][chunk_at]["plain"] = json.dumps(facts, ensure_ascii=False, separators=(",", ":"))
    bad.write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")
    state, text = _check_in_page(page, bad, key)
    assert state == "failed" and "work-order facts not of unit taishan alone" in text, text
    result = cli("proof", "check", str(bad), "--key", key)
    assert result.exit_code == 1 and "work-order facts not of unit taishan alone" in result.stderr
    assert all(url.startswith("file://") for url in page.requests), page.requests


VECTORS = Path(__file__).resolve().parents[1] / "data" / "rfc6962_vectors"


def _hex(value: str | None) -> str:
    import base64

    return base64.b64decode(value or "").hex()


def test_the_pages_proof_algorithms_agree_with_the_published_vectors(page: Any) -> None:
    cases = []
    for f in sorted(VECTORS.rglob("*.json")):
        c = json.loads(f.read_text())
        proof = [_hex(p) for p in c["proof"] or []]
        if "leafIdx" in c:
            cases.append({"name": str(f.relative_to(VECTORS)), "kind": "inclusion", "want_err": c["wantErr"],
                          "args": [c["leafIdx"], c["treeSize"], _hex(c["leafHash"]), _hex(c["root"]), proof]})
        else:
            cases.append({"name": str(f.relative_to(VECTORS)), "kind": "consistency", "want_err": c["wantErr"],
                          "args": [c["size1"], c["size2"], _hex(c["root1"]), _hex(c["root2"]), proof]})
    wrong = page.evaluate("""async cases => {
      const wrong = [];
      for (const c of cases) {
        const [a, b, x, y, proof] = c.args;
        let failed = false;
        try {
          if (c.kind === "inclusion") await checkInclusion(a, b, hexBytes(x), proof.map(hexBytes), hexBytes(y));
          // (inclusion: a index, b size, x leaf, y root; consistency: a, b sizes, x, y roots)
          else await checkConsistency(a, b, hexBytes(x), hexBytes(y), proof.map(hexBytes));
        } catch (e) { failed = true; c.why = String(e); }
        if (failed !== c.want_err) wrong.push(c.name + (failed ? " refused: " + c.why : " accepted"));
      }
      return wrong;
    }""", cases)
    assert len(cases) > 150
    assert wrong == [], wrong[:4]
