"""One question against one scene memory: plan and run, match the options, record the step."""

from __future__ import annotations

import math
import time
from typing import Protocol

from sagent.agent.agent_memory import AgentMemory, StepRecord
from sagent.agent.answer import Answer, plain_value
from sagent.agent.options import Option, choose, parse_options, split_inline_options
from sagent.agent.solution import Solution
from sagent.agent.understanding.kinds import expected_answer, kind_of_frame, known_type
from sagent.agent.understanding.measured import measured_by
from sagent.agent.understanding.reader import instance_counts
from sagent.dsl import ast, check, parse
from sagent.dsl.types import Bool, Count, Quantity, Turns
from sagent.errors import InputError, ModelError, ProviderError
from sagent.memory.scene import SceneMemory
from sagent.memory.units import dimension_of
from sagent.memory.vocabulary import Vocabulary


class NoMetricScale(InputError):
    """A length or area was asked of a scene whose scale is unknown (a video with no size reference)."""


# Ops whose answer rests on thresholds in metres ("next to" is within 0.5 m): meaningless without a scale.
_METRIC_THRESHOLD_OPS = frozenset({"related", "related_to", "pick_related"})
_SIZE_OPS = frozenset({"size", "footprint", "volume"})
_POWER = {"length": 1, "area": 2, "volume": 3}


def _needs_metres(execution, program: str) -> bool:
    """Whether the answer depends on metres: a length, area or volume, a metric threshold, or a
    quantity the program states ("taller than 2 m")."""
    value = execution.value
    if isinstance(value, Quantity) and dimension_of(value.unit) in _POWER:
        return True
    if any(step.op in _METRIC_THRESHOLD_OPS for step in execution.trace):
        return True
    return any(isinstance(node, ast.Number) and node.unit and dimension_of(node.unit) in _POWER
               for node in ast.walk(parse(program)))


def _check_metric(scene: SceneMemory, execution, program: str) -> float | None:
    """The answer's relative uncertainty: the scene's scale (lengths once, areas twice, volumes three
    times) and, for an object's own size, in quadrature the largest size uncertainty of the objects
    measured (sides never seen whole); NoMetricScale when the answer needs metres and the scene has
    no metric scale."""
    if not scene.scale.metric and _needs_metres(execution, program):
        raise NoMetricScale(
            f"metric answers are not possible for {scene.name}: it was reconstructed up to scale and "
            f"{scene.scale.detail or 'no size reference was found'}. Pass --scale with metres per unit (e.g. 0.8) "
            "or a known size (e.g. door=2.0m); comparisons, counts and directions still work")
    value = execution.value
    if not isinstance(value, Quantity) or dimension_of(value.unit) not in _POWER:
        return None
    power = _POWER[dimension_of(value.unit)]
    # A distance between boxes barely moves when a hidden far side grows; a size is that side.
    measured = execution.objects_used if any(step.op in _SIZE_OPS for step in execution.trace) else []
    by_id = {o.id: o for o in scene.objects}
    sizes = [by_id[i].size_uncertainty for i in measured if i in by_id]
    return power * math.hypot(scene.scale.relative_uncertainty, max(sizes, default=0.0))


class WrongAnswerKind(ModelError):
    """The program's answer is not of the kind the question asks for (a number for "is there ...?")."""


def _check_kind(scene: SceneMemory, question: str, options: list[Option], solution: Solution) -> None:
    """WrongAnswerKind unless the final program's static answer type fits the question, on every planner's path:
    what its words ask, or what its options are (an answer fitting the words but no option says no option fits)."""
    counts = instance_counts(scene)
    expectations = [expected_answer(question, [], scene.labels(), counts)]
    if options:
        expectations.append(expected_answer(question, options, scene.labels(), counts))
    if expectations[0] is None and solution.frame is not None:
        expectations[0] = kind_of_frame(solution.frame)
    expectations = [e for e in expectations if e is not None]
    if not expectations:
        return
    expected = expectations[0]
    answer_type = check(parse(solution.program), scene).type
    if not any(e.accepts(answer_type) for e in expectations) and known_type(answer_type):
        raise WrongAnswerKind(f"the question asks for {expected.description}, but the program answers "
                              f"{getattr(answer_type, '__name__', answer_type)}; no answer is given rather than one "
                              f"of the wrong kind")


def _not_seen(scene: SceneMemory, execution) -> str:
    """For a memory built from sensors, "no" or 0 of something means not seen in what was covered."""
    value = execution.value
    absent = (isinstance(value, Bool) and not value.value) or (isinstance(value, Count) and value.value == 0)
    if not absent or not scene.cameras or not any(step.op in ("exists", "count_named") for step in execution.trace):
        return ""
    return f"not seen in the {len(scene.cameras)} input views"


class Planner(Protocol):
    name: str

    def solve(self, question: str, scene: SceneMemory, options: list[Option] | None = None,
              history: list[str] | None = None) -> Solution: ...


def _frames_and_confidence(scene: SceneMemory, object_ids: list[str]) -> tuple[list[int], float]:
    objects = [scene.get(i) for i in object_ids]
    frames = sorted({obs.frame for obj in objects for obs in obj.observations})
    confidence = min((obj.confidence for obj in objects), default=1.0)
    return frames, confidence


def ask(scene: SceneMemory, question: str, planner: Planner, options: list[str] | None = None,
        memory: AgentMemory | None = None) -> Answer:
    """Answer `question` about `scene`.

    Raises PlanningError, DslError, RepairBudgetExhausted or a failed model call (ReplyTruncated,
    ContextOverflow, ConstraintRefused, ModelTimeout: ModelErrors) when no answer can be given
    (recorded in `memory` too), ProviderError when the model itself cannot be used.
    """
    started = time.perf_counter()
    parsed = parse_options(options)
    question_text = question
    if not parsed:
        question_text, parsed = split_inline_options(question)
    record = StepRecord(question=question, options=[f"{o.letter}. {o.text}" for o in parsed], scene=scene.name,
                        planner=planner.name)
    try:
        solution = planner.solve(question_text, scene, parsed, memory.history() if memory else [])
    except Exception as error:
        if memory is not None and not isinstance(error, ProviderError):  # infrastructure is not the agent's step
            record.error = f"{type(error).__name__}: {error}"
            record.attempts = list(getattr(error, "attempts", []))  # the programs that failed, when it has them
            record.seconds = time.perf_counter() - started
            memory.add(record)
        raise
    try:
        _check_kind(scene, question_text, parsed, solution)
    except WrongAnswerKind as error:
        if memory is not None:
            record.error = f"{type(error).__name__}: {error}"
            record.model, record.attempts = solution.model, solution.attempts
            record.seconds = time.perf_counter() - started
            memory.add(record)
        raise
    relative = _check_metric(scene, solution.execution, solution.program)
    value, unit, text = plain_value(solution.execution.value)
    measured = measured_by(solution.frame, solution.execution.trace)
    notes = [n for n in (measured, _not_seen(scene, solution.execution)) if n]
    uncertainty = round(abs(value) * relative, 6) if relative else None
    if uncertainty:
        text = f"{text} ± {uncertainty:.2g} {unit}"
    if notes:
        text = f"{text} ({'; '.join(notes)})"
    choice = choice_text = fits = None
    if parsed:
        result = solution.execution.value
        picked = choose(value, parsed, Vocabulary(scene.labels()).resolve, turns=isinstance(result, Turns),
                        unit=unit, exact=isinstance(result, Count))
        fits = picked is not None and picked.fits
        if picked:
            choice, choice_text = picked.option.letter, picked.option.text
    frames, confidence = _frames_and_confidence(scene, solution.execution.objects_used)
    answer = Answer(
        question=question, value=value, unit=unit, choice=choice, choice_text=choice_text, choice_fits=fits,
        text=text, confidence=confidence, program=solution.program, planner=planner.name, model=solution.model,
        scene=scene.name, objects=solution.execution.objects_used, frames=frames,
        trace=[step.to_dict() for step in solution.execution.trace], attempts=len(solution.attempts),
        scale=scene.scale.describe(), uncertainty=uncertainty, measured=measured or None,
        coverage=scene.record.coverage.describe() if scene.record.coverage is not None else None,
    ).with_evidence(scene, solution.execution.observer)
    if memory is not None:
        record = record.model_copy(update=dict(model=solution.model, attempts=solution.attempts, answer=answer,
                                               seconds=time.perf_counter() - started))
        memory.add(record)
    return answer
