"""Notifications: the in-app inbox, and e-mail copies sent after commit to a real SMTP server on
loopback (aiosmtpd); a failed send is logged and recorded, and the in-app message stays."""
import logging
import socket
from dataclasses import replace
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller

from registry.core.runtime import Registry
from tests.sharing_helpers import county, request_payload, sreg  # noqa: F401


class Collect:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def _mail_registry(reg, port):
    return Registry(replace(reg.settings, smtp_host="127.0.0.1", smtp_port=port, smtp_from="registry@yunyang.gov.cn"),
                    reg.db, reg.search)


def test_new_request_reaches_the_provider_inbox_and_mailbox(sreg, make, county, smtp):  # noqa: F811
    controller, handler = smtp
    mail = _mail_registry(sreg, controller.port)
    police_user = make.user("department", county["police"])
    civil_user = make.user("department", county["civil"])
    mail.run_action("inbox_email_set", police_user["id"], {"email": "police@yunyang.gov.cn"})
    req = mail.run_action("sharing_request_create", civil_user["id"], request_payload(county))
    assert len(handler.messages) == 1
    recipients, message = handler.messages[0]
    assert recipients == ["police@yunyang.gov.cn"]
    assert f"新的共享申请 #{req['id']}" in str(make_header(decode_header(message["Subject"])))
    inbox = mail.run_action("inbox_list", police_user["id"], {})
    assert inbox["unread"] == 1 and inbox["results"][0]["email_status"] == "sent"
    assert inbox["results"][0]["link"] == f"/sharing/requests/{req['id']}"
    mail.run_action("inbox_mark_read", police_user["id"], {"all": True})
    assert mail.run_action("inbox_list", police_user["id"], {})["unread"] == 0


def test_failed_mail_is_logged_and_visible_and_the_inbox_keeps_the_message(sreg, make, county, caplog):  # noqa: F811
    mail = _mail_registry(sreg, _free_port())  # nothing listens there
    police_user = make.user("department", county["police"])
    civil_user = make.user("department", county["civil"])
    mail.run_action("inbox_email_set", police_user["id"], {"email": "police@yunyang.gov.cn"})
    with caplog.at_level(logging.ERROR, logger="registry.sharing.mail"):
        req = mail.run_action("sharing_request_create", civil_user["id"], request_payload(county))
    assert any("e-mail not sent" in r.getMessage() for r in caplog.records)
    message = mail.run_action("inbox_list", police_user["id"], {})["results"][0]
    assert message["request_id"] == req["id"] and message["email_status"] == "failed" and message["email_error"]
    assert mail.run_action("sharing_request_show", civil_user["id"], {"id": req["id"]})["status"] == "pending"


def test_without_smtp_configuration_only_the_inbox_is_used(sreg, make, county):  # noqa: F811
    police_user = make.user("department", county["police"])
    sreg.run_action("inbox_email_set", police_user["id"], {"email": "police@yunyang.gov.cn"})
    make.act("sharing_request_create", request_payload(county))
    assert sreg.run_action("inbox_list", police_user["id"], {})["results"][0]["email_status"] == "none"


@pytest.mark.parametrize("email, message", [("not-an-address", "电子邮箱格式不正确"), ("a" * 200 + "@x.cn", "不能超过200个字符")])
def test_bad_email_address_is_refused_in_chinese(sreg, make, email, message):  # noqa: F811
    from registry.core.errors import ValidationFailed
    user = make.user("finance")
    with pytest.raises(ValidationFailed) as caught:
        sreg.run_action("inbox_email_set", user["id"], {"email": email})
    assert message in caught.value.message


def test_overdue_notice_goes_once_to_provider_requester_and_bureau(sreg, make, county):  # noqa: F811
    from datetime import date

    from tests.sharing_helpers import backdate
    users = [make.user("department", county["police"]), make.user("department", county["civil"]), make.user("bureau")]
    req = make.act("sharing_request_create", request_payload(county))
    backdate(sreg, req["id"], date(2026, 2, 13), date(2026, 3, 2))
    assert make.act("sharing_overdue_notify", {})["ids"] == [req["id"]]
    assert make.act("sharing_overdue_notify", {})["ids"] == []
    for user in users:
        kinds = [m["kind"] for m in sreg.run_action("inbox_list", user["id"], {})["results"]]
        assert kinds.count("overdue") == 1
