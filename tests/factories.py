"""Test data made through the actions, so every record passed real validation."""
from __future__ import annotations

import itertools

from registry.cli import CliActor

_seq = itertools.count(1)
PASSWORD = "secret-pass-1"


class Factory:
    def __init__(self, reg):
        self.reg = reg

    def act(self, name: str, data: dict, actor=None):
        return self.reg.run_action(name, actor if actor is not None else CliActor(), data)

    def unit(self, **kw) -> dict:
        n = next(_seq)
        data = {"code": f"unit{n}", "name": f"测试单位{n}", "kind": "department", **kw}
        return self.act("unit_create", data)

    def system(self, unit: dict | None = None, **kw) -> dict:
        unit = unit or self.unit()
        n = next(_seq)
        return self.act("system_create", {"unit": unit["id"], "name": f"测试系统{n}", **kw})

    def package(self, system: dict | None = None, items=("姓名", "公民身份号码", "联系电话"), **kw) -> dict:
        system = system or self.system()
        n = next(_seq)
        data = {"system": system["id"], "title": f"测试信息资源{n}", "sharing_type": "conditional",
                "sharing_method": "platform", "update_cycle": "daily",
                "items": [{"name": i, "data_type": "C", "data_length": 50} for i in items], **kw}
        return self.act("package_create", data)

    def user(self, role: str, unit: dict | None = None, username: str | None = None) -> dict:
        username = username or f"{role}{next(_seq)}"
        return self.act("user_create", {"username": username, "password": PASSWORD, "role": role,
                                        "unit": unit["id"] if unit else None, "display_name": username}
                        if unit else {"username": username, "password": PASSWORD, "role": role})

    def token(self, user: dict) -> str:
        return self.act("api_token_create", {"user": user["username"]})["token"]
