"""The question without what only wraps it: polite openings, opinions asked for, tag questions,
and hypothetical objects to fit, so the reader sees the question itself."""

from __future__ import annotations

import re

_POLITE = re.compile(r"^\s*(?:(?:please\s+)?(?:could|can|would|will) you (?:please )?(?:tell me|check|say|let me know|find out)|"
                     r"(?:please )?(?:tell me|let me know)|do you know|i(?:'d| would) like to know|i wonder|i'm wondering|"
                     r"i want to know|please say)\s*,?\s*")
_HYPOTHETICAL = re.compile(r"\b(?:a|an|one)\s+((?:\d+(?:\.\d+)?|half an?|one)\s*-?\s*[a-z]+(?:[- ](?:wide|long|tall|deep|high))?)"
                           r"\s+([a-z]+(?:\s+[a-z]+)??)(?=\s+(?:fit|go|pass|between|in|through|there)\b|\s*\?|\s*$)")
# "a cabinet that's 50 cm wide": the object before its size
_HYPOTHETICAL_AFTER = re.compile(r"\b(?:a|an|one)\s+[a-z]+(?:\s+[a-z]+)??\s+(?:that's|that is|which is|of)\s+"
                                 r"((?:\d+(?:\.\d+)?|half an?|one)\s*-?\s*[a-z]+(?:[- ](?:wide|long|tall|deep|high))?)")


def _inverted(clause: str) -> str:
    """A statement as its question: "the lamp is on the table" -> "is the lamp on the table"."""
    there = re.match(r"there(?:'s| is| are|'re)\s+(.*)", clause)
    if there:
        return f"is there {there.group(1)}"
    verb = re.search(r"\b(is|are|was|were|does|do|can|would)\b", clause)
    return f"{verb.group(1)} {clause[:verb.start()]}{clause[verb.end():]}" if verb else clause


def plain_question(text: str) -> str:
    """The question without what only wraps it: a polite opening ("could you tell me whether ..."), an
    opinion asked ("would you say ...", "..., right?") put back as the question ("is ..."), and a
    hypothetical object to fit ("a 90 cm shelf") as "an item" (it is no scene object)."""
    stripped = _POLITE.sub("", text)
    if stripped != text:
        clause = re.match(r"(?:whether|if)\s+(.*)", stripped)
        asked = re.match(r"(?:how|what|which|where|when|who|why|is|are|was|were|does|do|did|can|could|would|will)\b", stripped)
        text = _inverted(clause.group(1)) if clause else stripped if asked else _inverted(stripped)
    opinion = re.match(r"\s*(?:would you say|do you think|would it be (?:fair|right|true) to say|is it (?:true|the case)|"
                       r"can you confirm|do you agree|am i right (?:in thinking|that))\s+(?:that\s+)?(.*)", text)
    if opinion:
        text = _inverted(opinion.group(1))
    tag = re.match(r"\s*(?!is |are |does |do |can |could |would |was |were )(.*?)\s*,\s*(?:right|correct|true|isn't it|"
                   r"aren't they|is it not|don't you think|yes|no)\s*\??\s*$", text)
    if tag:
        text = _inverted(tag.group(1)) + "?"
    text = re.sub(r"\s+", " ", text).strip()
    if re.search(r"\b(?:fit|room for|space for|enough (?:room|space)|wide enough|go between|squeeze|pass between)\b", text):
        text = _HYPOTHETICAL.sub(lambda m: f"an item {m.group(1)}", text)
        text = _HYPOTHETICAL_AFTER.sub(lambda m: f"an item {m.group(1)}", text)
    return text
