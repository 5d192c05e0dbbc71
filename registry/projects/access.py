"""Who may act on a project. The reviewer role is read-only; the administrator may do anything.

A department acts for its own projects. A school's or hospital's project reaches the Bureau
through its administrative department (Art. 7): the parent department's user submits it and puts
it on the list; the school's own user may prepare the declaration. There is no DRC role: the
Bureau (or the administrator) records the DRC's approval decision on the project (Art. 10).
"""
from __future__ import annotations

from registry.core.authz import ROLE_LABELS, require_login
from registry.core.errors import NotAuthorized

REPORTS_THROUGH_PARENT = ("school", "hospital")
ROLE_TEXT = {"owner": "项目建设单位", "bureau": "县大数据发展局", "finance": "县财政局",
             "organiser": "竣工验收组织单位"}


def submitting_unit(unit):
    """The unit that submits the project to the Bureau: the parent for schools and hospitals."""
    if unit.kind in REPORTS_THROUGH_PARENT and unit.parent is not None:
        return unit.parent
    return unit


def is_owner(user, project, submitting: bool = False) -> bool:
    """A department user of the owner unit, or of its administrative department (school, hospital)."""
    if user is None or user.role != "department" or user.unit_id is None:
        return False
    via = submitting_unit(project.unit)
    if submitting:
        return user.unit_id == via.id
    return user.unit_id in (project.unit_id, via.id)


OVERSIGHT_ROLES = ("bureau", "finance", "reviewer", "admin")
CONTACT_FIELDS = ("leader_phone", "contact_phone", "filler_phone")  # personal contact data on a declaration


def may_see_contacts(user, project) -> bool:
    """The phone numbers of a project's leader, contact and form-filler: the owning unit (and the
    department that submits for it) and the oversight roles only; never an anonymous visitor or
    another department."""
    if user is None:
        return False
    return user.role in OVERSIGHT_ROLES or is_owner(user, project)


def require_owner(ctx, project, submitting: bool = False) -> None:
    require_login(ctx)
    if ctx.user.role == "admin" or is_owner(ctx.user, project, submitting):
        return
    if ctx.user.role == "department" and submitting and is_owner(ctx.user, project):
        raise NotAuthorized(f"依据《管理办法》第七条，学校、医院的政务信息化项目由行政主管部门"
                            f"“{submitting_unit(project.unit).name}”汇总报送")
    raise NotAuthorized(f"{ROLE_LABELS.get(ctx.user.role, ctx.user.role)}无权操作该项目（仅限项目建设单位"
                        f"“{project.unit.name}”）")


def require_department_for_unit(ctx, unit) -> None:
    """Creating a project: a department for its own unit (or a subordinate school/hospital)."""
    require_login(ctx)
    user = ctx.user
    if user.role == "admin":
        return
    if user.role != "department":
        raise NotAuthorized(f"{ROLE_LABELS.get(user.role, user.role)}不能申报项目（仅限部门用户）")
    if user.unit_id not in (unit.id, submitting_unit(unit).id):
        raise NotAuthorized("只能为本单位（或所属学校、医院）申报项目")


def require_actor(ctx, project, who: str, bureau_organises: bool = False) -> None:
    """`who`: owner | submitter | bureau | finance | organiser (Bureau ≥ threshold, else owner)."""
    require_login(ctx)
    role = ctx.user.role
    if role == "admin":
        return
    if who == "organiser":
        who = "bureau" if bureau_organises else "owner"
    if who in ("owner", "submitter"):
        require_owner(ctx, project, submitting=who == "submitter")
        return
    if role != who:
        raise NotAuthorized(f"{ROLE_LABELS.get(role, role)}无权执行此操作（仅限{ROLE_LABELS[who]}）")
