"""The Attachment 2 vocabularies: every accepted spelling, open vs closed lists."""
import pytest

from catalog_schema import vocabularies as vocab


@pytest.mark.parametrize("vocabulary, spelling, code", [
    (vocab.DATA_TYPE, "C", "C"), (vocab.DATA_TYPE, "字符型", "C"), (vocab.DATA_TYPE, "字符型C", "C"),
    (vocab.DATA_TYPE, "字符型（C）", "C"), (vocab.DATA_TYPE, "varchar", "C"), (vocab.DATA_TYPE, "日期型D", "D"),
    (vocab.DATA_TYPE, "整型I", "I"), (vocab.DATA_TYPE, "ｎ", "N"),
    (vocab.SHARING_TYPE, "有条件共享", "conditional"), (vocab.SHARING_TYPE, " 无条件 ", "unconditional"),
    (vocab.SHARING_METHOD, "共享交换平台", "platform"), (vocab.SHARING_METHOD, "接口", "api"),
    (vocab.OPEN_TO_PUBLIC, "是", "yes"), (vocab.OPEN_TO_PUBLIC, "Ｎ", "no"),
    (vocab.UPDATE_CYCLE, "每季", "quarterly"), (vocab.UPDATE_CYCLE, "每季度", "quarterly"),
    (vocab.FORMAT_CLASS, "数据库类", "database"), (vocab.FORMAT_TYPE, "KingbaseES", "kingbasees"),
    (vocab.FORMAT_TYPE, "sql server", "sqlserver"),
])
def test_each_accepted_spelling_resolves_to_its_code(vocabulary, spelling, code):
    assert vocabulary.resolve(spelling) == code


@pytest.mark.parametrize("vocabulary, value", [
    (vocab.DATA_TYPE, "二进制"), (vocab.UPDATE_CYCLE, "每学期"), (vocab.FORMAT_TYPE, "shp"),
])
def test_open_lists_keep_other_values_as_written_and_flag_them(vocabulary, value):
    assert vocabulary.open
    assert vocabulary.resolve(value) == value
    assert not vocabulary.is_standard(value) and vocabulary.label_of(value) == value


@pytest.mark.parametrize("vocabulary, value", [
    (vocab.SHARING_TYPE, "部分共享"), (vocab.SHARING_METHOD, "光盘"), (vocab.OPEN_TO_PUBLIC, "也许"),
    (vocab.FORMAT_CLASS, "纸质"),
])
def test_closed_lists_refuse_other_values_listing_the_allowed_labels(vocabulary, value):
    assert not vocabulary.open
    with pytest.raises(ValueError) as caught:
        vocabulary.resolve(value)
    assert all(label in str(caught.value) for label in vocabulary.labels)


@pytest.mark.parametrize("cell, expected", [
    ("varchar(20)", ("varchar", 20)), ("字符型C（18）", ("字符型C", 18)), ("N(10,2)", ("N", 10)), ("C", ("C", None)),
])
def test_type_and_length_from_one_cell(cell, expected):
    assert vocab.split_type_and_length(cell) == expected


def test_only_format_type_data_type_and_update_cycle_are_open():
    attachment2 = (vocab.FORMAT_CLASS, vocab.FORMAT_TYPE, vocab.DATA_TYPE, vocab.SHARING_TYPE,
                   vocab.SHARING_METHOD, vocab.OPEN_TO_PUBLIC, vocab.UPDATE_CYCLE)
    assert {v.name for v in attachment2 if v.open} == {"format_type", "data_type", "update_cycle"}
