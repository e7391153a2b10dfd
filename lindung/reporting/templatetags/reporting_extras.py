"""Numbers in Indonesian format (1.234.567; 2,97), the same as the charts' `toLocaleString('id-ID')`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


def angka(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float | Decimal) and value != int(value):
        whole, _dot, fraction = f"{float(value):,.3f}".rstrip("0").partition(".")
        return f"{whole.replace(',', '.')},{fraction}"
    return f"{int(value):,}".replace(",", ".")


register.filter("angka", angka)


@register.filter
def rupiah(value: Any) -> str:
    return f"Rp {angka(value)}"


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key)


@register.filter
def get_item_at(sequence: list[Any], index: int) -> Any:
    return sequence[index]
