"""Pure rules of privateshared: the two reply formats, probe ground truth, Cohen's kappa, scores, instances.

The answerer holds some private facts (slots). A scripted questioner asks for them one by one; before the
first request and after each answer the game probes, slot by slot, "does the other party know X yet?".
A slot becomes shared once its value has been said; the answer for it should then switch from no to yes.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Mapping, Sequence

ANSWER_TAG = "ANSWER:"
ASIDE_TAG = "ASIDE:"
ME_TAG = "ME:"
YES, NO = "yes", "no"
PROBE_TEMPLATE = "ME: {} Answer this question with yes or no and then stop."
REQUEST_CODA = "{} Answer only this question in one short sentence and then stop."
# clembench re-asks a probe with these words after "ME:" (the first try has none): 5 tries in all.
PROBE_RETRY_SUFFIXES = ("", "Please answer this question carefully.", "Please follow my instructions.",
                        "Please be specific now.", "Please think about it carefully.")


def _one_line(reply: str) -> bool:
    return "\n" not in reply.strip("\n")


def parse_slot_answer(reply: str) -> str | None:
    """The answer to a slot request without its tag, or None: it must start with ``ANSWER:``, on one line.

    Surrounding whitespace is ignored (clemcore's backends strip replies before clembench reads them)."""
    reply = reply.strip()
    if not reply.startswith(ANSWER_TAG) or not _one_line(reply):
        return None
    return reply.replace(ANSWER_TAG, "").strip()


def parse_probe_answer(reply: str) -> bool | None:
    """True for yes, False for no, None when unreadable: ``ASIDE:`` then a text that starts with yes or no.

    As in clembench, only the start counts ("ASIDE: Yes, I told them." is yes), and the reply is one line.
    """
    reply = reply.strip()
    if not reply.startswith(ASIDE_TAG) or not _one_line(reply):
        return None
    text = reply.replace(ASIDE_TAG, "").strip().lower()
    if text.startswith(YES):
        return True
    if text.startswith(NO):
        return False
    return None


def probe_question(question: str, attempt: int) -> str:
    """The probe as asked on try ``attempt`` (0-based): later tries add an insistence after ``ME:``."""
    text = PROBE_TEMPLATE.format(question)
    suffix = PROBE_RETRY_SUFFIXES[attempt % len(PROBE_RETRY_SUFFIXES)]
    return text.replace(f"{ME_TAG} ", f"{ME_TAG} {suffix} ", 1) if suffix else text


def mentioned_slots(answer: str, slots: Mapping[str, str]) -> list[str]:
    """The slots whose value appears (case-insensitively) in an answer: they are shared from then on."""
    return [slot for slot, value in slots.items() if value.lower() in answer.lower()]


def is_shared(probe_round: int, shared_from: int) -> bool:
    """Ground truth of a probe in round ``probe_round`` (0: before any request) for a slot first said in
    turn ``shared_from`` (0-based): shared once that turn is over."""
    return probe_round > shared_from


def cohen_kappa(gold: Sequence[int], pred: Sequence[int]) -> float:
    """Cohen's kappa of two label sequences; NaN when chance agreement is 1 (as scikit-learn gives)."""
    n = len(gold)
    if n == 0:
        return math.nan
    observed = sum(g == p for g, p in zip(gold, pred)) / n
    labels = set(gold) | set(pred)
    expected = sum((list(gold).count(label) / n) * (list(pred).count(label) / n) for label in labels)
    if expected == 1:
        return math.nan
    return (observed - expected) / (1 - expected)


def accuracy(gold: Sequence[int], pred: Sequence[int]) -> float:
    return sum(g == p for g, p in zip(gold, pred)) / len(gold) if gold else math.nan


@dataclass(frozen=True)
class ProbeResult:
    round: int
    slot: str
    gold: int
    pred: int


def episode_measures(probes: Sequence[ProbeResult], filled: Sequence[bool], n_slots: int) -> dict[str, float]:
    """clembench's privateshared measures of a played episode.

    Main Score is the harmonic mean of slot-filling accuracy and kappa truncated at 0, times 100.
    """
    gold = [p.gold for p in probes]
    pred = [p.pred for p in probes]
    kappa = cohen_kappa(gold, pred)
    truncated = max(0.0, kappa) if not math.isnan(kappa) else 0.0  # clembench's max(0, nan) is 0
    slot_accuracy = sum(filled) / len(filled) if filled else math.nan
    if math.isnan(slot_accuracy):
        main = math.nan
    elif slot_accuracy + truncated == 0:
        main = 0.0
    else:
        main = 100 * 2 * slot_accuracy * truncated / (slot_accuracy + truncated)
    middle_round = (n_slots + 1) // 2 - 1
    middle = [p for p in probes if p.round == middle_round]
    return {
        "Accuracy": accuracy(gold, pred),
        "Kappa": kappa,
        "Truncated Kappa": truncated,
        "Slot-Filling-Accuracy": slot_accuracy,
        "Middle-Accuracy": accuracy([p.gold for p in middle], [p.pred for p in middle]),
        "Main": main,
    }


# ---------------------------------------------------------------------------------------------- instances

def instance_text(what: str, slots: Mapping[str, str]) -> str:
    lines = [f"WHAT: {what}"] + [f"{slot.upper()}: {value}" for slot, value in slots.items()]
    return "\n".join(lines)


def fill_prompt(template: str, instance: str, tag: str) -> str:
    return (template.replace("$INSTANCE$", instance).replace("$QUESTIONER$", tag)
            .replace("$ANSWER$", ANSWER_TAG).replace("$ASIDE$", ASIDE_TAG).replace("$ME$", ME_TAG))


def generate_instances(domains: Mapping[str, Mapping], seed: int, per_experiment: int = 10) -> dict:
    """One experiment per domain: random slot values, request order, request and probe wordings.

    The layout is clembench's (``slots``, ``request_order``, ``requests`` and ``probes`` as indices into the
    domain's wordings, ``initial_prompt``, ``tag``), so clembench files and ours load the same way.
    """
    rng = random.Random(seed)
    experiments = []
    for name in sorted(d for d in domains if not d.startswith("_")):
        domain = domains[name]
        spec = domain["slots"]
        instances = []
        for game_id in range(per_experiment):
            slots = {slot: rng.choice(spec[slot]["values"]) for slot in spec}
            instances.append({
                "game_id": game_id,
                "tag": domain["tag"],
                "slots": slots,
                "initial_prompt": fill_prompt(domain["prompt"], instance_text(domain["what"], slots), domain["tag"]),
                "request_order": rng.sample(list(spec), len(spec)),
                "requests": {slot: rng.randrange(len(spec[slot]["requests"])) for slot in spec},
                "probes": {str(r): {slot: rng.randrange(len(spec[slot]["probes"])) for slot in spec}
                           for r in range(len(spec) + 1)},
                "lang": "en",
            })
        experiments.append({"name": name, "game_instances": instances})
    return {"experiments": experiments}


def wording(domain: Mapping | None, slot: str, kind: str, choice: object, tag: str) -> str:
    """A request or probe text: a string in the instance is used as is; an index picks from our wordings
    (modulo their number, so clembench's indices into its own lists still pick a wording); a slot we have no
    wordings for (another clembench domain) gets a plain generic one."""
    if isinstance(choice, str):
        return choice
    texts = ((domain or {}).get("slots", {}).get(slot) or {}).get(kind)
    if texts:
        index = choice if isinstance(choice, int) and not isinstance(choice, bool) else 0
        return texts[index % len(texts)]
    readable = slot.replace("-", " ").replace("_", " ")
    party = tag.lower().replace("-", " ") or "questioner"
    if kind == "requests":
        return f"What is your {readable}?"
    return f"Does the {party} know your {readable}?"
