"""The project rules at their boundaries (pure functions over the county's Policy)."""
from datetime import date

import pytest

from registry.core.config import Policy
from registry.measures import projects_7_35 as rules
from registry.projects.declaration import format_yuan, parse_yuan
from registry.projects.vocab import article_name

P = Policy()


@pytest.mark.parametrize("estimate, listed, origin", [
    (499_999, False, "filed"), (500_000, True, "declared"), (500_001, True, "declared"), (0, False, "filed")])
def test_projects_of_500000_yuan_or_more_go_on_the_list_smaller_ones_are_filed(estimate, listed, origin):
    assert rules.must_be_listed(estimate, P) is listed
    assert rules.list_origin_for(estimate, P) == origin


@pytest.mark.parametrize("submitted, late", [
    (date(2026, 9, 29), False), (date(2026, 9, 30), False), (date(2026, 10, 1), True), (date(2027, 1, 5), True)])
def test_next_years_list_is_due_by_30_september_of_the_year_before(submitted, late):
    assert rules.list_deadline(2027, P) == date(2026, 9, 30)
    assert rules.list_submission_late(2027, submitted, P) is late


def test_the_list_deadline_is_configuration():
    assert rules.list_deadline(2027, Policy(project_list_deadline_month_day="10-15")) == date(2026, 10, 15)


def test_a_project_not_on_the_list_gets_no_budget_citing_article_7():
    refused = rules.budget_decision("智慧医疗", 2027, None)
    assert not refused.allowed and "依据《管理办法》第七条" in refused.reasons[0] and "不安排年度预算" in refused.reasons[0]
    assert rules.budget_decision("智慧医疗", 2027, "declared").allowed
    assert rules.budget_decision("智慧医疗", 2027, "filed").allowed
    assert "第九条" in rules.budget_decision("智慧医疗", 2027, "om").reasons[0]


@pytest.mark.parametrize("amount, new_total, reason, targets, outcome", [
    (150_000, 1_000_000, "superior", True, "filed"),           # exactly 15 %
    (150_001, 1_000_000, "superior", True, "full_procedure"),  # one yuan over
    (149_999, 1_000_000, "optimise", True, "filed"),
    (100_000, 1_000_001, "business", True, "full_procedure"),  # raises the total
    (100_000, 1_000_000, "other", True, "full_procedure"),     # not one of the three reasons
    (100_000, 1_000_000, "business", False, "full_procedure"),  # targets changed
    (100_000, 900_000, "business", True, "filed"),             # lowering the total is fine
])
def test_adjustments_within_15_percent_for_one_of_three_reasons_are_filed(amount, new_total, reason, targets, outcome):
    decision = rules.adjustment_decision(1_000_000, amount, new_total, reason, targets, P)
    assert decision.outcome == outcome
    assert decision.reasons[0].startswith("依据《管理办法》第二十四条")


def test_15_percent_is_exact_for_amounts_where_floats_are_not():
    # 0.15 * 3 = 0.44999999999999996 in floating point; 15 % of 3,000,000 yuan is 450,000 exactly.
    assert rules.adjustment_decision(3_000_000, 450_000, 3_000_000, "superior", True, P).outcome == "filed"
    assert rules.adjustment_decision(7, 1, 7, "superior", True, P).outcome == "filed"  # 1.05 ≥ 1
    assert rules.adjustment_decision(6, 1, 6, "superior", True, P).outcome == "full_procedure"  # 0.9 < 1


@pytest.mark.parametrize("completed, due", [
    (date(2026, 1, 15), date(2026, 7, 15)), (date(2026, 8, 31), date(2027, 2, 28)),
    (date(2027, 8, 31), date(2028, 2, 29)), (date(2026, 12, 31), date(2027, 6, 30))])
def test_completion_acceptance_is_due_six_months_to_the_day(completed, due):
    assert rules.acceptance_due(completed, P) == due


@pytest.mark.parametrize("accepted, late", [
    (date(2026, 7, 14), False), (date(2026, 7, 15), False), (date(2026, 7, 16), True)])
def test_acceptance_on_the_six_month_day_is_on_time_the_day_after_is_late(accepted, late):
    assert rules.acceptance_late(date(2026, 1, 15), accepted, P) is late


def test_an_approved_extension_moves_the_acceptance_deadline():
    assert not rules.acceptance_late(date(2026, 1, 15), date(2026, 9, 1), P, extended_until=date(2026, 9, 1))
    assert rules.acceptance_late(date(2026, 1, 15), date(2026, 9, 2), P, extended_until=date(2026, 9, 1))


@pytest.mark.parametrize("total, bureau", [(4_999_999, False), (5_000_000, True), (5_000_001, True)])
def test_the_bureau_organises_acceptance_from_5000000_yuan_inclusive(total, bureau):
    assert rules.bureau_organises(total, P) is bureau
    assert ("向县大数据发展局申请竣工验收" in rules.acceptance_organiser_text(total, P)) is bureau


@pytest.mark.parametrize("report, timing", [
    (date(2027, 3, 14), "early"), (date(2027, 3, 15), "on_time"), (date(2028, 3, 15), "on_time"),
    (date(2028, 3, 16), "late")])
def test_self_evaluation_window_is_12_to_24_months_after_acceptance_inclusive(report, timing):
    assert rules.self_evaluation_window(date(2026, 3, 15), P) == (date(2027, 3, 15), date(2028, 3, 15))
    assert rules.self_evaluation_timing(date(2026, 3, 15), report, P) == timing


@pytest.mark.parametrize("as_of, active", [
    (date(2024, 3, 1), True), (date(2029, 2, 28), True), (date(2029, 3, 1), False), (date(2024, 2, 29), False)])
def test_a_blacklisting_lasts_five_years_and_ends_on_its_expiry_day(as_of, active):
    expires = rules.blacklist_expiry(date(2024, 3, 1), P)
    assert expires == date(2029, 3, 1)
    assert rules.blacklist_active(date(2024, 3, 1), expires, as_of) is active


def test_a_leap_day_listing_expires_on_the_last_day_of_february():
    assert rules.blacklist_expiry(date(2024, 2, 29), P) == date(2029, 2, 28)


@pytest.mark.parametrize("text, yuan", [
    ("300万元", 3_000_000), ("300万", 3_000_000), ("1,250,000元", 1_250_000), ("12.5万元", 125_000),
    ("0.5亿元", 50_000_000), ("800000", 800_000), ("", 0), ("50万元（含运维）", 500_000)])
def test_the_forms_cost_estimate_is_read_as_yuan(text, yuan):
    assert parse_yuan(text) == yuan
    assert parse_yuan(format_yuan(yuan)) == yuan


def test_article_numbers_are_written_in_chinese():
    assert [article_name(n) for n in (7, 10, 14, 20, 21, 35)] == [
        "第七条", "第十条", "第十四条", "第二十条", "第二十一条", "第三十五条"]
