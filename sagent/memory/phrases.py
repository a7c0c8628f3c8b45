"""The noun phrases a question writes: the word lists and phrase finding shared by the rules reader
(which refuses objects the scene lacks) and open-vocabulary detection (which looks for them)."""

from __future__ import annotations

import re

from sagent.memory.vocabulary import INDOOR_OBJECTS, Vocabulary, canonical_label, normalize, singular

# Common indoor objects (and their synonyms): a question naming one the scene lacks is refused.
WORLD = Vocabulary(list(INDOOR_OBJECTS))
# Nouns a question's "the ..." may name that are not objects: parts, measures, the room, the observer.
NOT_OBJECTS = frozenset("""
    size point points length width height depth dimension dimensions side sides edge edges end ends top bottom middle
    center centre corner distance gap room rooms space area floor ground ceiling wall walls object objects item items
    thing things one ones other others rest same following number total left right back front way video scene camera
    view frame image picture observer origin quadrant quadrants turn direction order appearance answer option options
    choice choices unit units y x box boxes time times category categories kind kinds type types piece pieces
    furniture difference ratio volume footprint elevation level house apartment flat home place everything anything
    something nothing stuff here there two three both each me i you my your way half quarter couple bit lot
    metre metres meter meters cm centimetre centimeters centimetres centimeter inch inches foot feet
    plan estimate guess value clearance separation spacing gap please yes no hundred thousand somewhere anywhere
    inventory brother sister mum dad friend robot person someone width widths heights lengths underside scan
    layout capture footage check question
""".split())
# Words that make a "the ..." phrase a reference to something else ("the following categories", "the first time").
NOT_OBJECT_MODIFIERS = frozenset("following other same first last next previous these those whole entire two three "
                                 "both each bounding best rough approximate vertical horizontal".split())
# Words that end a noun phrase ("the lamp next to ...", "the chair closest to ...").
PHRASE_STOPS = frozenset("""
    in on at of to from by near next with and or than that which who whose is are was were be has have do does did if
    when while measured facing standing looking between behind beside above below under over across along into onto
    closest nearest farthest furthest closer nearer farther further biggest largest smallest tallest shortest longest
    widest narrowest bigger larger smaller taller shorter longer wider narrower highest lowest it its here there
    anywhere nearby around visible together altogether combined counting including underneath beneath mounted
    hung hanging placed located sitting standing resting lying apart somewhere anywhere separating measuring
    tucked situated sits stands rests please just right directly exactly roughly approximately about
""".split())
THE_PHRASE = re.compile(r"\b(?:the|a|an|either)\s+([a-z]+(?:\s+[a-z]+){0,2})")


def head_phrase(words: list[str]) -> list[str]:
    """The noun phrase at the start of `words`: up to the first word that ends one."""
    phrase = []
    for word in words:
        if word in PHRASE_STOPS:
            break
        phrase.append(word)
    return phrase


def listed_items(text: str) -> list[tuple[int, str]]:
    """(position, item) of each entry of a list the question writes out: "(lamp, door, tv)",
    "the piano or the door", "...: lamp, tv, sofa". Entries longer than three words are clauses, not items."""
    spans = [(m.start(1), m.group(1)) for m in re.finditer(r"\(([^()]*)\)", text)]
    spans += [(m.start(1), m.group(1)) for m in re.finditer(r":([^.?!;:]*)", text)]
    spans += [(m.start(), m.group(0)) for m in re.finditer(r"[^,;:()?.!]*\bor\b[^,;:()?.!]*", text)]
    items = []
    for start, span in spans:
        for part in re.finditer(r"[^,]+", re.sub(r"\b(?:or|and)\b", ",", span)):
            words = re.sub(r"^\s*(?:the|a|an|either)\s+", "", part.group(0)).split()
            if 0 < len(words) <= 3 and all(re.fullmatch(r"[a-z]+", w) for w in words) and head_phrase(words) == words:
                items.append((start + part.start() + part.group(0).find(words[0]), " ".join(words)))
    return items


# --- the objects a question names, for a detector to look for ---

# Where a phrase may start: after an article, a quantifier, a possessive, a number word, a list's
# "or"/"and" or a stated size ("how many coffee mugs", "any fridge", "my desk", "the yoga mat or
# exercise bike", "a 90 cm wide storage unit"). A lookahead, so that "the distance between the
# toaster" still finds "toaster".
_STARTS = re.compile(r"\b(?:the|a|an|either|how many|(?:number|count|total|pairs?) of|any|some|several|more|fewer|"
                     r"every|each|all|my|your|our|this|that|these|those|one|two|three|four|five|six|seven|eight|"
                     r"nine|ten|or|and|nor|(?:m|cm|mm|ft|feet|foot|inch|inches|(?:centi|milli)?met(?:er|re)s?)\s+"
                     r"(?:wide|long|tall|high|deep))\s+(?=([a-z]+(?:\s+[a-z]+){0,2}))")
# Words that end a phrase where the reader's stops do not (adding them there would change its
# refusals): verbs and adjectives after the noun ("is the sofa big enough", "where would the espresso
# machine go"), prepositions, articles, pronouns and question words.
_DETECTION_STOPS = frozenset("""
    the a an as so for any more less within not then present minus plus times divided multiplied versus vs
    against toward towards through past via inside outside beyond opposite like relative compared positioned
    position go goes fit fits fitting sit lie lies rest hang face faces look walk turn put move pass squeeze slide
    reach reaches cover covers take takes occupy occupies need needs exceed exceeds appear appears seen see spot
    find get contain contains include includes measure measures can could would will should may might must
    big large small little tall high low long wide far close deep thick heavy enough alone up down away off out
    higher lower greater thinner thicker heavier lighter tinier true false correct wrong possible ahead overall
    altogether currently really actually also too very horizontally vertically
    i you he she we they them what where how who why whether
""".split())
# Adjectives that say which one, not what it is: "the new bookcase" is looked for as a bookcase.
# Leading words that pick an instance rather than name a kind: the detector is asked for the kind (a
# "blue chair" class beside "chair" would make one chair two objects under two labels).
_LEADING = frozenset("""new old big small large little tiny huge main only single empty red orange yellow green blue
    purple pink brown black white grey gray silver golden beige wooden metal metallic glass plastic leather fabric
    marble stone dark""".split())
# People are objects a detector finds, though the reader's observer words list them.
PEOPLE = {word: "person" for word in "person persons people man men woman women child children kid kids adult adults guest guests".split()}
# Unit names and the rooms a scan is of: never a detector's class.
_NOT_DETECTABLE = re.compile(
    r"(?:square |cubic |sq )?(?:(?:centi|milli|kilo)?met(?:er|re)|inch|foot|feet|yard|mile|degree|radian|second|minute|"
    r"hour|lit(?:er|re)|gallon|percent|ft|cm|mm|km|m|count|number|total|amount|sum|"
    r"(?:bed|bath|living|dining|laundry|utility|store|class|board|show) ?room|kitchen|"
    r"office|hall|hallway|corridor|lounge|studio|garage|basement|attic|cellar|loft)(?:e?s)?")
_NUMBER = re.compile(r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|dozen|single|"
                     r"couple|pair|lot|lots|bunch|few)")
# Heads that are no object alone ("the unit", "the first frame") but are in compounds ("a storage unit",
# "a picture frame", "a shoe box"), unless the compound is of the video or a measure ("the key frame").
_COMPOUND_HEADS = frozenset({"unit", "frame", "box"})
_NOT_COMPOUND = frozenset({"video", "camera", "image", "key", "bounding", "measurement"})
# "does the stool stand ...": after an auxiliary, the word after the noun may be the verb.
_AUXILIARY = re.compile(r"\b(?:does|do|did|will|would|can|could|should|might|may|must)\s+"
                        r"(?:the|a|an|my|your|this|that)\s+$")


def _lemma(words: list[str]) -> str:
    """The phrase with its head noun singular; words like "cactus", "glass" and "lens" keep their "s"."""
    phrase = " ".join(words)
    return phrase if re.search(r"(?:us|is|ss|ous|ics|ens)$", phrase) else singular(phrase)


def _object_name(words: list[str], after_auxiliary: bool, counted: bool = False) -> tuple[str | None, int]:
    """The object a candidate phrase names, in sagent's words (None when it names none), and the
    length of text the phrase takes. After "does the ...", "stand" is the verb ("does the stool stand
    by the hob"), elsewhere part of the name ("the umbrella stand")."""
    phrase: list[str] = []
    for word in head_phrase(words):
        stop = word in _DETECTION_STOPS or (word == "stand" and after_auxiliary)
        if stop and WORLD.exact(" ".join([*phrase, word])) is None:  # "trash can", "tv stand" stay whole
            break
        phrase.append(word)
    length = len(" ".join(phrase))
    while phrase and (phrase[0] in NOT_OBJECT_MODIFIERS or (phrase[0] in _LEADING and len(phrase) > 1)
                      or _NUMBER.fullmatch(phrase[0])):
        counted = counted or _NUMBER.fullmatch(phrase[0]) is not None
        phrase = phrase[1:]  # "the two chairs", "any other lamps": the chair, the lamp
    if not phrase or _NOT_DETECTABLE.fullmatch(" ".join(phrase)):
        return None, length
    last = phrase[-1]
    if len(phrase) == 1 and last in PEOPLE:  # "seats for three people" counts people, it names none
        return (None if counted else PEOPLE[last]), length
    compound = len(phrase) > 1 and singular(last) in _COMPOUND_HEADS and phrase[-2] not in _NOT_COMPOUND
    if not compound and (last in NOT_OBJECTS or (len(phrase) == 1 and singular(last) in NOT_OBJECTS)
                         or _NOT_DETECTABLE.fullmatch(last) or _NUMBER.fullmatch(singular(last))):
        # A part or measure of a known object is that object ("the table top"); of anything else, nothing.
        return (WORLD.exact(_lemma(phrase[:-1])) if len(phrase) > 1 else None), length
    name = _lemma(phrase)
    return WORLD.exact(name) or canonical_label(name), length


def _after_number(text: str, start: int) -> bool:
    """Whether the word before `start` is a number ("three people": a count, not someone named)."""
    before = text[:start].split()
    return bool(before) and _NUMBER.fullmatch(before[-1]) is not None


def object_phrases(question: str) -> list[str]:
    """The objects a question names, singular and in sagent's words where it has them, in order:
    "Where is the espresso machine relative to the fridge?" -> ["espresso machine", "refrigerator"].
    Noun phrases after articles, quantifiers and list words, and known object words anywhere else;
    parts, measures, units, the room and the observer are no objects."""
    text = normalize(question)
    candidates = [(m.start(1), m.group(1).split(), _AUXILIARY.search(text[:m.start(1)]) is not None)
                  for m in _STARTS.finditer(text)]
    candidates += [(start, item.split(), False) for start, item in listed_items(text)]
    # Every phrase claims its words, object or not: "box" in "the bounding box volume" is no box.
    claimed = [(start, start + length, name) for start, words, after_auxiliary in candidates
               for name, length in [_object_name(words, after_auxiliary, _after_number(text, start))]]
    found = [(start, name) for start, _, name in claimed if name is not None]
    for mention in WORLD.mentions(text):  # bare known words: "which is closer to sofa, ..."
        if re.search(r"\bbounding[\s-]*$", text[:mention.start]):  # the measure's box, no box
            continue
        if not any(start < mention.end and mention.start < end for start, end, _ in claimed):
            found.append((mention.start, mention.label))
    return list(dict.fromkeys(name for _, name in sorted(found)))


def labels_in(question: str) -> list[str]:
    """The objects a question names, sorted (the classes an open-vocabulary detector is asked for)."""
    return sorted(set(object_phrases(question)))
