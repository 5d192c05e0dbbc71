"""O&M funding eligibility (运行维护经费): the master directory, evidence, and the rule engine."""
