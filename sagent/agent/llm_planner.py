"""The LLM planner: a (vision-)language model writes DSL programs; the checker and the scene
memory keep it honest.

Loop: the model gets the op reference for the ops the scene serves, the few bank examples closest
to the question, the scene inventory, the question (and pictures where it takes them) and replies
with a `PlannerStep`, {"program", "final"}, or, where the provider enforces the scene's decoding
grammar, a bare program (final). A reply or program that fails to parse, check, fit the question's
kind or run goes back with its errors for repair, within a budget; a non-final program runs and its
result comes back as an observation, within a step limit. Every model call ends as one typed
`Attempt` (kind, timing, tokens), yielded by `run_steps` and handed to each step callback.
With `votes` K > 1, K programs are sampled and the most common executed value answers.
Infrastructure failures (ProviderError) stop.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Generator, Iterable

from sagent.agent.understanding.compiler import Compiler
from sagent.agent.understanding.errors import PlanningError
from sagent.agent.understanding.frame import TaskFrame
from sagent.agent.understanding.frame_reply import (
    FrameReplyError,
    frame_grammar,
    frame_schema,
    parse_frame,
    question_labels,
    tasks_of_kind,
    tasks_served,
)
from sagent.agent.understanding.kinds import expected_answer, kind_problem
from sagent.agent.understanding.reader import instance_counts
from sagent.agent.understanding.viewpoints import answer_scheme
from sagent.agent.example_bank import DEFAULT_SHOTS
from sagent.agent.model import ChatModel, ModelReply, ModelTimeout, ReplyConstraint, ReplyTruncated
from sagent.agent.options import Option, canonical
from sagent.agent.planner_settings import FORMS, PLANNER_DEFAULTS
from sagent.agent.pictures import Picture, scene_pictures
from sagent.agent.planner_step import PlannerStep, ReplyFormatError, parse_step
from sagent.agent.prompts import frame_system_prompt, question_prompt, render, system_prompt
from sagent.agent.solution import Attempt, Solution, StepCallback, StepKind
from sagent.agent.votes import winner
from sagent.dsl import Diagnostic, DslError, ExecContext, Execution, check, execute, parse
from sagent.dsl.decoding_grammar import grammar_for
from sagent.dsl.needs import scene_signature
from sagent.dsl.interpreter import describe
from sagent.dsl.types import Image
from sagent.errors import ModelError
from sagent.memory.scene import SceneMemory
from sagent.memory.vocabulary import Vocabulary, normalize

__all__ = ["LLMPlanner", "PlannerStep", "RepairBudgetExhausted", "ReplyFormatError", "parse_step"]

# The few-shot format starts each example with "Question:"; a model that does not end its turn on its
# own (a base model) goes on to write the next one, where the reply is cut.
STOP = ("\nQuestion:",)
GRAMMAR_CACHE_SIZE = 16  # scenes' grammars kept (each a few hundred kB of text)


class RepairBudgetExhausted(ModelError):
    """The model did not produce a program that checks and runs within the allowed repairs."""

    def __init__(self, attempts: list[Attempt], limit: int):
        self.attempts = attempts
        last = attempts[-1]
        errors = "\n".join(d.message for d in last.errors) or "no program"
        super().__init__(f"the model gave no valid program after {limit} repair(s); last errors: {errors}")


def _merged(evidence: list[Execution]) -> Execution:
    """The last program's value with every program's trace and objects, so the answer cites all of it."""
    return Execution(
        value=evidence[-1].value,
        trace=[step for e in evidence for step in e.trace],
        objects_used=list(dict.fromkeys(o for e in evidence for o in e.objects_used)),
        observer=next((e.observer for e in reversed(evidence) if e.observer is not None), None),
    )


class _Grammars:
    """Decoding grammars by (scene signature, flavour), built on first use, the latest few kept."""

    def __init__(self, size: int = GRAMMAR_CACHE_SIZE):
        self.size = size
        self.texts: OrderedDict[tuple, str] = OrderedDict()
        self.lock = threading.Lock()

    def getter(self, scene: SceneMemory):
        signature = scene_signature(scene)

        def grammar(flavour: str) -> str:
            key = (signature, flavour)
            with self.lock:
                if key in self.texts:
                    self.texts.move_to_end(key)
                    return self.texts[key]
            text = grammar_for(scene, flavour)
            with self.lock:
                self.texts[key] = text
                while len(self.texts) > self.size:
                    self.texts.popitem(last=False)
            return text

        return grammar


class LLMPlanner:
    name = "llm"

    def __init__(self, model: ChatModel, max_repairs: int = PLANNER_DEFAULTS.max_repairs,
                 max_steps: int = PLANNER_DEFAULTS.max_steps, pictures=scene_pictures,
                 step_callbacks: Iterable[StepCallback] = (), votes: int = PLANNER_DEFAULTS.votes,
                 vote_temperature: float = 0.7, shots: int = DEFAULT_SHOTS, form: str = PLANNER_DEFAULTS.form):
        """`pictures(scene) -> list[Picture]` supplies views and keyframes for models that take images.
        `step_callbacks`: each is called with every `Attempt` as soon as its model call and run end.
        `votes`: programs sampled per question (self-consistency); the first at the model's configured
        temperature with the repair budget, the others at `vote_temperature` without repairs.
        `shots`: bank examples shown, the closest to the question.
        `form`: "program", the model writes DSL programs; "frame", it fills the task frame (under the frame's
        grammar or schema) and sagent's compiler writes the program: one final step, no observations."""
        if form not in FORMS:
            raise ValueError(f"form must be one of {', '.join(FORMS)}, got {form!r}")
        self.form = form
        if not (isinstance(votes, int) and votes >= 1):
            raise ValueError(f"votes must be a whole number of at least 1, got {votes!r}")
        if not (isinstance(vote_temperature, (int, float)) and 0 <= vote_temperature <= 2):
            raise ValueError(f"vote_temperature must be between 0 and 2, got {vote_temperature!r}")
        self.model = model
        self.max_repairs = max_repairs
        self.max_steps = max_steps
        self.pictures = pictures
        self.step_callbacks = list(step_callbacks)
        self.votes = votes
        self.vote_temperature = float(vote_temperature)
        self.shots = shots
        self._grammars = _Grammars()

    def constraint(self, scene: SceneMemory, question: str = "", options: list[Option] | None = None) -> ReplyConstraint:
        """What the provider may enforce: the reply's JSON schema, or the scene's program grammar. In frame
        form, the frame's schema and grammar for this question: the objects it names (every label when it
        names none) and the tasks whose answer is of the kind it asks (every task the scene serves when
        that cannot be told): a frame the answer-kind check would refuse cannot be written."""
        if self.form == "frame":
            options = list(options or [])
            labels = question_labels(question, scene, options)
            tasks = tasks_served(scene)
            counts = instance_counts(scene)
            expected = expected_answer(question, options, scene.labels(), counts) if question else None
            if expected is not None:
                tasks = tasks_of_kind(tasks, expected.accepts) or tasks
            several = frozenset(label for label in labels if counts[label] > 1)
            vocabulary = Vocabulary(scene.labels())
            named = [vocabulary.resolve(o.text) for o in options]
            candidates = named if options and all(named) and len(set(named)) == len(named) else None
            scheme = answer_scheme(normalize(question), {canonical(o.text) for o in options}) if question else None
            return ReplyConstraint(frame_schema(labels, tasks),
                                   grammar=lambda flavour: frame_grammar(labels, tasks, several, scheme, candidates))
        return ReplyConstraint(PlannerStep.model_json_schema(), grammar=self._grammars.getter(scene))

    def _opening(self, question, scene, options, history, constraint: ReplyConstraint) -> list[dict]:
        pictures = self.pictures(scene) if self.pictures and self.model.supports_images() else []
        text = question_prompt(question, scene, options, history, [p.caption for p in pictures])
        content = [{"type": "text", "text": text}, *(p.to_content() for p in pictures)] if pictures else text
        # Decided before the call, from the model alone, so a question's prompt never depends on earlier ones.
        constraint_kind = getattr(self.model, "constraint_kind", None)
        bare = constraint_kind is not None and constraint_kind(constraint) == "grammar"
        if self.form == "frame":
            system = frame_system_prompt(scene, question, self.shots)
        else:
            system = system_prompt(self.max_steps, scene, question, self.shots, bare=bare)
        return [{"role": "system", "content": system}, {"role": "user", "content": content}]

    def _ended(self, kind: StepKind, program: str, reply: ModelReply, started: float,
               errors: list[Diagnostic] | None = None, result: str | None = None, feedback: str | None = None,
               picture: Picture | None = None) -> Attempt:
        attempt = Attempt(program=program, errors=list(errors or []), result=result, kind=kind,
                          seconds=time.perf_counter() - started, prompt_tokens=reply.prompt_tokens,
                          completion_tokens=reply.completion_tokens, reply=reply.text, feedback=feedback,
                          picture=picture)
        for callback in self.step_callbacks:
            callback(attempt)
        return attempt

    def _fits_question(self, program, answer_type, question: str, options: list[Option], scene: SceneMemory) -> None:
        """DslError (for repair) when the answer's static type cannot answer the question."""
        problem = kind_problem(answer_type, question, options, scene.labels(), instance_counts(scene))
        if problem:
            last = program.statements[-1]
            raise DslError([Diagnostic("type", problem, last.line, last.column, last.width)], program.source)

    def _sample(self, messages: list[dict], question: str, scene: SceneMemory, options: list[Option],
                constraint: ReplyConstraint, temperature: float | None, max_repairs: int,
                attempts: list[Attempt]) -> Generator[Attempt, None, tuple[str, Execution, TaskFrame | None]]:
        """One conversation to a final program: yields each Attempt (also appended to `attempts`);
        returns (program, merged execution, the task frame in frame form). RepairBudgetExhausted when
        the repairs run out."""
        evidence: list[Execution] = []  # every program that ran
        repairs = 0
        while True:
            started = time.perf_counter()
            reply = self.model.complete(messages, constraint, temperature=temperature, stop=STOP)
            bare = reply.constrained_by == "grammar"  # the grammar admits only a program (a frame): final
            source = reply.text
            frame: TaskFrame | None = None
            try:
                if self.form == "frame":
                    frame = parse_frame(reply.text)
                    step = PlannerStep(program=Compiler(scene.labels()).compile(frame), final=True)
                else:
                    step = PlannerStep(program=reply.text, final=True) if bare else parse_step(reply.text)
                source = step.program
                program = parse(source)
                answer = check(program, scene)
                final = step.final or len(evidence) + 1 >= self.max_steps
                if final:
                    self._fits_question(program, answer.type, question, options, scene)
                execution = execute(program, ExecContext(scene))
            except (ReplyFormatError, FrameReplyError, PlanningError, DslError) as error:
                diagnostics = getattr(error, "diagnostics", None) or [Diagnostic("type", str(error), 1, 1)]
                text = error.render() if hasattr(error, "render") else f"error: {error}"
                feedback = render("repair.j2", errors=text, bare=bare, frame=self.form == "frame")
                attempts.append(self._ended("repair", source, reply, started, diagnostics, feedback=feedback))
                yield attempts[-1]
                if repairs >= max_repairs:
                    raise RepairBudgetExhausted(attempts, max_repairs) from None
                repairs += 1
                messages += attempts[-1].to_messages()
                continue
            evidence.append(execution)
            if final:
                attempts.append(self._ended("final", source, reply, started))
                yield attempts[-1]
                return source, _merged(evidence), frame
            observation = describe(execution.value)
            feedback = render("observation.j2", result=observation, trace=[s.to_dict() for s in execution.trace])
            picture = Picture(execution.value.caption, execution.value.png) \
                if isinstance(execution.value, Image) and self.model.supports_images() else None
            attempts.append(self._ended("observation", source, reply, started, result=observation, feedback=feedback,
                                        picture=picture))
            yield attempts[-1]
            messages += attempts[-1].to_messages()

    def run_steps(self, question: str, scene: SceneMemory, options: list[Option] | None = None,
                  history: list[str] | None = None) -> Generator[Attempt, None, Solution]:
        """Yields one `Attempt` per model call as it ends; returns the `Solution`.

        With votes, every sample's attempts are yielded in turn; the Solution cites the chosen
        program's evidence and counts every sample's attempts and tokens.
        A sample whose repairs run out, whose reply is cut (ReplyTruncated) or whose call times out
        (ModelTimeout) drops out of the vote;
        when none is left, the first one's error is raised (RepairBudgetExhausted with every sample's
        attempts). Other ModelErrors (ContextOverflow, ConstraintRefused: the same for every sample)
        end the question at once; ProviderError when the model cannot be used."""
        options = list(options or [])
        constraint = self.constraint(scene, question, options)
        opening = self._opening(question, scene, options, list(history or []), constraint)
        attempts: list[Attempt] = []
        results: list[tuple[str, Execution, TaskFrame | None]] = []
        failures: list[ModelError] = []
        for index in range(self.votes):
            temperature = None if index == 0 else self.vote_temperature
            repairs = self.max_repairs if index == 0 else 0
            try:
                result = yield from self._sample(list(opening), question, scene, options, constraint, temperature,
                                                 repairs, attempts)
            except (RepairBudgetExhausted, ReplyTruncated, ModelTimeout) as error:  # this sample's failure; others may answer
                failures.append(error)
                continue
            results.append(result)
        if not results:
            if isinstance(failures[0], RepairBudgetExhausted):
                raise RepairBudgetExhausted(attempts, self.max_repairs) from None
            raise failures[0]
        program, execution, frame = results[winner([e.value for _, e, _ in results])]
        return Solution(program, execution, attempts, self.model.name, frame)

    def solve(self, question: str, scene: SceneMemory, options: list[Option] | None = None,
              history: list[str] | None = None) -> Solution:
        steps = self.run_steps(question, scene, options, history)
        while True:
            try:
                next(steps)
            except StopIteration as done:
                return done.value
