from decimal import ROUND_HALF_UP, Decimal


def plain_decimal(value: Decimal) -> str:
    """'20.00' → '20', '0.50' → '0.5' (never scientific notation)."""
    return format(value.normalize(), "f")


def format_vnd(amount) -> str:
    """200000 → '200.000 đ': whole đồng, dots between thousands, a non-breaking space before the sign (the
    one way money is written on every page and slip); '' for no amount."""
    if amount is None or amount == "":
        return ""
    value = int(Decimal(str(amount)).to_integral_value(ROUND_HALF_UP))
    return f"{value:,}".replace(",", ".") + "\u00a0đ"
