"""Pieces of small rulesets that many tests write out (two units, three grade bands)."""

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
