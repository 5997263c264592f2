"""The signed tree head as every published report prints it, among the facts on top (issue 17).

A document carries ``tree_head`` when the report was made from a store (projections/tree_head.py): the
head's fields, or None when no seal covers what the report was computed from. Without the key (a
document built elsewhere) nothing is printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SIGNATURE_TEXT = {"valid": "有效", "unsigned": "未签名", "invalid": "无效（签名不符，勿信）"}


def tree_head_facts(doc: Mapping[str, Any]) -> list[str]:
    """`签名树头：…` lines (label：value) for the facts of a report; [] when the document has no ``tree_head``."""
    from projections.reports.unit_detail import local_time  # unit_detail reads ranking, which reads this

    if "tree_head" not in doc:
        return []
    head = doc.get("tree_head")
    if not head:
        return ["签名树头：无（本报表所依据的记录尚未全部封存，见 hotline-ledger seal）"]
    note = f" · {head['note']}" if head.get("note") else ""
    status = SIGNATURE_TEXT.get(str(head.get("signature_status")), str(head.get("signature_status")))
    lines = [f"签名树头：封存 {head['seal']}（{local_time(head.get('sealed_at')) or '—'}{note}）",
             f"树大小：{head['tree_size']} 个事件",
             f"树根 SHA-256：{head['tree_root']}",
             f"签名状态：{status}"]
    if head.get("signature"):
        lines += [f"签名（Ed25519）：{head['signature']}", f"公钥指纹：{head.get('fingerprint') or '—'}"]
    return lines
