"""The question without what only wraps it, so the reader sees the question itself: polite
openings, opinions and tag questions asked for, "yes or no:", "please", context sentences before
the question (their object standing in for "it"), numbers written in words, and hypothetical
objects to fit ("a 90 cm shelf": no scene object)."""

from __future__ import annotations

import re

from sagent.agent.understanding.lexicon import UNIT_WORDS
from sagent.memory.vocabulary import Vocabulary

_POLITE = re.compile(r"^\s*(?:(?:please\s+)?(?:could|can|would|will) you (?:please )?(?:tell me|check|say|let me know|find out|"
                     r"confirm|verify)|(?:please )?(?:tell me|let me know|confirm|check|verify|determine|find out)|do you know|"
                     r"i(?:'d| would) like to know|i wonder|i'm wondering|i want to know|please say)\s*,?\s*")
# Openings that only address the listener or set the stage: "hey,", "quick check:", "considering the 3d layout,".
_OPENING = re.compile(r"^\s*(?:(?:hey|hi|hello|ok|okay|so|well|um|right|alright)\b\s*[,!]?\s*|"
                      r"(?:quick|simple|easy) (?:check|question|one)\s*[:,-]\s*|"
                      r"(?:considering|given|based on|according to|looking at|judging (?:by|from)|in|from|using) (?:the|this) "
                      r"(?:3d )?(?:layout|scene|scan|video|room|image|picture|map|point cloud|reconstruction|footage)\s*,\s*)")
_OPINION = re.compile(r"\s*(?:would you say|do you think|would it be (?:fair|right|true) to say|is it (?:true|the case)|"
                      r"can you confirm|do you agree|am i right (?:in thinking|that)|is it correct that)\s+(?:that\s+)?(.*)")
_TAG = re.compile(r"\s*(?!is |are |does |do |can |could |would |was |were )(.*?)\s*,\s*(?:right|correct|true|isn't it|"
                  r"aren't they|is it not|doesn't it|don't they|don't you think|yes|no)\s*\??\s*$")
_AUXILIARIES = r"\b(is|are|was|were|does|do|can|would|will)\b"
_ASKED = r"(?:how|what|which|where|when|who|why|is|are|was|were|does|do|did|can|could|would|will|has|have)\b"

_UNITS = "|".join(sorted((re.escape(w) for w in UNIT_WORDS if len(w) > 1), key=len, reverse=True))
_ONES = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
         "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
         "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_NUMBER_WORD = rf"(?:{'|'.join(_ONES)}|hundred|a|an|and|half|quarter|point|-)"
_SPELLED = re.compile(rf"\b((?:{_NUMBER_WORD}[ -]?)+?)\s*({_UNITS})\b")


def _number(words: str) -> float | None:
    """'two and a half' -> 2.5, 'a hundred and twenty' -> 120, 'one point five' -> 1.5, 'ninety' -> 90."""
    tokens = [t for t in re.split(r"[ -]+", words.strip()) if t]
    if not tokens or not any(t in _ONES or t in ("hundred", "half", "quarter") for t in tokens):
        return None
    if "point" in tokens:
        whole, _, decimals = " ".join(tokens).partition(" point ")
        integer = _number(whole) or 0.0
        digits = "".join(str(_ONES[t]) for t in decimals.split() if t in _ONES and _ONES[t] < 10)
        return float(f"{int(integer)}.{digits}") if digits else None
    total, fraction = 0.0, 0.0
    for index, token in enumerate(tokens):
        if token in _ONES:
            total += _ONES[token]
        elif token == "hundred":
            total = (total or 1) * 100
        elif token == "half":
            fraction = 0.5
        elif token == "quarter":
            fraction = 0.25
        elif token in ("a", "an") and index + 1 < len(tokens) and tokens[index + 1] == "hundred":
            total += 0  # "a hundred": the hundred sets it
        elif token not in ("and", "a", "an"):
            return None
    if total == 0 and fraction:
        return fraction  # "half a metre"
    return total + fraction


def _digits(text: str) -> str:
    """Numbers written in words before a unit as digits: "two and a half metres" -> "2.5 metres"."""
    def spelled(match: re.Match) -> str:
        value = _number(match.group(1))
        if value is None:
            return match.group(0)
        return f"{value:g} {match.group(2)}"

    return _SPELLED.sub(spelled, text)


def _inverted(clause: str) -> str:
    """A statement as its question: "the lamp is on the table" -> "is the lamp on the table"."""
    clause = clause.strip()
    there = re.match(r"there(?:'s| is| are|'re)\s+(.*)", clause)
    if there:
        return f"is there {there.group(1)}"
    verb = re.search(_AUXILIARIES, clause)
    if verb:
        return f"{verb.group(1)} {clause[:verb.start()]}{clause[verb.end():]}"
    if re.match(r"(?:the|a|an|my|this|that|these|those)\b", clause):
        return f"does {clause}"  # "the tv sits between ..." -> "does the tv sits between ..."
    return clause


def _final_question(text: str, vocabulary: Vocabulary | None) -> str:
    """Context sentences before the question: the question alone, its "it" / "one" / "its" standing
    for the context's scene object, and "... there's a X. Is that true?" asked as "is there a X"."""
    sentences = [s.strip() for s in re.split(r"(?<=[.!?;])\s+", text) if s.strip()]
    asked = [i for i, sentence in enumerate(sentences) if sentence.endswith("?")]
    if len(sentences) < 2 or not asked or asked[-1] == 0:
        return text  # one sentence, no question mark, or the question comes first already
    last = sentences[asked[-1]]
    context = " ".join(s for i, s in enumerate(sentences) if i != asked[-1])
    if re.fullmatch(r"(?:is|was) (?:that|it|this) (?:true|right|correct|so)\s*\??|(?:true|right|correct)\s*\?", last):
        claim = re.sub(r"^.*?\b(?:says|said|told me|thinks|claims|reckons)\s+(?:that\s+)?", "", sentences[asked[-1] - 1])
        return _inverted(claim.rstrip(".!;")) + "?"
    mentions = vocabulary.mentions(context) if vocabulary is not None else []
    if mentions:
        named = f"the {mentions[-1].text}"
        last = re.sub(r"\bits\s+(top|bottom|height|length|width|size|footprint|volume)\b", rf"the \1 of {named}", last)
        last = re.sub(r"\b(?:it|one|them|they)\b(?!\s+of\b)", named, last, count=1)
    elif re.search(r"\b(?:it|one|them|they)\b", last):
        found = re.search(r"\b(?:a|an|the|some)\s+([a-z]+(?: [a-z]+)?)\s*[.!;]", context)
        if found:
            last = re.sub(r"\b(?:it|one|them|they)\b", f"a {found.group(1)}", last, count=1)
    # The question first, its context after: cues read from the start ("is there ..."), and the context
    # keeps what the question leaves to it (where I stand, what goes between what).
    return f"{last} {context}"


_FIT = r"\b(?:fit|fits|room for|space for|enough (?:room|space)|wide enough|enough for|go between|get between|squeeze|pass between)\b"
_SIZED = r"(?:\d+(?:\.\d+)?|half an?)\s*-?\s*[a-z]+(?:[- ](?:wide|long|tall|deep|high|across))?"


def _hypothetical_items(text: str, vocabulary: Vocabulary | None) -> str:
    """In a question of fit, the objects to fit are no scene objects: "a 90 cm wide shelf", "a shoe rack
    1.2 m wide", "a pram that's 75 cm across" become "an item ..."."""
    if not re.search(_FIT, text):
        return text
    text = re.sub(rf"\b(?:a|an|one)\s+({_SIZED})\s+[a-z]+(?:\s+[a-z]+)??(?=\s+(?:fit|go|pass|between|in|through|there|"
                  rf"to)\b|\s*[?.,]|\s*$)", lambda m: f"an item {m.group(1)}", text)

    def item(match: re.Match) -> str:
        phrase = match.group(2)
        if phrase.split()[0] == "item" or (vocabulary is not None and vocabulary.mentions(phrase)):
            return match.group(0)
        return f"{match.group(1)} item"

    return re.sub(r"\b(a|an)\s+([a-z]+(?:\s+[a-z]+)?)(?=\s+(?:that|which|of|measuring|\d|half|to|$))", item, text)


def plain_question(text: str, vocabulary: Vocabulary | None = None) -> str:
    """`text` (normalized) as the reader wants it; `vocabulary` (the scene's) finds the object that a
    later "it" stands for."""
    text = _digits(text)
    text = re.sub(r"^\s*(?:yes or no|true or false)\s*[:,?]\s*|,?\s*\bplease\b\s*,?", " ", text).strip()
    text = re.sub(r"\(\s*\)", "", text)
    text = re.sub(r"\bbounding[- ]?box(?:es)?\s+", "", text)  # every measure is of the box
    text = _final_question(text, vocabulary)
    while _OPENING.match(text):
        text = _OPENING.sub("", text, count=1)
    colon = re.match(r"(.+?):\s*(" + _ASKED + r".*)", text)
    if colon and re.search(r"\b(?:it|its)\b", colon.group(2)) and not re.search(r"\b(?:options|choices)\b", colon.group(1)):
        text = re.sub(r"\bits\b", f"{colon.group(1)}'s", re.sub(r"\bit\b", colon.group(1), colon.group(2), count=1))
    stripped = _POLITE.sub("", text)
    if stripped != text:
        clause = re.match(r"(?:whether|if)\s+(.*)", stripped)
        text = _inverted(clause.group(1)) if clause else stripped if re.match(_ASKED, stripped) else _inverted(stripped)
    opinion = _OPINION.match(text)
    if opinion:
        text = _inverted(opinion.group(1))
    tag = _TAG.match(text)
    if tag:
        text = _inverted(tag.group(1)) + "?"
    return _hypothetical_items(re.sub(r"\s+", " ", text).strip(), vocabulary)
