"""The project module's vocabularies (code + Chinese label) and article citations."""
from __future__ import annotations

from catalog_schema.vocabularies import Term, Vocabulary

from registry.measures import article_name, cite  # noqa: F401  (re-exported for old imports)


STAGE = Vocabulary("project_stage", "项目阶段", (
    Term("declared", "申报", ("项目申报",)),
    Term("tech_review", "技术审查", ()),
    Term("decision", "项目决策", ()),
    Term("investment_review", "投资评审", ()),
    Term("construction", "建设", ("项目建设",)),
    Term("acceptance", "竣工验收", ()),
    Term("operation", "运维", ("运行维护",)),
    Term("evaluation", "自评价/后评价", ("自评价", "后评价")),
))
STAGES = tuple(STAGE.codes)

STATUS = Vocabulary("project_status", "项目状态", (
    Term("normal", "正常", ()),
    Term("problem", "已报告问题", ()),
    Term("rectifying", "整改中", ()),
    Term("suspended", "暂停建设", ()),
))

LIST_ORIGIN = Vocabulary("list_origin", "纳入清单方式", (
    Term("declared", "单位报送", ("报送",)),
    Term("filed", "报备", ("备案",)),
    Term("mandated", "上级明确要求建设", ("明确要求", "上级要求")),
    Term("continuing", "续建", ()),
    Term("om", "运行维护", ("运维",)),
))
BUREAU_ORIGINS = ("mandated", "continuing", "om")  # Art. 9: the Bureau adds these

ADJUSTMENT_REASON = Vocabulary("adjustment_reason", "调整情形", (
    Term("superior", "根据上级工作安排确需改变建设内容", ("上级工作安排", "一")),
    Term("optimise", "确需对原项目技术方案进行完善优化", ("技术方案优化", "二")),
    Term("business", "业务发展需要在已批复规划框架下调整建设内容及进度", ("业务发展需要", "三")),
    Term("other", "其他情形", ("其他",)),
))
FILING_REASONS = ("superior", "optimise", "business")  # Art. 24 (一)(二)(三)

CHAPTER = Vocabulary("feasibility_chapter", "可研报告篇章", (
    Term("data_governance", "数据资源收集治理及业务应用梳理", ("数据采集与治理",)),
    Term("data_sharing", "数据资源共享分析", ("数据共享分析",)),
    Term("network_security", "网络安全保护措施", ("网络安全",)),
    Term("crypto", "密码应用方案", ("密码应用",)),
    Term("intensive", "集约化建设", ("集约化建设篇",)),
))

MATERIAL = Vocabulary("acceptance_material", "竣工验收材料", (
    Term("summary", "项目建设总结", ("总结",)),
    Term("financial_report", "财务报告", ()),
    Term("audit_report", "审计报告", ()),
    Term("security_assessment", "安全风险评估报告（等保测评/涉密测评）", ("安全风险评估报告", "等保测评")),
    Term("crypto_assessment", "密码应用安全性评估报告", ("密评报告",)),
    Term("data_dictionary", "数据字典", ()),
))

PROBLEM_KIND = Vocabulary("problem_kind", "问题类型", (
    Term("delay", "工程严重逾期", ("严重逾期", "逾期")),
    Term("loss", "投资重大损失", ("重大损失", "损失")),
))

PROBLEM_DECISION = Vocabulary("problem_decision", "处理决定", (
    Term("rectify", "限期整改", ("整改",)),
    Term("suspend", "暂停项目建设", ("暂停",)),
    Term("resolved", "整改完成，恢复建设", ("恢复", "已整改")),
))

ALL = {v.name: v for v in (STAGE, STATUS, LIST_ORIGIN, ADJUSTMENT_REASON, CHAPTER, MATERIAL,
                           PROBLEM_KIND, PROBLEM_DECISION)}
