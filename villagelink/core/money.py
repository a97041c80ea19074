"""Money is integer fen in code and storage, and yuan strings with two decimals at the edges."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .exceptions import ApplicationError

# No figure the programme handles comes near this; larger ones are typing mistakes (and would overflow).
LARGEST_YUAN = Decimal(10**12)


def fen_to_yuan(fen: int) -> str:
    """12345 -> "123.45"; the form used in the API and exports."""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def yuan_to_fen(text: str | Decimal) -> int:
    """ "123.45", "¥1,234.5", "￥12" -> fen. Raises ApplicationError with what to do for anything else."""
    cleaned = str(text).strip().replace(",", "").replace("¥", "").replace("￥", "").replace("元", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ApplicationError(
            _("“%(text)s” is not an amount in yuan, such as 12.50.") % {"text": text}
        ) from exc
    if not value.is_finite():
        raise ApplicationError(_("“%(text)s” is not an amount in yuan, such as 12.50.") % {"text": text})
    if abs(value) >= LARGEST_YUAN:
        raise ApplicationError(
            _("“%(text)s” is too large: amounts stay below one trillion yuan.") % {"text": text}
        )
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
