"""Self-consistency: K sampled programs, each run, the most common executed value answers."""

import pytest

from sagent.agent import ask
from sagent.agent.llm_planner import LLMPlanner, RepairBudgetExhausted
from sagent.agent.model import ContextOverflow, ModelReply, ReplyTruncated
from sagent.agent.votes import agree, winner
from sagent.dsl.types import Count, Direction, Length, Number, Objects, Quantity
from tests.fakes import ScriptedModel, step
from tests.scenes import make_scene

SCENE = make_scene([("sofa", (2.5, 0.5, 0.42), (2.1, 0.9, 0.84)), ("tv", (2.5, 3.5, 1.0), (1.2, 0.1, 0.7)),
                    ("lamp", (0.35, 0.4, 0.8), (0.4, 0.4, 1.6)), ("door", (4.9, 3.2, 1.0), (0.9, 0.05, 2.0)),
                    ("chair", (0.9, 2.2, 0.45), (0.55, 0.55, 0.9)), ("chair", (4.1, 1.9, 0.45), (0.55, 0.55, 0.9))])


def test_values_agree_within_one_percent_across_units_and_exactly_for_words():
    assert agree(Quantity.of(150, "cm"), Quantity.of(1.505, "m"))
    assert not agree(Quantity.of(150, "cm"), Quantity.of(1.53, "m"))
    assert not agree(Quantity.of(2, "m"), Quantity.of(2, "m2"))  # another dimension
    assert agree(Count(3), Number(3.0)) and not agree(Count(3), Count(4))
    assert agree(Direction("Left"), Direction("left")) and not agree(Direction("left"), Direction("right"))
    assert agree(Objects("lamp", ()), "lamp") and not agree(Objects("lamp", ()), Objects("door", ()))
    assert agree(Number(0), Number(0.0))


def test_winner_is_the_largest_cluster_then_its_median_member_then_the_earliest():
    assert winner([Count(2), Count(3), Count(3)]) == 1
    assert winner([Direction("left"), Direction("right")]) == 0  # a tie: the first sample
    lengths = [Length(4.0, "m"), Length(2.00, "m"), Length(2.03, "m"), Length(2.01, "m"), Length(9, "m")]
    assert winner(lengths) == 3  # the cluster {2.00, 2.01, 2.03}: its median
    with pytest.raises(ValueError):
        winner([])


def test_votes_answer_with_the_most_common_executed_value_and_cite_its_program():
    seen = []
    programs = ['answer farthest([objects("lamp"), objects("door")], objects("sofa"))',  # door
                'answer nearest([objects("lamp"), objects("door")], objects("sofa"))',   # lamp
                'answer nearest([objects("door"), objects("lamp")], objects("sofa"))']   # lamp
    model = ScriptedModel([ModelReply(step(p), 100 + 10 * i, 5 + i) for i, p in enumerate(programs)])
    planner = LLMPlanner(model, votes=3, vote_temperature=0.9, step_callbacks=[seen.append])
    answer = ask(SCENE, "Which is closer to the sofa, the lamp or the door?", planner)
    assert model.temperatures == [None, 0.9, 0.9]  # the first at the configured temperature
    assert all(c == model.calls[0] for c in model.calls)  # every sample starts from the same prompt
    assert answer.value == "lamp" and answer.program == programs[1]
    assert answer.objects == ["lamp_0", "door_0", "sofa_0"] and [t["op"] for t in answer.trace][-1] == "nearest"
    assert [(a.prompt_tokens, a.completion_tokens, a.kind) for a in seen] == [
        (100, 5, "final"), (110, 6, "final"), (120, 7, "final")]
    assert answer.attempts == 3


def test_votes_on_numbers_agree_across_units():
    programs = ['answer count(objects("chair"))',                             # 2: a count, alone
                'answer to(distance(objects("sofa"), objects("tv")), "cm")',  # 255 cm
                'answer distance(objects("sofa"), objects("tv"))',            # 2.55 m: agrees
                'answer to(distance(objects("sofa"), objects("tv")), "mm")']  # 2550 mm: agrees
    planner = LLMPlanner(ScriptedModel([step(p) for p in programs]), votes=4)
    solution = planner.solve("Tell me one thing about the sofa and the tv.", SCENE)  # no kind expected
    assert solution.program == programs[1]  # equal values: the earliest of the cluster
    assert solution.prompt_tokens == 400 and len(solution.attempts) == 4


def test_samples_that_fail_drop_out_and_only_the_first_is_repaired():
    model = ScriptedModel([
        step('answer count(objects("couch"))'),           # first sample: unknown label, repaired
        step('answer count(objects("chair"))'),           # ... to 2
        step('answer count(objects("piano"))'),           # second sample: fails, no repair
        step('answer count(objects("sofa"))'),            # third: 1
    ])
    seen = []
    solution = LLMPlanner(model, votes=3, step_callbacks=[seen.append]).solve("How many chairs?", SCENE)
    assert [a.kind for a in seen] == ["repair", "final", "repair", "final"]
    assert solution.execution.value == Count(2) and len(model.calls) == 4  # a tie of 1 and 1: the first sample


def test_all_samples_failing_is_the_repair_budget_error():
    model = ScriptedModel([step('answer count(objects("piano"))')] * 3)
    with pytest.raises(RepairBudgetExhausted) as info:
        LLMPlanner(model, votes=2, max_repairs=1).solve("How many pianos?", SCENE)
    assert len(info.value.attempts) == 3


@pytest.mark.parametrize("kwargs, words", [({"votes": 0}, "votes"), ({"votes": 2.5}, "votes"),
                                           ({"vote_temperature": -1}, "vote_temperature")])
def test_bad_vote_settings_are_refused(kwargs, words):
    with pytest.raises(ValueError, match=words):
        LLMPlanner(ScriptedModel([]), **kwargs)


def _cut(messages):
    raise ReplyTruncated("the reply hit max_tokens (64) before it ended")


def test_a_cut_reply_drops_its_sample_and_ends_the_question_without_votes():
    model = ScriptedModel([_cut, step('answer count(objects("chair"))'), step('answer count(objects("chair"))')])
    solution = LLMPlanner(model, votes=3).solve("How many chairs?", SCENE)
    assert solution.execution.value == Count(2) and len(solution.attempts) == 2
    with pytest.raises(ReplyTruncated):
        LLMPlanner(ScriptedModel([_cut])).solve("How many chairs?", SCENE)


def test_a_context_overflow_ends_the_question_at_once():
    def overflow(messages):
        raise ContextOverflow("the prompt exceeds the model's context")
    model = ScriptedModel([overflow, step('answer 1')])
    with pytest.raises(ContextOverflow):
        LLMPlanner(model, votes=2).solve("How many chairs?", SCENE)
    assert len(model.calls) == 1


def test_a_timed_out_sample_drops_out_of_the_vote():
    from sagent.agent.model import ModelTimeout

    def late(messages):
        raise ModelTimeout("the model did not answer within 90 s")
    model = ScriptedModel([late, step('answer count(objects("chair"))'), step('answer count(objects("chair"))')])
    assert LLMPlanner(model, votes=3).solve("How many chairs?", SCENE).execution.value == Count(2)
    with pytest.raises(ModelTimeout):
        LLMPlanner(ScriptedModel([late])).solve("How many chairs?", SCENE)
