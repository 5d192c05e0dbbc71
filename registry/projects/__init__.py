"""Project lifecycle (政务信息化项目): declaration, project list, stages, deadlines (Art. 7–27, 35).

models: the records; rules: the pure policy functions (each cites its article); stages: the
stage machine and its preconditions; actions/records_actions: the write actions; due: what is
due per role; funding_rules: the Art. 7 budget block for the funding engine; views/cli: pages
and `registry due`.
"""
