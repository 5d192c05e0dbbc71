"""Validating one cell (or one resource row) with the very schemas the API loads through.

So a bad sharing type gets the same Chinese message in the API, on the page and in the
workbook. Values repeat a lot in a catalog (有条件共享 on thousands of rows), so results are
cached per raw value: a 200,000-item file validates each distinct spelling once.
"""
from __future__ import annotations

import re

from marshmallow import ValidationError

from catalog_schema import schemas
from catalog_schema import vocabularies as vocab

Result = tuple[object, str | None]   # (value, Chinese error or None)

_LENGTH = re.compile(r"^(\d+)(?:\s*[,，]\s*\d+)?$")
# The fields ResourceSchema's cross-field rule reads (a shareable resource needs a sharing method).
_RULE_KEYS = ("sharing_type", "sharing_method")


class CellChecks:
    def __init__(self) -> None:
        self.resource_schema = schemas.ResourceSchema()
        self.resource_fields = self.resource_schema.fields
        self.item_fields = schemas.ItemSchema().fields
        self._name_max = next(v.max for v in self.item_fields["name"].validators if getattr(v, "max", None))
        self.system_name = schemas.SystemSchema().fields["name"]
        self._cache: dict[tuple[str, object], Result] = {}

    # ---- one field ----------------------------------------------------------------------

    @staticmethod
    def _field(field, value) -> Result:
        try:
            return field.deserialize(value), None
        except ValidationError as exc:
            messages = exc.messages
            return None, "；".join(messages) if isinstance(messages, list) else str(messages)

    def text(self, field, value: str | None) -> Result:
        return self._field(field, "" if value is None else value)

    def title(self, value: str | None) -> Result:
        return self.text(self.resource_fields["title"], value)

    def item_name(self, value: str | None) -> Result:
        """The schema's 信息项名称 field, short-cut for the common valid name (200,000 a file)."""
        if isinstance(value, str):
            name = vocab.trim(value)
            if 0 < len(name) <= self._name_max:   # what Text(max_length, blank=False) accepts
                return name, None
        return self.text(self.item_fields["name"], value)

    def system(self, value: str) -> Result:
        return self.text(self.system_name, value)

    def vocab(self, key: str, value: str | None) -> Result:
        """An item's data type or sharing type (open / closed list) from its spelling."""
        if value is None:
            return None, None
        cache_key = (key, value)
        found = self._cache.get(cache_key)
        if found is None:
            found = self._field(self.item_fields[key], value)
            self._cache[cache_key] = found
        return found

    def data_type(self, value: str | None) -> tuple[object, int | None, str | None]:
        """`varchar(20)` → ("C", 20, None): the type, a length written inside it, an error."""
        if value is None:
            return None, None, None
        cache_key = ("data_type+", value)
        found = self._cache.get(cache_key)
        if found is None:
            spelling, length = vocab.split_type_and_length(value)
            code, error = self._field(self.item_fields["data_type"], spelling)
            found = ((code, length), error)
            self._cache[cache_key] = found
        (code, length), error = found
        return code, length, error

    def data_length(self, value) -> Result:
        """Whole numbers: 18, 18.0, "18", "１８", "16,2" (precision, scale → 16)."""
        if value is None:
            return None, None
        cache_key = ("data_length", value)
        found = self._cache.get(cache_key)
        if found is None:
            found = self._length(value)
            self._cache[cache_key] = found
        return found

    def _length(self, value) -> Result:
        field = self.item_fields["data_length"]
        if isinstance(value, float) and not value.is_integer():
            return None, "数据长度必须是整数"
        if isinstance(value, str):
            match = _LENGTH.match(vocab.clean(value))
            if match is None:
                return None, "数据长度必须是整数"
            value = match.group(1)
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            return None, "数据长度必须是整数"
        return self._field(field, int(value))

    # ---- a resource row -----------------------------------------------------------------

    def resource(self, raw: dict[str, object]) -> tuple[dict, dict[str, str]]:
        """The resource fields of a row (only the columns the table has) → (values, errors).

        Each value goes through the schema's own field (cached per spelling); the schema's
        cross-field rule (a shareable resource needs a sharing method) through a load of the
        schema with the fields it involves, cached per combination.
        """
        values: dict[str, object] = {}
        errors: dict[str, str] = {}
        for key, value in raw.items():
            values[key], error = self._resource_field(key, value)
            if error:
                errors[key] = error
        involved = tuple((k, raw[k]) for k in _RULE_KEYS if k in raw)
        if involved and not any(k in errors for k, _ in involved):
            found = self._cache.get(("rules", involved))
            if found is None:
                found = self._cache[("rules", involved)] = self._rules(dict(involved))
            errors.update(found)
        return values, errors

    def _resource_field(self, key: str, value) -> Result:
        if key == "open_conditions":
            text, error = self.text(self.resource_fields[key], value)
            return (text if error is None else ""), error
        cache_key = ("resource:" + key, value)
        found = self._cache.get(cache_key)
        if found is None:
            found = self._field(self.resource_fields[key], value)
            if key == "open_to_public" and found == (None, None):
                found = (False, None)   # blank 是否向社会开放: 否, as the schema's default
            self._cache[cache_key] = found
        return found

    def _rules(self, involved: dict) -> dict[str, str]:
        payload = {"system": 1, "title": "-", "sharing_type": "none", **involved}
        try:
            self.resource_schema.load(payload)
        except ValidationError as exc:
            return {k: "；".join(v) if isinstance(v, list) else str(v) for k, v in exc.messages.items()
                    if k in involved}
        return {}


