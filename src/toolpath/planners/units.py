"""Units of measure a request writes a quantity in ("11 stone", "68F", "5 miles", "2 TB")
and a parameter's name states ("weight_kg", "temperature_c", "capacity_gb"), and the conversion
between two of one kind. Units whose size differs by country (gallons, pints) are left out:
a conversion there would be a guess."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    """A unit of one `kind` (mass, length, ...): value in the kind's base unit = value *
    `scale` + `offset`."""

    kind: str
    scale: float
    offset: float = 0.0


_KILOGRAM, _POUND, _STONE = Unit("mass", 1.0), Unit("mass", 0.45359237), Unit("mass", 6.35029318)
_METRE, _MILE, _FOOT = Unit("length", 1.0), Unit("length", 1609.344), Unit("length", 0.3048)
_LITRE = Unit("volume", 1.0)
_CELSIUS, _FAHRENHEIT = Unit("temperature", 1.0), Unit("temperature", 5 / 9, -32 * 5 / 9)
SQUARE_METRE, _SQUARE_FOOT = Unit("area", 1.0), Unit("area", 0.09290304)

# how a request writes a unit after its number, case-folded tokens ("68f", "11 stone"); not
# "st" (the "1st" of a date) nor "in"
_WORDS: list[tuple[Unit, str]] = [
    (_KILOGRAM, "kg kgs kilo kilos kilogram kilograms"),
    (Unit("mass", 0.001), "g gram grams"),
    (_POUND, "lb lbs pound pounds"),
    (_STONE, "stone stones"),
    (Unit("mass", 0.028349523125), "oz ounce ounces"),
    (_METRE, "m metre metres meter meters"),
    (Unit("length", 1000.0), "km kms kilometre kilometres kilometer kilometers"),
    (Unit("length", 0.01), "cm centimetre centimetres centimeter centimeters"),
    (Unit("length", 0.001), "mm millimetre millimetres millimeter millimeters"),
    (_MILE, "mi mile miles"),
    (_FOOT, "ft foot feet"),
    (Unit("length", 0.0254), "inch inches"),
    (_LITRE, "l litre litres liter liters"),
    (Unit("volume", 0.001), "ml millilitre millilitres milliliter milliliters"),
    (_CELSIUS, "c celsius centigrade"),
    (_FAHRENHEIT, "f fahrenheit"),
    (_SQUARE_FOOT, "sqft"),
    (SQUARE_METRE, "sqm m2"),
    # data sizes in powers of ten, as drives and cards are sold (1 TB = 1000 GB)
    (Unit("data", 1e3), "kb kilobyte kilobytes"),
    (Unit("data", 1e6), "mb megabyte megabytes"),
    (Unit("data", 1e9), "gb gigabyte gigabytes"),
    (Unit("data", 1e12), "tb terabyte terabytes"),
]
SPOKEN: dict[str, Unit] = {word: unit for unit, words in _WORDS for word in words.split()}

# two words for one unit ("100 sq ft", "20 square metres", "20 degrees c")
SPOKEN_PAIRS: dict[tuple[str, str], Unit] = {
    **{("sq", word): _SQUARE_FOOT for word in ("ft", "feet", "foot")},
    **{("square", word): _SQUARE_FOOT for word in ("ft", "feet", "foot")},
    **{("sq", word): SQUARE_METRE for word in ("m", "metres", "meters")},
    **{("square", word): SQUARE_METRE for word in ("m", "metres", "meters")},
    **{("degrees", word): SPOKEN[word] for word in ("c", "celsius", "f", "fahrenheit")},
}

# the unit a parameter's name ends with ("weight_kg", "annealing_temp_c", "min_size_sqft")
_NAMED_UNITS = (
    "kg", "g", "lb", "lbs", "km", "m", "cm", "mm", "mi", "miles", "ft", "feet",
    "l", "ml", "litres", "liters", "c", "f", "sqft", "sqm", "m2", "kb", "mb", "gb", "tb",
)  # fmt: skip
_NAMED = {word: SPOKEN[word] for word in _NAMED_UNITS}


def parameter_unit(name: str) -> Unit | None:
    """The unit the last part of a parameter's name states (`weight_kg`: kilograms)."""
    parts = name.casefold().rsplit("_", 1)
    return _NAMED.get(parts[-1]) if len(parts) == 2 else None


def convert(value: float, source: Unit, target: Unit) -> float | None:
    """`value` in `source` written in `target`, to 4 significant figures (11 stone: 69.85
    kg, 5 g: 0.005 kg); None across kinds."""
    if source.kind != target.kind:
        return None
    base = value * source.scale + source.offset
    return float(f"{(base - target.offset) / target.scale:.4g}")


def in_every_unit(value: float, source: Unit) -> set[float]:
    """`value` in `source` written in each unit of its kind (4 significant figures)."""
    return {
        converted
        for unit in set(SPOKEN.values())
        if (converted := convert(value, source, unit)) is not None
    }
