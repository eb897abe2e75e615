"""Short forms that plans define for their own programmes.

Chinese plans name a programme once in full and then by a short form, in
two ways that the text itself marks:

* explicitly: ``长江三角洲区域一体化发展（以下简称“长三角一体化”）``,
  ``（简称…）``, ``（以下称…）``;
* as a numeric short form (数字缩略语) in quotes right after the list it
  counts: ``现代服务业制造化、先进制造业服务化“两业”深度融合`` — two items,
  “两业”.

Each pair (short, long) is found in the plans compared; the aligner treats
the two as one programme term (:class:`align.retrieval.features.TermSet` aliases), so
a child saying “两业融合” shares the programme with a parent that spelled it
out.  Nothing here is a list of known abbreviations.

>>> abbreviations("推动长江三角洲区域一体化发展（以下简称“长三角一体化”），")
[('长三角一体化', '长江三角洲区域一体化发展')]
>>> abbreviations("以现代服务业制造化、先进制造业服务化“两业”深度融合为方向")
[('两业', '现代服务业制造化、先进制造业服务化')]
>>> abbreviations("实施“三改一拆”行动")  # no list before it: not defined here
[]
"""
from __future__ import annotations

import re

_NAME = r"[\u3400-\u9fffA-Za-z0-9·]"
_EXPLICIT = re.compile(
    rf"({_NAME}{{2,24}})[（(](?:以下)?(?:简称|称)[:：]?[“\"《]?({_NAME}{{2,12}})[”\"》]?[）)]")
_COUNT = {"两": 2, "二": 2, "双": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_ITEM = rf"{_NAME}{{2,16}}"
_NUMERIC = re.compile(rf"((?:{_ITEM}[、和与及])+{_ITEM})[“\"]([两二双三四五六七八九十]{_NAME}{{1,4}})[”\"]")
# a verb or preposition before the name or the list
_LEAD = re.compile(r"^(?:以|对|把|将|在|按照|推动|推进|促进|实现|加快|深化|实施|突出|构建|打造|坚持)")


def abbreviations(text: str) -> list[tuple[str, str]]:
    """(short form, long form) pairs a text defines, in text order."""
    out: list[tuple[str, str]] = []
    for m in _EXPLICIT.finditer(text):
        long = _LEAD.sub("", m.group(1))
        if len(long) > len(m.group(2)):
            out.append((m.group(2), long))
    for m in _NUMERIC.finditer(text):
        items = re.split(r"[、和与及]", m.group(1))
        short = m.group(2)
        if len(items) == _COUNT.get(short[0]):
            items[0] = _LEAD.sub("", items[0])
            if len(items[0]) >= 2:
                out.append((short, m.group(1)[m.group(1).index(items[0]):]))
    return out
