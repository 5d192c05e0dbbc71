"""One mechanism for every form page: after any error the form comes back with what the user entered.

A page may hold several forms (a project page has a dozen). Each form has a name. When a POST
fails, the view shows the page again (status 422, no redirect, so nothing is lost) with the
submitted form remembered under its name; every other form on the page shows its defaults.

In a view (a POST handler and the function that renders its page)::

    from registry.web.forms import form_failed
    try:
        run("sharing_request_answer", data)
    except RegistryError as exc:
        return form_failed("answer", exc, _request_view, request_id=request_id)

    # or, when the POST and the page are one function:
    return render_template(...), keep_form("answer", exc)   # sets g.form, returns 422

In a template (macros in ``_forms.html``)::

    {% from "_forms.html" import form_errors, input, textarea, select, checkboxes %}
    {% set f = form_for('answer', {'decision': 'approve'}) %}   {# defaults when not just submitted #}
    {{ form_errors(f) }}
    {{ select(f, 'decision', '结论', [('approve', '同意'), ('refuse', '不同意')], required=True) }}
    {{ checkboxes(f, 'items', '同意共享的信息项', [(i.id, i.name) for i in items]) }}
    {{ textarea(f, 'reason', '理由') }}

`form_errors` lists every message with the field's Chinese name (registry.core.errors.FIELD_LABELS, the
one place keys become words); the field macros mark their own field's messages beside it. Pages
that render their own markup can still use ``f.value(name)``, ``f.values(name)``, ``f.checked(name,
value)`` and ``f.errors_for(name)`` (the duplicate review pages do).
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

from flask import g, request
from werkzeug.datastructures import MultiDict

from registry.core.errors import RegistryError, ValidationFailed, describe


def errors_of(exc: Exception) -> dict[str, list[str]]:
    """Field → messages of a refusal; a refusal without fields is under "message"."""
    if isinstance(exc, ValidationFailed):
        return {k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in exc.errors.items()}
    if isinstance(exc, RegistryError):
        return {"message": [exc.message]}
    return {"message": [str(exc)]}


class Form:
    """The state of one form: its values (submitted, or the defaults) and its errors."""

    def __init__(self, name: str, data: Any = None, errors: dict[str, list[str]] | None = None,
                 submitted: bool = False):
        self.name = name
        self.submitted = submitted
        self.errors = errors or {}
        if isinstance(data, MultiDict):
            self._data = MultiDict([(k, v) for k, v in data.items(multi=True) if k != "csrf_token"])
        else:
            pairs = []
            for key, value in (data or {}).items():
                if isinstance(value, (list, tuple, set)):
                    pairs.extend((key, v) for v in value)
                elif value is not None:
                    pairs.append((key, value))
            self._data = MultiDict(pairs)

    # values -----------------------------------------------------------------------------------
    def value(self, key: str, default: Any = "") -> Any:
        value = self._data.get(key)
        if value is None or value is False:
            return default
        return value if value is not True else "1"

    def values(self, key: str) -> list:
        return self._data.getlist(key)

    def checked(self, key: str, value: Any) -> bool:
        """Whether a checkbox / option `value` of field `key` is on (compared as text)."""
        wanted = "" if value is None else str(value)
        return any(("" if v is None else str(v)) == wanted for v in self._data.getlist(key))

    selected = checked

    # errors -----------------------------------------------------------------------------------
    @property
    def failed(self) -> bool:
        return bool(self.errors)

    def errors_for(self, key: str) -> list[str]:
        return self.errors.get(key, [])

    @property
    def messages(self) -> list[str]:
        """Every message, each naming its field in Chinese (for the summary above the form)."""
        return [describe(k, m) for k, ms in self.errors.items() for m in ms]


def form_for(name: str, defaults: dict | None = None) -> Form:
    """The form `name` of this page: the one just submitted (with its errors) or one with `defaults`."""
    current = g.get("form")
    if current is not None and current.name == name:
        current.shown = True
        return current
    return Form(name, defaults or {})


def keep_form(name: str, exc: Exception | dict[str, list[str]], data: Any = None) -> int:
    """Remember the submitted form `name` and its errors for this request's page; returns 422."""
    errors = exc if isinstance(exc, dict) else errors_of(exc)
    g.form = Form(name, request.form if data is None else data, errors, submitted=True)
    return 422


def form_failed(name: str, exc: Exception | dict[str, list[str]], page: Callable[..., Any], **kwargs):
    """Show `page` again (the view function that renders it) with form `name` as submitted, status 422."""
    keep_form(name, exc)
    body = page(**kwargs)
    if not getattr(g.form, "shown", False):  # the form is not on the page (not offered to this user): say why
        from flask import flash
        from flask.globals import request_ctx
        for message in g.form.messages:
            if request_ctx.flashes is None:
                flash(message, "error")
            else:  # the first rendering already read this request's messages
                request_ctx.flashes.append(("error", message))
        body = page(**kwargs)
    if isinstance(body, tuple):
        body = body[0]
    return body, 422


def options(pairs: Iterable) -> list[tuple[str, str]]:
    """(value, label) pairs as text, for the select and checkbox macros."""
    return [(str(v), str(label)) for v, label in pairs]


def choices(terms) -> list[tuple[str, str]]:
    """A vocabulary's terms (or any objects with code and label) as (value, label) pairs."""
    return [(t.code, t.label) for t in terms]


def register(app) -> None:
    app.jinja_env.globals.update(form_for=form_for)
    app.jinja_env.filters.update(choices=choices)
