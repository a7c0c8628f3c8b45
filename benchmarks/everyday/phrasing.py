"""How people name things in the everyday set: spoken names and synonyms of scene labels, plurals,
articles, units as words and symbols, and numbers as people say them."""

from __future__ import annotations

import random
import re

# Scene label -> what people call it (the first is the plain name).
SPOKEN: dict[str, tuple[str, ...]] = {
    "sofa": ("sofa", "couch"),
    "tv": ("tv", "TV", "television"),
    "trash bin": ("trash bin", "bin", "trash can", "wastebasket"),
    "trash can": ("trash can", "bin", "garbage can"),
    "nightstand": ("nightstand", "bedside table"),
    "bookshelf": ("bookshelf", "bookcase"),
    "refrigerator": ("fridge", "refrigerator"),
    "washer": ("washing machine", "washer"),
    "heater": ("heater",),
    "plant": ("plant", "potted plant", "houseplant"),
    "telephone": ("phone", "telephone"),
    "closet": ("closet", "wardrobe"),
    "monitor": ("monitor", "computer screen"),
    "computer mouse": ("computer mouse", "mouse"),
    "tv stand": ("tv stand", "TV stand"),
    "stove": ("stove", "cooktop"),
    "ceiling light": ("ceiling light", "ceiling lamp"),
    "counter": ("counter", "countertop"),
    "pillow": ("pillow", "cushion"),
    "coffee table": ("coffee table",),
    "table": ("table",),
    "lamp": ("lamp",),
}
# Labels not asked about (awkward as a single object, or not a thing people point at).
UNASKED = {"shoes", "headphones", "blanket"}
SITTABLE = {"sofa", "chair", "bed", "stool", "toilet"}
# Labels whose "width" (the spec's shorter horizontal side) is what people mean by width.
WIDTH_SENSE = {"bed", "table", "coffee table", "nightstand", "chair", "stool", "refrigerator", "washer",
               "dishwasher", "toilet", "desk", "counter"}

# Objects that may be absent: name -> its other names (a scene holding any of them is not asked).
ABSENT_POOL: dict[str, tuple[str, ...]] = {
    "piano": (), "bathtub": ("tub",), "toilet": (), "refrigerator": ("fridge",), "bed": (), "sofa": ("couch",),
    "tv": ("television",), "fireplace": (), "guitar": (), "washing machine": ("washer",), "microwave": (),
    "sink": (), "mirror": (), "clock": (), "treadmill": (), "bicycle": ("bike",), "aquarium": ("fish tank",),
    "bookshelf": ("bookcase",), "dishwasher": (), "printer": (), "oven": ("stove",), "nightstand": ("bedside table",),
    "lamp": ("ceiling light", "table lamp"), "whiteboard": (), "plant": (),
}


def plural(name: str) -> str:
    head, _, last = name.rpartition(" ")
    if last in ("TV", "tv"):
        last += "s"
    elif last == "shelf":
        last = "shelves"
    elif last == "mouse":
        last = "mice"
    elif last == "couch":
        last = "couches"
    elif re.search(r"(s|x|z|ch|sh)$", last):
        last += "es"
    elif re.search(r"[^aeiou]y$", last):
        last = last[:-1] + "ies"
    else:
        last += "s"
    return f"{head} {last}".strip()


def article(name: str) -> str:
    return ("an " if name[0].lower() in "aeio" else "a ") + name


def spoken(label: str) -> tuple[str, ...]:
    return SPOKEN.get(label, (label,))


def all_names(label: str) -> list[str]:
    names = list(spoken(label)) + [label]
    return sorted(set(names + [plural(n) for n in names]), key=len, reverse=True)


def absent_words(scene_labels: list[str]) -> list[str]:
    """Pool objects that are surely not in the scene (no label shares a word with any of their names)."""
    words = {w for label in scene_labels for name in all_names(label) for w in name.lower().split()}
    out = []
    for name, others in sorted(ABSENT_POOL.items()):
        family = {w for n in (name, *others) for w in n.lower().split()}
        if not family & words:
            out.append(name)
    return out


def cap(text: str) -> str:
    return text[0].upper() + text[1:]


# Units -------------------------------------------------------------------------------------------
LENGTH_ASKS = (("", "m"), (" in metres", "m"), (" in meters", "m"), (" in cm", "cm"), (" in centimetres", "cm"),
               (" in centimeters", "cm"), (" in feet", "ft"), (" in inches", "in"), (" (in m)", "m"))
AREA_ASKS = (("", "m2"), (" in square metres", "m2"), (" in m²", "m2"), (" in square feet", "ft2"),
             (" in sq ft", "ft2"), (" in square meters", "m2"))
VOLUME_ASKS = (("", "m3"), (" in cubic metres", "m3"), (" in litres", "l"), (" in liters", "l"), (" in m³", "m3"),
               (" in cubic feet", "ft3"))
FACTORS = {"m": 1.0, "cm": 0.01, "mm": 0.001, "ft": 0.3048, "in": 0.0254,
           "m2": 1.0, "cm2": 1e-4, "ft2": 0.3048**2, "m3": 1.0, "cm3": 1e-6, "l": 1e-3, "ft3": 0.3048**3}


def in_unit(value_base: float, unit: str) -> float:
    """A value in the base unit (m, m2, m3) expressed in `unit`."""
    return value_base / FACTORS[unit]


# Thresholds people say, in metres: (value, ways of saying it).
LENGTH_THRESHOLDS = (
    (0.3, ("30 cm", "30 centimetres", "a foot")), (0.5, ("half a metre", "50 cm", "half a meter")),
    (0.8, ("80 cm", "80 centimeters")), (1.0, ("a metre", "1 m", "one meter")),
    (1.5, ("1.5 m", "one and a half metres", "150 cm")), (2.0, ("2 m", "two metres", "two meters")),
    (2.5, ("2.5 m", "two and a half meters")), (3.0, ("3 m", "three metres")),
    (0.9144, ("3 feet", "three feet")), (1.8288, ("6 feet", "six feet")), (0.6, ("60 cm", "60 centimetres")),
    (1.2, ("1.2 m", "120 cm")),
)
AREA_THRESHOLDS = ((0.5, ("half a square metre", "0.5 m²")), (1.0, ("a square metre", "1 m²")),
                   (2.0, ("2 square metres", "2 m²")), (3.0, ("3 square meters",)))
VOLUME_THRESHOLDS = ((0.1, ("100 litres", "0.1 m³")), (0.5, ("half a cubic metre", "500 liters")),
                     (1.0, ("a cubic metre", "1 m³")), (2.0, ("2 cubic metres",)), (0.05, ("50 litres",)))
WIDTHS = ((0.45, ("45 cm",)), (0.6, ("60 cm", "60 centimetre")), (0.75, ("75 cm",)), (0.9, ("90 cm",)),
          (1.0, ("1 m", "one metre")), (1.2, ("1.2 m", "120 cm")), (0.5, ("50 cm",)),
          (1.5, ("1.5 m",)), (0.9144, ("3 ft",)))


def threshold_near(value: float, table, rng: random.Random, margin: float = 0.12, side: int = 0):
    """A threshold from `table` not within `margin` (relative) of `value`, preferring close ones so that
    both answers occur; `side` +1 / -1 asks for one above / below the value: (threshold, words) or None."""
    options = [(t, words) for t, words in table if abs(t - value) >= margin * max(t, value)
               and (t - value) * side >= 0]
    if not options:
        return None
    options.sort(key=lambda tw: abs(tw[0] - value))
    t, words = rng.choice(options[:3])
    return t, rng.choice(words)
