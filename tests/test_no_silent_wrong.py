"""No silent wrong answers: what sagent cannot answer as asked it refuses, or, for multiple choice,
says that no option fits. Each case was once answered with exit 0 and a wrong value."""

import pytest

from sagent.agent import PlanningError, RulesPlanner, ask
from sagent.agent.answer import plain_value
from sagent.agent.options import FIT_FACTOR, UNIT_NAMES, Option, OptionError, choose, parse_options
from sagent.agent.rules_planner import UnknownObject, requested_unit
from sagent.dsl import DslError, ExecContext, run_program
from sagent.dsl.types import Length
from sagent.errors import InputError
from sagent.memory import units

PLANNER = RulesPlanner()
SCENE_HAS = "the scene has: bookshelf, chair, coffee table, door, lamp, plant, sofa, tv, tv stand, window"


@pytest.fixture
def ask_room(living_room):
    return lambda question, options=None: ask(living_room, question, PLANNER, options)


# --- an object the scene lacks is refused, named, with what exists ------------------------------

@pytest.mark.parametrize("question, missing", [
    ("Which is closer to the sofa, the piano or the door?", "piano"),        # the tester's case
    ("Which is farthest from the sofa: the piano, the lamp or the door?", "piano"),
    ("Is the piano closer to the sofa than the door?", "piano"),
    ("Which is bigger, the piano or the sofa?", "piano"),
    ("How far is the piano from the sofa?", "piano"),
    ("How tall is the piano?", "piano"),
    ("Standing by the sofa facing the tv, is the piano to my left or right?", "piano"),
    ("Which is closer to the sofa, the zebra or the door?", "zebra"),        # not a common indoor object
    ("Which is closer to the zebra, the lamp or the door?", "zebra"),
    ("Which of these objects (lamp, door, zebra) is the closest to the sofa?", "zebra"),
    ("Which is taller, the zebra or the lamp?", "zebra"),
    ("How tall is the zebra next to the sofa?", "zebra"),
    ("Is the piano next to the sofa?", "piano"),
    ("What is on the piano?", "piano"),
    ("How much taller is the piano than the lamp?", "piano"),
    ("How far is the zebra from the sofa and the lamp?", "zebra"),
])
def test_a_missing_object_is_refused_and_named(ask_room, question, missing):
    # A program naming it is refused by the checker (as an LLM's would be); one leaving it out, by the planner.
    with pytest.raises((UnknownObject, DslError), match=f"unknown label '{missing}'.*{SCENE_HAS}") as info:
        ask_room(question)
    if isinstance(info.value, UnknownObject):
        assert isinstance(info.value, InputError) and isinstance(info.value, PlanningError)
    else:
        assert f'objects("{missing}")' in info.value.source


@pytest.mark.parametrize("options", [["A. piano", "B. door"], ["A. zebra", "B. door", "C. lamp"]])
def test_an_option_naming_a_missing_object_is_refused(ask_room, options):
    with pytest.raises(UnknownObject, match=f"unknown label '{options[0][3:]}'"):
        ask_room("Which of these is closest to the sofa?", options)


def test_a_candidate_that_is_the_target_is_not_dropped(ask_room):
    # "couch" is the sofa itself: one candidate would be left, and one candidate is no choice.
    with pytest.raises((DslError, PlanningError), match="two or more"):
        ask_room("Which is closer to the sofa, the couch or the lamp?")


def test_present_objects_still_answer(ask_room):
    assert ask_room("Which is closer to the sofa, the lamp or the door?").value == "lamp"
    assert ask_room("How far is the lamp from the couch, in metres?").unit == "m"
    assert ask_room("What is the distance between the closest points of the bounding boxes of the tv and the sofa?").unit == "m"


# --- options: units converted, and a plain "no option fits" ------------------------------------

def test_options_with_units_are_converted_before_matching(ask_room):
    result = ask_room("How far apart are the tv and the sofa?", ["A. 280 cm", "B. 3 m"])  # 2.86 m
    assert (result.choice, result.choice_fits) == ("A", True)
    result = ask_room("How far apart are the tv and the sofa?", ["A. 9.4 feet", "B. 250 cm", "C. 2000 mm"])
    assert result.choice == "A"


def test_a_count_with_no_equal_option_says_no_option_fits(ask_room):
    result = ask_room("How many chairs are there?", ["A. 5", "B. 7"])  # the scene has 2
    assert (result.choice, result.choice_fits) == ("A", False)
    assert result.summary() == "2: no option fits; nearest: A. 5"
    result = ask_room("How many chairs are there?", ["A. 3", "B. 2"])
    assert (result.choice, result.choice_fits, result.summary()) == ("B", True, "B. 2")


def test_a_quantity_far_from_every_option_says_no_option_fits(ask_room):
    result = ask_room("How far apart are the tv and the sofa?", ["A. 20 m", "B. 9 km"])
    assert (result.choice, result.choice_fits) == ("A", False)
    assert result.summary().startswith("2.86 m: no option fits; nearest: A. 20 m")
    assert result.model_dump()["choice_fits"] is False


def test_a_word_answer_matching_no_option_says_so(ask_room):
    assert choose("door", parse_options(["A. tv", "B. window"])) is None
    assert choose("door", parse_options(["A. tv", "B. the door"])).fits is True
    result = ask_room("How many chairs are there?", ["A. left", "B. right"])
    assert (result.choice, result.choice_fits) == (None, False)
    assert result.summary() == "2: no option fits"


def test_without_options_there_is_no_fit_to_report(ask_room):
    result = ask_room("How many chairs are there?")
    assert result.choice_fits is None and result.summary() == "2"


@pytest.mark.parametrize("value, options, unit, exact, letter, fits", [
    (2.86, ["A. 280 cm", "B. 3 m"], "m", False, "A", True),
    (2.86, ["A. 2.8", "B. 3"], "m", False, "A", True),                  # no unit: the answer's
    (2.86, ["A. 3 m2", "B. 40 m"], "m", False, "B", False),              # an area is no length
    (2.86, ["A. 3 m2", "B. 5 s"], "m", False, None, False),
    (2.86, ["A. 1.5 m", "B. 9 m"], "m", False, "A", True),               # within a factor of 2
    (2.86, ["A. 1.4 m", "B. 9 m"], "m", False, "A", False),
    (2, ["A. 2 chairs", "B. 3 chairs"], None, True, "A", True),
    (2, ["A. 1", "B. 3"], None, True, "A", False),                       # counts must be equal
    (2, ["A. 2 m", "B. 3 m"], None, True, None, False),                  # a count is no length
    (90.0, ["A. 1.57 rad", "B. 45°"], "deg", False, "A", True),
])
def test_choose_numbers(value, options, unit, exact, letter, fits):
    picked = choose(value, parse_options(options), unit=unit, exact=exact)
    assert (picked.option.letter if picked else None) == letter
    assert (picked.fits if picked else False) is fits


def test_fit_factor_is_two():
    assert FIT_FACTOR == 2.0


@pytest.mark.parametrize("options", [["A. left", ""], ["A.", "B. right"], ["A. left", "  "]])
def test_an_option_without_text_is_refused(options):
    with pytest.raises(OptionError, match="has no text"):
        parse_options(options)


def test_option_letters_and_text_still_parse():
    assert parse_options(["A. left", "B) right", "up"]) == [Option("A", "left"), Option("B", "right"), Option("C", "up")]


# --- a requested unit is honoured, or refused; never dropped -----------------------------------

def test_every_unit_has_names():
    assert set(UNIT_NAMES) == set(units.UNITS)


LENGTH_NAMES = [(name, unit) for unit, names in UNIT_NAMES.items() if units.dimension_of(unit) == "length"
                for name in names if name != "in"]


@pytest.mark.parametrize("name, unit", LENGTH_NAMES)
def test_every_length_unit_name_is_honoured(ask_room, name, unit):
    result = ask_room(f"How far apart are the tv and the sofa, in {name}?")
    assert result.unit == unit
    assert result.value == pytest.approx(units.convert(2.86, "m", unit), rel=0.01)


@pytest.mark.parametrize("question, unit", [
    ("How far apart are the tv and the sofa, in km?", "km"),
    ("How far apart are the tv and the sofa, in kilometres?", "km"),
    ("How tall is the lamp in inches?", "in"),
    ("How tall is the lamp, in feet?", "ft"),
    ("How tall is the lamp in millimetres?", "mm"),
    ("How wide is the sofa in kilometers?", "km"),
    ("What is the floor area of the room in square feet?", "ft2"),
    ("What is the floor area of the room in square millimetres?", "mm2"),
    ("What is the floor area of the room in feet?", "ft2"),                # "in feet" of an area
    ("How big is this room in metres?", "m2"),
])
def test_requested_units(ask_room, question, unit):
    assert ask_room(question).unit == unit


@pytest.mark.parametrize("question, error, message", [
    ("How far apart are the tv and the sofa, in miles?", PlanningError, "no unit for 'miles'"),
    ("How tall is the lamp in yards?", PlanningError, "no unit for 'yards'"),
    ("What is the floor area of the room in inches?", PlanningError, "cannot be given in in"),
    ("How tall is the lamp in square meters?", DslError, "cannot express length in m2"),
    ("How far apart are the tv and the sofa, in degrees?", DslError, "cannot express length in deg"),
])
def test_a_unit_that_cannot_be_honoured_is_refused(ask_room, question, error, message):
    with pytest.raises(error, match=message):
        ask_room(question)


def test_requested_unit_reads_context_not_any_letter():
    assert requested_unit("how many chairs are in my room") is None
    assert requested_unit("how far is it (in m).") == "m"
    assert requested_unit("how far is it in mm?") == "mm"


def test_large_values_are_written_without_an_exponent():
    assert plain_value(Length(1600.0, "mm"))[2] == "1600 mm"
    assert plain_value(Length(2.86, "m"))[2] == "2.86 m"


# --- empty labels ------------------------------------------------------------------------------

@pytest.mark.parametrize("question", ['How many "" are there?', "How many  are there?", "", "   ", "?"])
def test_a_question_without_an_object_phrase_is_refused(ask_room, question):
    with pytest.raises(PlanningError):
        ask_room(question)


def test_an_empty_label_in_a_program_is_refused(living_room):
    with pytest.raises(DslError, match=f"an empty label names no object.*{SCENE_HAS}"):
        run_program('answer count(objects(""))', ExecContext(living_room))
