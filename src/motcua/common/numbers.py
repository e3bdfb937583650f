from decimal import Decimal


def plain_decimal(value: Decimal) -> str:
    """'20.00' → '20', '0.50' → '0.5' (never scientific notation)."""
    return format(value.normalize(), "f")
