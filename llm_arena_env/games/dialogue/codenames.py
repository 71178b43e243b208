"""dialogue/codenames: clembench's codenames. A cluegiver and a guesser against a scripted opponent team.

Make it::

    env = llm_arena_env.make("dialogue/codenames")
    env.reset(seed=0, options={"instance": ("risk_high", 2)})

Roles and turns (players ``cluegiver``, ``guesser``). The board holds 25 words (default deal: 9 team, 8
opponent, 7 innocent, 1 assassin). Only the cluegiver knows which word is which.

- ``cluegiver`` replies on two lines: ``CLUE: <one word>`` and ``TARGETS: <word>, <word>`` (the words it
  means, ", "-separated). The clue must be one word, not on the board and not sharing a stem with a word
  still hidden; targets must be hidden words, each named once.
- ``guesser`` sees the hidden words, the clue and the number of targets, and replies on one line:
  ``GUESS: <word>, <word>``, 1 to that many hidden words, each once, not the clue itself.
- The guesses are revealed in order; a word that is not the team's ends the guessing. Then the scripted
  opponent reveals ``opponent_difficulty`` of its own words (drawn with the env's seeded RNG). Both players
  are told what was revealed, and the next turn starts.
- Quotes, dots, commas and brackets around words are stripped (clembench's "STRIP WORDS"); case is ignored.

Outcomes: the team wins (Success) when all its words are revealed, or if the opponent reveals an assassin;
it loses when the opponent's words are all revealed or the guesser reveals an assassin. Any reply that
breaks the formats or rules above aborts the episode, as in clembench (with ``reprompt_on_error`` the
player is asked again twice first, as clembench's generous flag means to, though its game master aborts
anyway, so a clembench experiment's flag is not followed here either; ``max_illegal_actions`` re-asks too).

Scores: ``Episode Recall`` (share of the team's words revealed by the team), ``Efficiency`` (mean guesses
per turn / 2, at most 1); Main Score = 100 x Success, as clembench's scorer logs it (NaN when aborted). Also ``Episode
Negative Recall``, ``Number of turns``, ``Game ended through assassin`` and per-turn averages of the
cluegiver's and guesser's precision and recall (``Average Guesser Target F1`` and friends).

Keywords of ``make`` (defaults): ``opponent_difficulty=1``, ``ignore_rambling=False``,
``ignore_false_targets_or_guesses=False``, ``strip_words=True``, ``ignore_number_of_targets=False``,
``reprompt_on_error=False`` (an experiment's ``opponent difficulty`` and clembench ``flags`` win), ``instances``,
plus DialogueEnv's and TextEnv's keywords. clembench's codenames files load and play as they are.

Instances: clembench's experiments (risk, word assignments, opponent difficulty, word frequency) over the
curated words in ``resources/codenames/categories.json``, from :func:`generate_instances`.
"""

from __future__ import annotations

import functools
from typing import Any

from llm_arena_env.games.dialogue import codenames_rules as rules
from llm_arena_env.games.dialogue.base import DialogueEnv, IllegalAction
from llm_arena_env.games.dialogue.codenames_rules import Kind
from llm_arena_env.games.dialogue.instances import english_zipf, load_resource

CLEMBENCH_MAX_RETRIES = 2

CLUEGIVER_FIRST = """Give a one-word clue that relates to some of your team's words in the lists below; you choose \
which words and how many. Your partner will try to guess your team's words from your clues, and your team \
wins when all of them are uncovered before the other team has uncovered all of theirs. If your partner guesses \
an opponent word or a distractor word, their turn ends and the other team plays. If your partner guesses a \
kill word, your team loses at once. A clue that relates to more words can win faster but is harder to guess. \
The clue must be related in meaning to the target words; it may not be one of the words in the lists, nor \
contain parts of them.

Always answer in exactly this form, with nothing else:

CLUE: <word>
TARGETS: <comma-separated target words>

Your team words are: {team}.
Your opponent's team words are: {opponent}.
Distractor words are: {innocent}.
The kill words are: {assassin}."""

CLUEGIVER_NEXT = """Now give another clue for some of your remaining team words, with its targets. Remember: \
'CLUE: ' on the first line, 'TARGETS: ' and the comma-separated targets on the second. Some words have been \
removed from the lists since the last time.

Your remaining team words are: {team}.
Remaining words of your opponent: {opponent}.
Remaining distractor words: {innocent}.
Remaining kill words: {assassin}."""

GUESSER_FIRST = """Give a comma-separated list of up to {number} words from the list below that are most closely \
associated with the word '{clue}'. Start your answer with 'GUESS: ' and write nothing else.

{board}"""

GUESSER_NEXT = """Now give another comma-separated list of at least 1 and up to {number} words from the list \
below that are most closely associated with the word '{clue}'. Start with 'GUESS: '. Some words have been \
removed from the list since the last time.

{board}"""


def generate_instances(seed: int = 0) -> dict:
    """The shipped instance set: see :func:`codenames_rules.generate_instances` (needs the ``words`` extra)."""
    return rules.generate_instances(categories(), english_zipf, seed)


@functools.lru_cache(maxsize=1)
def categories() -> dict[str, list[str]]:
    return load_resource("codenames", "categories.json")


class CodenamesEnv(DialogueEnv):
    """clembench's codenames (see the module docstring)."""

    game_name = "codenames"

    def __init__(self, opponent_difficulty: int = 1, ignore_rambling: bool = False,
                 ignore_false_targets_or_guesses: bool = False, strip_words: bool = True,
                 ignore_number_of_targets: bool = False, reprompt_on_error: bool = False, **kwargs: Any):
        if not isinstance(opponent_difficulty, int) or opponent_difficulty < 0:
            raise ValueError(f"opponent_difficulty must be an int >= 0, got {opponent_difficulty!r}")
        self.opponent_difficulty = opponent_difficulty
        self.flags = rules.Flags(ignore_rambling, ignore_false_targets_or_guesses, strip_words,
                                 ignore_number_of_targets, reprompt_on_error)
        self._max_illegal_from_make = kwargs.get("max_illegal_actions", 0)
        super().__init__(["cluegiver", "guesser"], **kwargs)

    # ------------------------------------------------------------------ setup

    def _setup(self, instance: dict[str, Any], experiment: dict[str, Any]) -> None:
        if not instance.get("board") or not isinstance(instance.get("assignments"), dict):
            raise ValueError("a codenames instance needs 'board' (words) and 'assignments' {team: [...], ...}")
        self.board = rules.Board.from_instance(instance["board"], instance["assignments"])
        self.counts = {kind.value: len(words) for kind, words in self.board.hidden.items()}
        self.opponent_reveals = int(experiment.get("opponent difficulty", self.opponent_difficulty))
        self.episode_flags = rules.Flags.from_clembench(experiment["flags"]) if "flags" in experiment else self.flags
        # clembench's REPROMPT ON ERROR has no effect there (its game master aborts on any invalid reply
        # before the re-prompt is used, docs/clembench.md); only our own reprompt_on_error re-asks
        retries = CLEMBENCH_MAX_RETRIES if self.flags.reprompt_on_error and "flags" not in experiment else 0
        self.max_illegal_actions = max(self._max_illegal_from_make, retries)
        self.turns: list[rules.TurnRecord] = []
        self.turns_started = 1
        self.clue: rules.Clue | None = None
        self.ended_by_assassin = False
        self.to_move = "cluegiver"
        self.tell("cluegiver", self._cluegiver_prompt(CLUEGIVER_FIRST))

    def _lists(self) -> dict[str, str]:
        return {kind.value: ", ".join(self.board.hidden[kind]) for kind in Kind}

    def _cluegiver_prompt(self, template: str) -> str:
        return template.format(**self._lists())

    def _current_agent(self) -> str:
        return self.to_move

    # ------------------------------------------------------------------ replies

    def _parse_action(self, agent: str, text: str) -> Any:
        hidden, revealed = self.board.hidden_words(), self.board.revealed_by(Kind.TEAM)
        try:
            if agent == "cluegiver":
                return rules.parse_clue(text, hidden, revealed, self.episode_flags)
            return rules.parse_guesses(text, hidden, revealed, self.clue.word, len(self.clue.targets), self.episode_flags)
        except rules.InvalidReply as error:
            raise IllegalAction(str(error)) from None

    def _play(self, agent: str, move: Any) -> None:
        if agent == "cluegiver":
            self.clue = move
            self.team_hidden_before = len(self.board.hidden[Kind.TEAM])
            template = GUESSER_FIRST if self.turns_started == 1 else GUESSER_NEXT
            self.tell("guesser", template.format(number=len(move.targets), clue=move.word,
                                                 board=", ".join(self.board.hidden_words())))
            self.to_move = "guesser"
            return
        target_kinds = tuple(self.board.kind_of(t) for t in self.clue.targets)
        revealed: list[tuple[str, Kind]] = []
        for guess in move:
            kind = self.board.reveal(guess, Kind.TEAM)
            if kind is None:
                continue
            revealed.append((guess, kind))
            if kind is not Kind.TEAM:
                break
        self.turns.append(rules.TurnRecord(self.clue.targets, target_kinds, move, tuple(revealed), self.team_hidden_before))
        feedback = _feedback(revealed)
        self.tell("guesser", f"{feedback}Your turn ended there.")
        if self._check_end():
            return
        self._opponent_turn()
        if self._check_end():
            return
        self.turns_started += 1
        self.tell("cluegiver", f"{feedback}Your teammate's turn ended there.\n{self._cluegiver_prompt(CLUEGIVER_NEXT)}")
        self.to_move = "cluegiver"

    def _opponent_turn(self) -> None:
        hidden = self.board.hidden[Kind.OPPONENT]
        count = min(self.opponent_reveals, len(hidden))
        for index in sorted(self.np_random.choice(len(hidden), size=count, replace=False).tolist(), reverse=True):
            self.board.reveal(hidden[index], Kind.OPPONENT)

    def _check_end(self) -> bool:
        """End the game if the board says so (clembench's order of checks)."""
        board = self.board
        endings = ((board.team_won(), True, False, "all team words revealed"),
                   (board.opponent_won(), False, False, "all opponent words revealed"),
                   (board.opponent_hit_assassin(), True, True, "the opponent revealed an assassin word"),
                   (board.team_hit_assassin(), False, True, "the guesser revealed an assassin word"))
        for happened, success, assassin, detail in endings:
            if happened:
                self.ended_by_assassin = assassin
                measures = self._scores()
                # clembench's scorer: Main Score = 100 x Success (its harmonic mean is commented out there)
                self.end_game(success=success, main_score=100.0 * success, detail=detail, measures=measures)
                return True
        return False

    def _scores(self) -> dict[str, float]:
        """The episode measures so far."""
        measures = rules.episode_measures(self.board, self.turns, self.turns_started, self.counts)
        measures["Game ended through assassin"] = int(self.ended_by_assassin)
        return measures

    def _measures(self) -> dict[str, float]:
        # clembench logs these for aborted episodes too; only the Main Score is NaN then
        return self._scores()

    # ------------------------------------------------------------------ display

    def _render_text(self) -> str:
        lines = [super()._render_text(), ""]
        for kind in Kind:
            revealed = [w for by in self.board.revealed.values() for w in by[kind]]
            lines.append(f"{kind.value}: hidden {', '.join(self.board.hidden[kind]) or '-'}; "
                         f"revealed {', '.join(revealed) or '-'}")
        return "\n".join(lines)


def _feedback(revealed: list[tuple[str, Kind]]) -> str:
    """What the players are told about the revealed guesses (clembench's wording of the facts)."""
    correct = [w for w, kind in revealed if kind is Kind.TEAM]
    text = ""
    if len(correct) >= 2:
        text = f"The words {', '.join(correct)} were guessed correctly. "
    elif correct:
        text = f"The word {correct[0]} was guessed correctly. "
    if revealed and revealed[-1][1] is not Kind.TEAM:
        word, kind = revealed[-1]
        text += f"The word {word} was guessed but is an {kind.value} word. "
    return text


# ---------------------------------------------------------------------- the scripted player

_SCRIPTED_CLUES = ("zephyr", "quasar", "nimbus", "vortex", "lantern", "harbor")


def scripted_move(env: Any, agent: str) -> str:
    """A winning team (it reads the board): the cluegiver aims a clue off the board at two team words, the
    guesser guesses the clue's targets."""
    game = env.unwrapped
    if agent == "guesser":
        return rules.GUESS_PREFIX + ", ".join(game.clue.targets)
    hidden = game.board.hidden_words()
    clue = next(c for c in _SCRIPTED_CLUES if all(rules.stem(w) != rules.stem(c) and w != c for w in hidden))
    targets = game.board.hidden[Kind.TEAM][:2]
    return f"{rules.CLUE_PREFIX}{clue}\n{rules.TARGETS_PREFIX}{', '.join(targets)}"
