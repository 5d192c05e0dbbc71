"""The regulation the registry enforces: 《云阳县政务信息化项目管理办法》(云阳府办规〔2022〕4号).

One title, one way to cite an article, and (`registry.measures.index`) where each article is
implemented. The county's numbers are settings (`registry.core.config.Policy`), never literals here.
"""
from __future__ import annotations

DECREE_TITLE = "云阳县政务信息化项目管理办法"
DECREE_SHORT = "管理办法"          # how decisions shown to users name it: 依据《管理办法》第N条
DECREE_NUMBER = "云阳府办规〔2022〕4号"

_DIGITS = "零一二三四五六七八九"


def article_name(n: int) -> str:
    """7 → 第七条, 14 → 第十四条, 25 → 第二十五条 (articles 1–99)."""
    if not 1 <= n <= 99:
        raise ValueError(f"article {n} is outside 1–99")
    tens, ones = divmod(n, 10)
    text = ("" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")) + ("" if ones == 0 and tens else _DIGITS[ones])
    return f"第{text}条"


def cite(*articles: int) -> str:
    """依据《管理办法》第二十八条 / 依据《管理办法》第二十五条、第二十六条."""
    return f"依据《{DECREE_SHORT}》" + "、".join(article_name(a) for a in articles)


def basis(*articles: int) -> str:
    """《云阳县政务信息化项目管理办法》第二十八条: the full title, for documents and records."""
    return f"《{DECREE_TITLE}》" + "、".join(article_name(a) for a in articles)
