"""Sharing: requests for another unit's data, the answers and their deadlines, sharing records,
usage feedback and data-quality objections, notifications — the evidence Article 28 needs.

Modules: `workdays` (the official calendar), `models`, `schemas`, `requests` (request actions),
`records` (records, feedback, objections), `stats` (overdue lists, per-unit figures), `inbox`
(notifications and mail), `funding_rules`, `cli`, `views`.
"""
