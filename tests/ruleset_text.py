"""Pieces of small rulesets that many tests write out (two units, three grade bands, a per-order item)."""

TWO_UNITS = """
[[units]]
code = "a"
name = "甲区"

[[units]]
code = "b"
name = "乙区"
"""

#: 优秀 from 90 points, 合格 from 60, 不合格 below (the grade bands of RUBRIC.md's 结果运用).
THREE_GRADES = """
[[grades]]
name = "优秀"
min_points = 90

[[grades]]
name = "合格"
min_points = 60

[[grades]]
name = "不合格"
min_points = 0
"""

#: 1.1 超期 of section 1: 0.2 off per order completed more than 3 working days after its due time (by due year), at
#: most 5 (the per-order kind's tests).
LATE_ORDERS_ITEM = """
[[items]]
code = "1.1"
name = "超期"
section = "1"
kind = "per_order"
start = "due"
end = "completed"
working_days = 3
year_by = "due"
amount = 0.2
max = 5
"""
